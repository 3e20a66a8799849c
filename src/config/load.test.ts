import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTenetError, type TenetError } from '../errors.js';
import { isLoopback, loadConfig, parseConfig } from './load.js';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-config-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'users.json'), '[]');
  return dir;
}

function problems(run: () => unknown): TenetError {
  try {
    run();
  } catch (error) {
    if (isTenetError(error)) return error;
    throw error;
  }
  throw new Error('expected a TenetError');
}

describe('loadConfig', () => {
  it('accepts the minimal pure-PDP config and fills defaults', () => {
    const dir = workspace();
    const loaded = parseConfig('policies: ./policies\nentities: [users.json]\n', join(dir, 'tenet.yaml'));
    expect(loaded.config.api.auth).toBe('token');
    expect(loaded.config.audit.failMode).toBe('closed');
    expect(loaded.config.store.path).toBe('data/tenet.db');
    expect(loaded.warnings).toEqual([]);
  });

  it('reports every problem with its path, line and a hint', () => {
    const dir = workspace();
    const error = problems(() =>
      parseConfig(
        ['policies: ./policies', 'entites: [users.json]', 'api:', '  auth: magic', '  bodyLimitBytes: 12', 'freshness:', '  devicePosture: soon'].join('\n'),
        join(dir, 'tenet.yaml'),
      ),
    );
    expect(error.code).toBe('TENET_ERR_CONFIG_INVALID');
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue]));
    expect(byPath['entites (line 2)']?.hint).toContain('did you mean "entities"');
    expect(byPath['api.auth (line 4)']).toBeDefined();
    expect(byPath['api.bodyLimitBytes (line 5)']).toBeDefined();
    expect(byPath['freshness.devicePosture (line 7)']?.message).toContain('duration');
    expect(error.issues).toHaveLength(4);
  });

  it('requires policies and reports missing files', () => {
    const dir = workspace();
    const error = problems(() => parseConfig('entities: [nope.json]\n', join(dir, 'tenet.yaml')));
    expect(error.issues.map((issue) => issue.path)).toEqual(['policies']);
    const missing = problems(() => parseConfig('policies: ./nowhere\nentities: [nope.json]\n', join(dir, 'tenet.yaml')));
    expect(missing.issues.map((issue) => issue.path)).toEqual(['policies', 'entities.0']);
  });

  it('allows api.auth none only on loopback, with a warning', () => {
    const dir = workspace();
    const local = parseConfig('policies: ./policies\napi: {auth: none}\nlisten: 127.0.0.1:9000\n', join(dir, 'tenet.yaml'));
    expect(local.warnings.join()).toContain('Development only');
    const exposed = problems(() => parseConfig('policies: ./policies\napi: {auth: none}\nlisten: 0.0.0.0:9000\n', join(dir, 'tenet.yaml')));
    expect(exposed.issues[0]?.path).toBe('api.auth');
    const overridden = problems(() => parseConfig('policies: ./policies\napi: {auth: none}\n', join(dir, 'tenet.yaml'), { listen: '10.1.2.3:80' }));
    expect(overridden.issues[0]?.path).toBe('api.auth');
  });

  it('rejects YAML syntax errors and duplicate keys with a position', () => {
    const dir = workspace();
    const error = problems(() => parseConfig('policies: ./policies\npolicies: ./again\n', join(dir, 'tenet.yaml')));
    expect(error.issues[0]?.path).toMatch(/tenet\.yaml:2:/);
  });

  it('names an unreadable file', () => {
    expect(problems(() => loadConfig('/definitely/not/here.yaml')).code).toBe('TENET_ERR_CONFIG_UNREADABLE');
  });
});

describe('isLoopback', () => {
  it('knows loopback from the rest', () => {
    expect(isLoopback('127.0.0.1:1')).toBe(true);
    expect(isLoopback('127.8.9.1:1')).toBe(true);
    expect(isLoopback('[::1]:1')).toBe(true);
    expect(isLoopback('localhost:1')).toBe(true);
    expect(isLoopback('0.0.0.0:1')).toBe(false);
    expect(isLoopback('[::]:1')).toBe(false);
    expect(isLoopback('example.com:1')).toBe(false);
  });
});
