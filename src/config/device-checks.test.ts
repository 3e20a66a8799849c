// The device config checks: PKI modes and their files, routes that require a device certificate,
// renewal shorter than the lifetime, and the warnings.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTenetError, type TenetError } from '../errors.js';
import { parseConfig, type LoadedConfig } from './load.js';

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-device-config-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'ca.pem'), 'not checked here');
  writeFileSync(join(dir, 'ca-key.pem'), 'not checked here');
  return join(dir, 'tenet.yaml');
}

function load(lines: readonly string[]): LoadedConfig {
  return parseConfig(['policies: ./policies', ...lines].join('\n'), configFile());
}

function problems(lines: readonly string[]): Record<string, string> {
  try {
    load(lines);
  } catch (error) {
    if (isTenetError(error)) return Object.fromEntries((error as TenetError).issues.map((issue) => [issue.path.replace(/ \(line \d+\)$/, ''), issue.message]));
    throw error;
  }
  throw new Error('expected a TenetError');
}

const PROXY = 'proxy: { listen: 127.0.0.1:8443, publicUrl: https://login.example.com, tls: self-signed }';
const ROUTE = (mode: string) => `routes: [{ name: pay, host: pay.example.com, upstream: http://127.0.0.1:3000, resource: { type: App, id: pay }, clientCertificate: ${mode} }]`;

describe('device config', () => {
  it('accepts the built-in CA with defaults', () => {
    const loaded = load([PROXY, 'devices: { pki: { mode: builtin } }', ROUTE('required')]);
    expect(loaded.config.devices.pki).toMatchObject({ mode: 'builtin', certificateLifetime: '7d', renewBefore: '2d', deviceIdUriPrefix: 'urn:tenet:device:' });
    expect(loaded.config.routes[0]?.clientCertificate).toBe('required');
  });

  it('refuses a route that requires a device certificate when no device CA is configured', () => {
    expect(problems([PROXY, ROUTE('required')])['routes.0.clientCertificate']).toMatch(/devices\.pki is not configured/);
    expect(() => load([PROXY, ROUTE('optional')])).not.toThrow();
  });

  it('names the files each mode needs and refuses the ones it must not have', () => {
    expect(problems(['devices: { pki: { mode: external } }'])).toMatchObject({ 'devices.pki.caCertificate': expect.stringMatching(/needs the CA certificate/), 'devices.pki.caKey': expect.stringMatching(/needs the CA private key/) });
    expect(problems(['devices: { pki: { mode: external, caCertificate: ./missing.pem, caKey: ./ca-key.pem } }'])['devices.pki.caCertificate']).toMatch(/missing\.pem/);
    expect(problems(['devices: { pki: { mode: verify-only, caCertificate: ./ca.pem, caKey: ./ca-key.pem } }'])['devices.pki.caKey']).toMatch(/never signs/);
    expect(problems(['devices: { pki: { mode: builtin, caKey: ./ca-key.pem } }'])['devices.pki']).toMatch(/generates its own CA/);
    expect(() => load([PROXY, 'devices: { pki: { mode: external, caCertificate: ./ca.pem, caKey: ./ca-key.pem } }'])).not.toThrow();
  });

  it('refuses renewal that is not shorter than the lifetime', () => {
    expect(problems(['devices: { pki: { certificateLifetime: 1d, renewBefore: 2d } }'])['devices.pki.renewBefore']).toMatch(/not shorter than certificateLifetime/);
  });

  it('warns about a device CA without a proxy and a report age shorter than the report interval', () => {
    const loaded = load(['devices: { pki: { mode: builtin }, posture: { rules: { maxReportAge: 1m } } }']);
    expect(loaded.warnings.join('\n')).toMatch(/without a proxy/);
    expect(loaded.warnings.join('\n')).toMatch(/maxReportAge is 1m/);
  });

  it('reads one OS in minOsVersion without asking for the others', () => {
    const loaded = load(['devices: { posture: { rules: { minOsVersion: { linux: "6.1" } } } }']);
    expect(loaded.config.devices.posture.rules.minOsVersion).toEqual({ linux: '6.1' });
  });
});
