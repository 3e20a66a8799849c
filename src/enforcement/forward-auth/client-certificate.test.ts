// The client certificate a trusted proxy passes to forward-auth (proxy.clientCertificateHeader),
// over real HTTP on loopback in each proxy's form: nginx $ssl_client_escaped_cert, Caddy base64
// DER, Traefik PassTLSClientCert (X-Forwarded-Tls-Client-Cert). Unreadable values leave the device
// unknown; a route that requires a device is answered 403 in both dialects.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpRequestFacts } from '../access/http-access.js';
import { renderVerdict } from '../access/render-verdict.js';
import { issueClientCertificate, type TestClientCertificate } from '../proxy/testing/client-certificates.js';
import { createTestCa } from '../proxy/testing/test-pki.js';
import { forwardAuthHandler } from './handler.js';
import { send } from './testing/http-client.js';
import { scriptedAccess } from './testing/scripted-access.js';

const scripted = scriptedAccess();
const servers: Server[] = [];
let nginxPort: number;
let traefikPort: number;
let leaf: TestClientCertificate;
let caPem: string;

async function serve(options: { clientCertificateHeader?: string }): Promise<number> {
  // A larger head than node's default, so the oversize value reaches the handler.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, forwardAuthHandler({ access: scripted.access, trustedProxies: ['127.0.0.1/32'], renderVerdict, logger: pino({ level: 'silent' }), ...options }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const ca = createTestCa('Device CA');
  caPem = ca.certPem;
  leaf = issueClientCertificate(ca, 'laptop-1');
  nginxPort = await serve({});
  traefikPort = await serve({ clientCertificateHeader: 'X-Forwarded-Tls-Client-Cert' });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  scripted.calls.length = 0;
});

const nginx = (extra: Record<string, string | string[]>) => ({
  Host: 'device.example.com',
  'X-Original-URI': '/',
  'X-Original-Method': 'GET',
  'X-Forwarded-Proto': 'https',
  'X-Real-IP': '203.0.113.9',
  Cookie: 'session=good',
  Accept: 'application/json',
  ...extra,
});

const redirect = (extra: Record<string, string | string[]>) => ({
  'X-Forwarded-Method': 'GET',
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Host': 'device.example.com',
  'X-Forwarded-Uri': '/',
  'X-Forwarded-For': '198.51.100.7',
  Cookie: 'session=good',
  Accept: 'text/html',
  ...extra,
});

function presented(): HttpRequestFacts['clientCertificate'] {
  expect(scripted.calls).toHaveLength(1);
  return scripted.calls[0]?.facts.clientCertificate;
}

describe('forward-auth: the client certificate from the trusted proxy', () => {
  it('reads nginx $ssl_client_escaped_cert (URL-escaped PEM) from X-Tenet-Client-Cert', async () => {
    const res = await send(nginxPort, { path: '/.tenet/forward-auth?mode=nginx', headers: nginx({ 'X-Tenet-Client-Cert': encodeURIComponent(leaf.certPem) }) });
    expect(res.status).toBe(200);
    const certificate = presented();
    expect(certificate?.via).toBe('forwarded');
    expect(Buffer.from(certificate?.der ?? [])).toEqual(leaf.der);
  });

  it('reads Caddy\'s base64 DER from X-Tenet-Client-Cert', async () => {
    const res = await send(nginxPort, { path: '/.tenet/forward-auth?mode=redirect', headers: redirect({ 'X-Tenet-Client-Cert': leaf.der.toString('base64') }) });
    expect(res.status).toBe(200);
    expect(Buffer.from(presented()?.der ?? [])).toEqual(leaf.der);
  });

  it('reads Traefik\'s X-Forwarded-Tls-Client-Cert (escaped base64, chain) when that is the configured header, and only then', async () => {
    const chain = [leaf.certPem, caPem].map((pem) => encodeURIComponent(pem.replace(/-----[A-Z ]+-----|\s/g, ''))).join('%2C');
    const res = await send(traefikPort, { path: '/.tenet/forward-auth?mode=redirect', headers: redirect({ 'X-Forwarded-Tls-Client-Cert': chain }) });
    expect(res.status).toBe(200);
    expect(Buffer.from(presented()?.der ?? [])).toEqual(leaf.der);

    scripted.calls.length = 0;
    await send(traefikPort, { path: '/.tenet/forward-auth?mode=redirect', headers: redirect({ 'X-Tenet-Client-Cert': leaf.der.toString('base64') }) });
    expect(presented()).toBeUndefined();
    scripted.calls.length = 0;
    await send(nginxPort, { path: '/.tenet/forward-auth?mode=redirect', headers: redirect({ 'X-Forwarded-Tls-Client-Cert': chain }) });
    expect(presented()).toBeUndefined();
  });

  it('answers a route that requires a device 403 in both dialects when there is no usable certificate (empty, repeated, oversize, malformed)', async () => {
    for (const value of ['', 'garbage!', 'A'.repeat(17 * 1024)]) {
      scripted.calls.length = 0;
      const res = await send(nginxPort, { path: '/.tenet/forward-auth?mode=nginx', headers: nginx({ 'X-Tenet-Client-Cert': value }) });
      expect(res.status).toBe(403);
      expect(presented()).toBeUndefined();
    }
    scripted.calls.length = 0;
    const repeated = await send(nginxPort, { path: '/.tenet/forward-auth?mode=redirect', headers: redirect({ 'X-Tenet-Client-Cert': [leaf.der.toString('base64'), leaf.der.toString('base64')] }) });
    expect(repeated.status).toBe(403);
    expect(repeated.headers['content-type']).toMatch(/^text\/html/);
    expect(repeated.body).toContain('tenet agent enroll');
    expect(presented()).toBeUndefined();
  });

  it('never reads the header from a caller outside trustedProxies', async () => {
    const server = createServer(forwardAuthHandler({ access: scripted.access, trustedProxies: ['10.0.0.0/8'], renderVerdict, logger: pino({ level: 'silent' }) }));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const res = await send((server.address() as AddressInfo).port, { path: '/.tenet/forward-auth?mode=nginx', headers: nginx({ 'X-Tenet-Client-Cert': leaf.der.toString('base64') }) });
    expect(res.status).toBe(403);
    expect(scripted.calls).toHaveLength(0);
  });
});
