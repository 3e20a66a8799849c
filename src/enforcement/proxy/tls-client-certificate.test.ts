// Device certificates on the proxy's TLS listener, end to end: real TLS with real certificates,
// the real pipeline (createHttpAccess, renderVerdict) with a verifier double that knows one device
// certificate, and a real upstream. Covers: the presented DER reaches the pipeline and names the
// device; no certificate = unknown device, refused on a route that requires one; the listener names
// the device CA as acceptable issuer (openssl s_client); a client-sent certificate header is never
// read and never forwarded; revocation applies to the next request on the same connection; a
// resumed TLS session reports the certificate of the session it resumes.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { Agent, request, type RequestOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDecisionPoint } from '../../api/testing/fake-decision-point.js';
import { proxySchema, routesSchema } from '../../config/enforcement-schema.js';
import { DecisionCache } from '../../sessions/decision-cache.js';
import { testSession } from './testing/scripted-access.js';
import { createHttpAccess, type CachedVerdict } from '../access/authorize-http.js';
import type { DeviceCertificateCheck, DeviceCertificateVerifier, HttpAccess, HttpRequestFacts } from '../access/http-access.js';
import { AssertionSigner } from '../access/identity-assertion.js';
import { renderVerdict } from '../access/render-verdict.js';
import { RouteTable } from '../access/route-table.js';
import { startEchoUpstream, type EchoUpstream, type Received } from './testing/echo-upstream.js';
import { issueClientCertificate, type TestClientCertificate } from './testing/client-certificates.js';
import { createTestCa, issueServerCertificate } from './testing/test-pki.js';
import { startProxy, type RunningProxy } from './start-proxy.js';

/** Knows one device certificate (by DER), which can be revoked. */
class OneDeviceVerifier implements DeviceCertificateVerifier {
  revoked = false;
  constructor(private readonly der: Buffer) {}
  verify(der: Uint8Array): DeviceCertificateCheck {
    if (!this.der.equals(Buffer.from(der))) return { ok: false, problem: 'untrusted-issuer', detail: 'unknown issuer' };
    if (this.revoked) return { ok: false, problem: 'revoked', detail: 'serial 01' };
    return { ok: true, deviceId: 'laptop-1', serial: '01', notAfter: new Date(Date.now() + 86_400_000) };
  }
}

let upstream: EchoUpstream;
let proxy: RunningProxy;
let port: number;
let serverCa: string;
let device: TestClientCertificate;
let stranger: TestClientCertificate;
let verifier: OneDeviceVerifier;
let decisions: FakeDecisionPoint;
const seen: HttpRequestFacts[] = [];

