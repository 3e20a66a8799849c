// mTLS caller authentication over a real TLS listener: certificates are minted with the openssl
// CLI into a temporary directory (a trusted CA, an allowed client, an unlisted client, and a
// client from a foreign CA), then the API is called with each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIdentities, verifyClientCertificate } from './auth-mtls.js';
import { buildTestApp, type TestApp } from './testing/test-app.js';

const dir = mkdtempSync(join(tmpdir(), 'tenet-mtls-'));
const file = (name: string): string => join(dir, name);
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'pipe' });
};

function issue(name: string, subject: string, san: string, caName: string): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
  writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`);
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${caName}.crt`), '-CAkey', file(`${caName}.key`), '-CAcreateserial', '-days', '1', '-out', file(`${name}.crt`), '-extfile', file(`${name}.ext`));
}

function ca(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '1', '-subj', `/CN=${name}`);
}

let t: TestApp;
let port: number;

beforeAll(async () => {
  ca('tenet-ca');
  ca('foreign-ca');
  issue('server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1', 'tenet-ca');
  issue('pep', '/CN=pep-1', 'URI:spiffe://tenet/pep-1', 'tenet-ca');
  issue('stranger', '/CN=stranger', 'DNS:stranger.example', 'tenet-ca');
  issue('forged', '/CN=pep-1', 'URI:spiffe://tenet/pep-1', 'foreign-ca');
  t = await buildTestApp({
    auth: { mode: 'mtls', clients: [{ subject: 'spiffe://tenet/pep-1', scopes: ['pdp'] }] },
    tls: { key: readFileSync(file('server.key')), cert: readFileSync(file('server.crt')), ca: readFileSync(file('tenet-ca.crt')) },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await t.app.close();
  rmSync(dir, { recursive: true, force: true });
});

function evaluate(client: string | undefined): Promise<{ status: number; body: { decision?: boolean; error?: { code: string } } }> {
  const payload = JSON.stringify({ subject: { type: 'User', id: 'a' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' } });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        method: 'POST',
        path: '/access/v1/evaluation',
        headers: { 'content-type': 'application/json' },
        ca: readFileSync(file('tenet-ca.crt')),
        ...(client === undefined ? {} : { key: readFileSync(file(`${client}.key`)), cert: readFileSync(file(`${client}.crt`)) }),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { decision?: boolean; error?: { code: string } } }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('mTLS authentication', () => {
  it('admits a verified certificate whose SAN is on the allow-list, naming it as the caller', async () => {
    const response = await evaluate('pep');
    expect(response.status).toBe(200);
    expect(response.body.decision).toBe(true);
    expect(t.decisionPoint.calls.at(-1)?.meta.caller).toBe('spiffe://tenet/pep-1');
  });

  it('refuses no certificate, an unlisted certificate, and one from a foreign CA naming an allowed client', async () => {
    expect(await evaluate(undefined)).toMatchObject({ status: 401, body: { error: { code: 'TENET_ERR_AUTH_MISSING_CREDENTIALS' } } });
    expect(await evaluate('stranger')).toMatchObject({ status: 401, body: { error: { code: 'TENET_ERR_AUTH_UNKNOWN_CLIENT' } } });
    expect(await evaluate('forged')).toMatchObject({ status: 401, body: { error: { code: 'TENET_ERR_AUTH_INVALID_CERTIFICATE' } } });
  });
});

describe('certificate identities', () => {
  it('reads CN (single or repeated) and SAN values, including quoted ones', () => {
    expect(certificateIdentities({ subject: { CN: ['a', 'b'] }, subjectaltname: 'DNS:x.example, URI:spiffe://t/p, IP Address:10.0.0.1, DNS:"odd, name"' })).toEqual([
      'a',
      'b',
      'x.example',
      'spiffe://t/p',
      '10.0.0.1',
      'odd, name',
    ]);
    expect(certificateIdentities({})).toEqual([]);
  });

  it('refuses a plain TCP socket', () => {
    expect(() => verifyClientCertificate({}, [])).toThrow(/not TLS/);
  });
});
