// TLS on both sides of the proxy: clients reach it over TLS with a generated self-signed
// certificate (the quickstart's), and it reaches an https upstream whose certificate a private CA
// signed (route.upstreamCa) — and refuses that upstream when the CA is not supplied.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import { generateSelfSignedCertificate } from './self-signed-certificate.js';
import { startEchoUpstream, type EchoUpstream, type Received } from './testing/echo-upstream.js';
import { send } from './testing/http-exchange.js';
import { startTestProxy, type TestProxy } from './testing/proxy-harness.js';
import { allow, testRoute } from './testing/scripted-access.js';
import { createTestCa, issueServerCertificate } from './testing/test-pki.js';

const dir = mkdtempSync(join(tmpdir(), 'tenet-proxy-tls-'));
let upstream: EchoUpstream;
let caPem: string;
let proxyCert: Buffer;
let proxy: TestProxy;

function script(facts: HttpRequestFacts): Verdict {
  const name = facts.path.startsWith('/no-ca') ? 'no-ca' : 'with-ca';
  return allow(testRoute({ name, upstream: `${upstream.url}/tls`, upstreamCa: name === 'with-ca' ? 'ca.pem' : undefined }));
}

beforeAll(async () => {
  const ca = createTestCa();
  caPem = ca.certPem;
  const server = issueServerCertificate(ca, { dns: ['upstream.test'], ip: ['127.0.0.1'] });
  upstream = await startEchoUpstream({ tls: { cert: server.certPem, key: server.keyPem } });
  const { certPath, keyPath } = await generateSelfSignedCertificate(['proxy.localhost'], dir);
  proxyCert = readFileSync(certPath);
  proxy = await startTestProxy({
    script,
    tls: { cert: proxyCert, key: readFileSync(keyPath) },
    upstreamCa: (route) => (route.upstreamCa === undefined ? undefined : Buffer.from(caPem)),
  });
});

afterAll(async () => {
  await proxy.proxy.stop();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('terminates TLS with the self-signed certificate and forwards over TLS to an upstream signed by the route\'s CA', async () => {
    expect(proxy.proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await send(proxy.proxy.url, { path: '/hello', ca: proxyCert, servername: 'proxy.localhost', headers: { host: 'proxy.localhost' } });
    expect(answer.status).toBe(200);
    const got = JSON.parse(answer.body) as Received;
    expect(got.url).toBe('/tls/hello');
    expect(got.headers['x-forwarded-proto']).toEqual(['https']);
    expect(proxy.access.calls.at(-1)).toMatchObject({ scheme: 'https', host: 'proxy.localhost' });
  });

  it('refuses TLS 1.1 clients', async () => {
    await expect(send(proxy.proxy.url, { path: '/hello', ca: proxyCert, servername: 'proxy.localhost', tls: { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' } })).rejects.toThrow();
  });

  it('answers 502 when the upstream certificate is not signed by a trusted CA', async () => {
    const answer = await send(proxy.proxy.url, { path: '/no-ca', ca: proxyCert, servername: 'proxy.localhost' });
    expect(answer.status).toBe(502);
    expect(answer.body).not.toMatch(/certificate|self.signed|UNABLE/i);
    expect(proxy.logLines.find((line) => line.msg === 'upstream failed')).toMatchObject({ route: 'no-ca', failure: 'upstream-unavailable' });
  });
});