beforeAll(async () => {
  const deviceCa = createTestCa('Tenet Device CA');
  device = issueClientCertificate(deviceCa, 'laptop-1');
  stranger = issueClientCertificate(createTestCa('Somebody Else CA'), 'other');
  const tlsCa = createTestCa('Proxy TLS CA');
  serverCa = tlsCa.certPem;
  const server = issueServerCertificate(tlsCa, { dns: ['wiki.test', 'vault.test'], ip: ['127.0.0.1'] });
  upstream = await startEchoUpstream();
  verifier = new OneDeviceVerifier(device.der);
  decisions = new FakeDecisionPoint();
  const routes = routesSchema.parse([
    { name: 'wiki', host: 'wiki.test', upstream: upstream.url, resource: { type: 'App', id: 'allow-wiki' }, headers: { 'X-Device': 'device' } },
    { name: 'vault', host: 'vault.test', upstream: upstream.url, resource: { type: 'App', id: 'allow-vault' }, clientCertificate: 'required' },
  ]);
  const session = testSession('c'.repeat(64));
  const pipeline = createHttpAccess({
    routes: new RouteTable(routes),
    decisionPoint: decisions,
    sessions: { readCookie: (header) => (header === 'sid=good' ? 'good' : undefined), resume: async (secret, host) => (secret === 'good' ? { ...session, host } : undefined) },
    signer: await AssertionSigner.ephemeral('https://tenet.test'),
    cache: new DecisionCache<CachedVerdict>(100),
    publicUrl: 'https://tenet.test',
    assertionHeader: 'X-Tenet-Assertion',
    deviceCertificates: verifier,
  });
  const access: HttpAccess = {
    authorize: (facts, pep) => {
      seen.push(facts);
      return pipeline.authorize(facts, pep);
    },
  };
  proxy = await startProxy({
    config: proxySchema.parse({ listen: '127.0.0.1:0', publicUrl: 'https://tenet.test', clientCertificateHeader: 'X-Client-Cert' }),
    tls: { cert: Buffer.from(server.certPem), key: Buffer.from(server.keyPem), clientCertificates: { ca: deviceCa.certPem } },
    access,
    renderVerdict,
    reserved: async () => false,
    logger: pino({ level: 'silent' }),
  });
  port = Number(new URL(proxy.url).port);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly socket: TLSSocket;
  /** Whether the TLS handshake resumed an earlier session. */
  readonly reused: boolean;
  readonly session: Buffer | undefined;
}

/** One HTTPS request; resolves with the answer, its socket and the TLS session to resume. */
function get(host: string, options: { cert?: TestClientCertificate; headers?: Record<string, string>; agent?: Agent; session?: Buffer; accept?: string } = {}): Promise<Answer> {
  const tls: RequestOptions = {
    hostname: '127.0.0.1',
    port,
    path: '/page',
    servername: host,
    ca: serverCa,
    headers: { host, cookie: 'sid=good', accept: options.accept ?? 'application/json', ...options.headers },
    ...(options.cert === undefined ? {} : { cert: options.cert.certPem, key: options.cert.keyPem }),
    ...(options.session === undefined ? {} : { session: options.session }),
    agent: options.agent ?? false,
  };
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    let socket: TLSSocket | undefined;
    let reused = false;
    const req = request(tls, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        // A TLS 1.3 server sends its tickets right after the handshake, before any answer.
        const tlsSocket = socket as TLSSocket;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), socket: tlsSocket, reused, session: session ?? tlsSocket.getSession() });
      });
    });
    req.on('socket', (opened) => {
      socket = opened as TLSSocket;
      opened.on('session', (ticket: Buffer) => (session = ticket));
      opened.on('secureConnect', () => (reused = (opened as TLSSocket).isSessionReused()));
    });
    req.on('error', reject);
    req.end();
  });
}

const lastUpstream = (): Received => upstream.received.at(-1) as Received;

