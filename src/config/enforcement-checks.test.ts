import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTenetError, type TenetError } from '../errors.js';
import { engineSettingsFrom } from './engine-settings.js';
import { parseConfig } from './load.js';

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-enforcement-config-'));
  mkdirSync(join(dir, 'policies'));
  return join(dir, 'tenet.yaml');
}

function problems(text: string): TenetError {
  try {
    parseConfig(text, configFile());
  } catch (error) {
    if (isTenetError(error)) return error;
    throw error;
  }
  throw new Error('expected a TenetError');
}

const byPath = (error: TenetError) => Object.fromEntries(error.issues.map((issue) => [issue.path.replace(/ \(line \d+\)$/, ''), issue.message]));

describe('enforcement config', () => {
  it('accepts a proxy with a route and a provider, and fills the defaults', () => {
    const loaded = parseConfig(
      [
        'policies: ./policies',
        'proxy: { listen: 127.0.0.1:8443, publicUrl: https://login.example.com, tls: self-signed }',
        'authentication:',
        '  providers: [{ id: corp, issuer: https://sso.example.com, clientId: tenet, clientSecret: s3cret }]',
        'routes:',
        '  - { name: wiki, host: wiki.example.com, upstream: http://127.0.0.1:3000, resource: { type: App, id: wiki }, sensitivity: high }',
      ].join('\n'),
      configFile(),
    );
    const [route] = loaded.config.routes;
    expect(route).toMatchObject({ pathPrefix: '/', api: false, websockets: true, actions: { GET: 'read', POST: 'write' } });
    expect(loaded.config.authentication.session).toEqual({ cookieName: '__Host-tenet_session', idleTimeout: '1h', absoluteTimeout: '12h' });
    expect(loaded.config.proxy?.trustedProxies).toEqual(['127.0.0.1/32', '::1/128']);
    expect(loaded.warnings.some((warning) => warning.includes('self-signed'))).toBe(true);
    // A route's sensitivity counts as a `resources` entry for the trust algorithm.
    expect(engineSettingsFrom(loaded.config).sensitivityOf({ type: 'App', id: 'wiki' })).toBe('high');
  });

  it('names each schema problem with a rule a person can act on', () => {
    const error = problems(
      [
        'policies: ./policies',
        'proxy: { listen: 127.0.0.1:8443, publicUrl: https://a.example.com, tls: self-signd }',
        'routes:',
        '  - { name: App, host: "a b", upstream: "ftp://x", resource: { type: App, id: a }, actions: { get: read } }',
        'authentication: { session: { cookieName: tenet_session } }',
        'extAuthz: { httpPathPrefix: /ext-authz }',
      ].join('\n'),
    );
    expect(byPath(error)).toMatchObject({
      'proxy.tls': 'expected "self-signed" or { cert: FILE, key: FILE }',
      'routes.0.name': 'expected lowercase letters, digits and dashes',
      'routes.0.host': expect.stringContaining('expected a host name'),
      'routes.0.upstream': 'expected an http:// or https:// URL',
      'routes.0.actions.get': 'key "get": expected an upper-case HTTP method',
      'authentication.session.cookieName': expect.stringContaining('__Host-'),
      'extAuthz.httpPathPrefix': expect.stringContaining('/.tenet/'),
    });
  });

  it('refuses what would be insecure or ambiguous, all at once', () => {
    const error = problems(
      [
        'policies: ./policies',
        'proxy: { listen: 127.0.0.1:8443, publicUrl: http://login.example.com }',
        'authentication:',
        '  providers:',
        '    - { id: corp, issuer: http://sso.example.com, clientId: tenet, clientSecret: a, clientSecretEnv: TENET_TEST_UNSET_VARIABLE }',
        'resources: [{ type: App, id: wiki, sensitivity: low }]',
        'routes:',
        '  - { name: wiki, host: wiki.example.com, resource: { type: App, id: wiki }, sensitivity: high }',
        '  - { name: wiki, host: WIKI.example.com, resource: { type: App, id: wiki2 } }',
      ].join('\n'),
    );
    expect(byPath(error)).toMatchObject({
      'proxy.publicUrl': expect.stringContaining('must be https://'),
      'authentication.providers.0': expect.stringContaining('one way only'),
      'authentication.providers.0.clientSecretEnv': expect.stringContaining('is not set'),
      'authentication.providers.0.issuer': expect.stringContaining('http:// issuer'),
      'routes.0.sensitivity': expect.stringContaining('disagrees with resources'),
      'routes.1.name': expect.stringContaining('also the name of routes.0'),
    });
    expect(error.issues.map((issue) => issue.path)).toContain('routes.1');
  });

  it('accepts an http issuer for a loopback development IdP only when asked, with a warning', () => {
    const loaded = parseConfig(
      ['policies: ./policies', 'authentication:', '  providers: [{ id: dev, issuer: "http://127.0.0.1:9400", clientId: tenet, allowInsecureHttp: true }]'].join('\n'),
      configFile(),
    );
    expect(loaded.warnings.some((warning) => warning.includes('http:// issuer'))).toBe(true);
  });
});