describe('device certificates on the proxy listener', () => {
  it('passes the presented certificate (DER, via tls) to the pipeline, which names the device in the decision and upstream', async () => {
    const answer = await get('wiki.test', { cert: device });
    expect(answer.status).toBe(200);
    const facts = seen.at(-1);
    expect(facts?.clientCertificate?.via).toBe('tls');
    expect(Buffer.from(facts?.clientCertificate?.der ?? [])).toEqual(device.der);
    expect(new X509Certificate(Buffer.from(facts?.clientCertificate?.der ?? [])).subject).toContain('laptop-1');
    expect(decisions.calls.at(-1)?.request.deviceId).toBe('laptop-1');
    expect(lastUpstream().headers['x-device']).toEqual(['laptop-1']);
  });

  it('without a certificate: unknown device on an optional route, 403 with the enrollment page or JSON on a route that requires one', async () => {
    const optional = await get('wiki.test');
    expect(optional.status).toBe(200);
    expect(seen.at(-1)?.clientCertificate).toBeUndefined();
    expect(decisions.calls.at(-1)?.request.deviceId).toBeUndefined();
    expect(lastUpstream().headers['x-device']).toBeUndefined();

    const calls = decisions.calls.length;
    const received = upstream.received.length;
    const api = await get('vault.test');
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toEqual({ error: 'device_certificate_required', problem: 'no client certificate' });
    const page = await get('vault.test', { accept: 'text/html' });
    expect(page.status).toBe(403);
    expect(page.body).toContain('tenet agent enroll');
    const foreign = await get('vault.test', { cert: stranger });
    expect(JSON.parse(foreign.body)).toMatchObject({ problem: 'the client certificate was not issued by the device certificate authority' });
    expect(decisions.calls).toHaveLength(calls);
    expect(upstream.received).toHaveLength(received);

    expect((await get('vault.test', { cert: device })).status).toBe(200);
  });

  it('names the device CA as the acceptable issuer in its CertificateRequest', async () => {
    // Asynchronously: the proxy runs in this process, so blocking on openssl would stall the handshake.
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'wiki.test'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', () => resolve(text));
      child.stdin.end();
    });
    const names = /Acceptable client certificate CA names\n([\s\S]*?)\n(?:Requested|Client Certificate Types|---)/.exec(output)?.[1]?.trim().split('\n');
    expect(names?.map((name) => name.replace(/\s*=\s*/g, '='))).toEqual(['CN=Tenet Device CA']);
  });

  it('never reads a client-sent certificate header, and strips it (and the other certificate headers) before forwarding', async () => {
    const forged = { 'X-Client-Cert': encodeURIComponent(device.certPem), 'X-Tenet-Client-Cert': device.der.toString('base64'), 'X-Forwarded-Tls-Client-Cert': device.der.toString('base64'), 'SSL-Client-Cert': 'x' };
    const answer = await get('wiki.test', { headers: forged });
    expect(answer.status).toBe(200);
    expect(seen.at(-1)?.clientCertificate).toBeUndefined();
    const headers = lastUpstream().headers;
    expect(headers['x-device']).toBeUndefined();
    for (const name of ['x-client-cert', 'x-tenet-client-cert', 'x-forwarded-tls-client-cert', 'ssl-client-cert']) expect(headers[name]).toBeUndefined();
    expect((await get('vault.test', { headers: forged })).status).toBe(403);
  });

  it('verifies the certificate on every request: a revocation applies to the next request on the same connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get('vault.test', { cert: device, agent });
      expect(first.status).toBe(200);
      verifier.revoked = true;
      const second = await get('vault.test', { cert: device, agent });
      expect(second.socket).toBe(first.socket);
      expect(second.status).toBe(403);
      expect(JSON.parse(second.body)).toMatchObject({ problem: 'the client certificate has been revoked' });
    } finally {
      verifier.revoked = false;
      agent.destroy();
    }
  });

  it.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: a resumed session reports the certificate of the handshake it resumes, never none and never another', async (version) => {
    const full = await getVersion(version, { cert: device });
    expect(full.reused).toBe(false);
    expect(full.session).toBeDefined();
    // Resumed without offering any certificate: the session's certificate still names the device.
    const resumed = await getVersion(version, { session: full.session as Buffer });
    expect(resumed.reused).toBe(true);
    expect(Buffer.from(seen.at(-1)?.clientCertificate?.der ?? [])).toEqual(device.der);
    expect(decisions.calls.at(-1)?.request.deviceId).toBe('laptop-1');
    // A session made without a certificate resumes without one: no device appears from nowhere.
    const bare = await getVersion(version, {});
    const resumedBare = await getVersion(version, { session: bare.session as Buffer, cert: stranger });
    expect(resumedBare.reused).toBe(true);
    expect(seen.at(-1)?.clientCertificate).toBeUndefined();
    expect(resumedBare.status).toBe(200);
    expect((await getVersion(version, { session: bare.session as Buffer }, 'vault.test')).status).toBe(403);
  });
});

function getVersion(version: 'TLSv1.2' | 'TLSv1.3', options: { cert?: TestClientCertificate; session?: Buffer }, host = 'wiki.test'): Promise<Answer> {
  const agent = new Agent({ maxVersion: version, minVersion: version, maxCachedSessions: 0 });
  return get(host, { ...options, agent }).finally(() => agent.destroy());
}
