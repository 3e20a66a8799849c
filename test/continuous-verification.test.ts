// Continuous verification through the real proxy: WebSockets over real TLS (with a device
// certificate where the test needs a device), the real pipeline (createHttpAccess, DecisionCache),
// real Sessions on the in-memory test store, the SignalChanges bus and the ContinuousVerifier
// wired as src/enforcement-points.ts wires them. A live WebSocket is cut when its session is
// revoked, when its device changes and the re-check denies, and when the periodic re-evaluation
// denies; connections the change does not concern stay open.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';
import { FakeDecisionPoint, fakeDecision } from '../src/api/testing/fake-decision-point.js';
import { memoryStore } from '../src/api/testing/memory-store.js';
import { proxySchema, routesSchema } from '../src/config/enforcement-schema.js';
import { ContinuousVerifier, type Schedule } from '../src/continuous/continuous-verifier.js';
import { SignalChanges } from '../src/continuous/signal-change.js';
import type { Decision } from '../src/engine/decision.js';
import type { AccessRequest } from '../src/engine/tuple.js';
import { createHttpAccess, type CachedVerdict } from '../src/enforcement/access/authorize-http.js';
import type { DeviceCertificateCheck, DeviceCertificateVerifier } from '../src/enforcement/access/http-access.js';
import { AssertionSigner } from '../src/enforcement/access/identity-assertion.js';
import { renderVerdict } from '../src/enforcement/access/render-verdict.js';
import { RouteTable } from '../src/enforcement/access/route-table.js';
import { LiveConnections } from '../src/enforcement/proxy/live-connections.js';
import { startProxy, type RunningProxy } from '../src/enforcement/proxy/start-proxy.js';
import { issueClientCertificate, type TestClientCertificate } from '../src/enforcement/proxy/testing/client-certificates.js';
import { createTestCa, issueServerCertificate } from '../src/enforcement/proxy/testing/test-pki.js';
import type { DecisionMeta } from '../src/pdp/decision-point.js';
import { DecisionCache } from '../src/sessions/decision-cache.js';
import { Sessions } from '../src/sessions/sessions.js';

/** Allows `allow-*` resources, except for devices or subjects the test has turned bad. */
class ChangingDecisionPoint extends FakeDecisionPoint {
  readonly badDevices = new Set<string>();
  readonly badSubjects = new Set<string>();
  override async decide(request: AccessRequest, meta: DecisionMeta): Promise<Decision> {
    const decision = await super.decide(request, meta);
    if ((request.deviceId !== undefined && this.badDevices.has(request.deviceId)) || this.badSubjects.has(request.subject.id)) return fakeDecision('deny', this.version);
    return decision;
  }
}

class OneDeviceVerifier implements DeviceCertificateVerifier {
  constructor(private readonly der: Buffer) {}
  verify(der: Uint8Array): DeviceCertificateCheck {
    if (!this.der.equals(Buffer.from(der))) return { ok: false, problem: 'untrusted-issuer', detail: 'unknown issuer' };
    return { ok: true, deviceId: 'laptop-1', serial: '01', notAfter: new Date(Date.now() + 86_400_000) };
  }
}

let upstream: Server;
let wss: WebSocketServer;
let proxy: RunningProxy;
let port: number;
let serverCa: string;
let device: TestClientCertificate;
let sessions: Sessions;
let decisions: ChangingDecisionPoint;
let bus: SignalChanges;
let connections: LiveConnections;
const timers: { ms: number; run: () => void }[] = [];
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end('plain'));
  wss = new WebSocketServer({ noServer: true });
  upstream.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(data))));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

  const deviceCa = createTestCa('Tenet Device CA');
  device = issueClientCertificate(deviceCa, 'laptop-1');
  const tlsCa = createTestCa('Proxy TLS CA');
  serverCa = tlsCa.certPem;
  const server = issueServerCertificate(tlsCa, { dns: ['wiki.test'], ip: ['127.0.0.1'] });

  sessions = new Sessions(memoryStore().sessions, { cookieName: '__Host-tenet_session', idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 7200 });
  decisions = new ChangingDecisionPoint();
  const cache = new DecisionCache<CachedVerdict>(100);
  const access = createHttpAccess({
    routes: new RouteTable(routesSchema.parse([{ name: 'wiki', host: 'wiki.test', upstream: upstreamUrl, resource: { type: 'App', id: 'allow-wiki' } }])),
    decisionPoint: decisions,
    sessions,
    signer: await AssertionSigner.ephemeral('https://tenet.test'),
    cache,
    publicUrl: 'https://tenet.test',
    assertionHeader: 'X-Tenet-Assertion',
    deviceCertificates: new OneDeviceVerifier(device.der),
  });
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  // As src/enforcement-points.ts wires it, with a scheduler the test fires by hand.
  connections = new LiveConnections();
  const schedule: Schedule = (ms, run) => {
    timers.push({ ms, run });
    return () => undefined;
  };
  const verifier = new ContinuousVerifier({ cache, connections, forgetSessions: (ids) => sessions.forget(ids), logger, schedule });
  bus = new SignalChanges((error) => {
    throw error;
  });
  bus.subscribe(async (change) => {
    await verifier.handle(change);
  });
  // As the lead wires the publisher: sessions revoked through the Sessions service.
  sessions.onRevoked((ids) => void bus.publish({ kind: 'sessions', sessionIds: ids, reason: 'revoked' }));

  proxy = await startProxy({
    config: proxySchema.parse({ listen: '127.0.0.1:0', publicUrl: 'https://tenet.test' }),
    tls: { cert: Buffer.from(server.certPem), key: Buffer.from(server.keyPem), clientCertificates: { ca: deviceCa.certPem } },
    access,
    renderVerdict,
    reserved: async () => false,
    logger: pino({ level: 'silent' }),
    connections,
    recheck: (facts) => access.recheck(facts, 'proxy'),
  });
  port = Number(new URL(proxy.url).port);
});

afterAll(async () => {
  await proxy.stop();
  wss.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function login(user: string): Promise<{ cookie: string; sessionId: string }> {
  const { secret, record } = await sessions.start({
    identity: { providerId: 'dev', idpSubject: user, subject: { type: 'User', id: user }, parents: [], attributes: {}, groups: [] },
    authn: { methods: ['pwd'], phishingResistant: false, authenticatedAt: new Date().toISOString() },
    host: 'wiki.test',
  });
  return { cookie: `__Host-tenet_session=${secret}`, sessionId: record.id };
}

/** A WebSocket through the proxy, open and echoing. */
async function open(cookie: string, withDevice = false): Promise<{ ws: WebSocket; closed: Promise<void> }> {
  // `servername` reaches tls.connect through ws's options, though its types do not list it.
  const options: ClientOptions & { servername: string } = {
    ca: serverCa,
    servername: 'wiki.test',
    headers: { host: 'wiki.test', cookie },
    ...(withDevice ? { cert: device.certPem, key: device.keyPem } : {}),
  };
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, options);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  ws.send('ping');
  await new Promise<void>((resolve) => ws.once('message', () => resolve()));
  return { ws, closed };
}

const closedLines = () => logLines.filter((line) => line['msg'] === 'live connection closed: access no longer holds');

describe('live connections under continuous verification', () => {
  it('cuts a WebSocket when its session is revoked, and only that one', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    const aliceWs = await open(alice.cookie);
    const bobWs = await open(bob.cookie);
    expect(connections.countForSession(alice.sessionId)).toBe(1);
    expect(await sessions.revoke(alice.sessionId)).toBe(true);
    await aliceWs.closed;
    expect(connections.countForSession(alice.sessionId)).toBe(0);
    expect(bobWs.ws.readyState).toBe(WebSocket.OPEN);
    expect(closedLines().at(-1)).toMatchObject({ sessionId: alice.sessionId, route: 'wiki' });
    // A new upgrade with the revoked cookie is refused.
    await expect(open(alice.cookie)).rejects.toThrow(/401/);
    bobWs.ws.close();
  });

  it('re-checks the WebSockets a device opened when it changes, and cuts them when the re-check denies', async () => {
    const carol = await login('carol');
    const onDevice = await open(carol.cookie, true);
    const without = await open(carol.cookie, false);
    const [admitted] = connections.withTag('device:laptop-1');
    expect(admitted).toMatchObject({ deviceId: 'laptop-1', subject: { type: 'User', id: 'carol' }, clientIp: '127.0.0.1', route: 'wiki' });

    // A change that still allows keeps it open.
    await bus.publish({ kind: 'device', deviceId: 'laptop-1', reason: 'posture report' });
    expect(onDevice.ws.readyState).toBe(WebSocket.OPEN);

    decisions.badDevices.add('laptop-1');
    const callsBefore = decisions.calls.length;
    await bus.publish({ kind: 'device', deviceId: 'laptop-1', reason: 'posture dropped' });
    // publish resolved: the re-check was made (a fresh decision, not the cached allow) and the socket cut.
    expect(decisions.calls.length).toBe(callsBefore + 1);
    await onDevice.closed;
    expect(without.ws.readyState).toBe(WebSocket.OPEN);
    expect(closedLines().at(-1)).toMatchObject({ deviceId: 'laptop-1', signal: 'posture dropped', reason: 'deny: Blocked by policy.' });
    expect(typeof closedLines().at(-1)?.['decisionId']).toBe('string');
    without.ws.close();
    decisions.badDevices.clear();
  });

  it('re-checks a WebSocket every reevaluateAfterSeconds and cuts it when the re-evaluation denies', async () => {
    const dave = await login('dave');
    const before = timers.length;
    const live = await open(dave.cookie);
    // The admitting decision asked for re-evaluation after 300 s (FakeDecisionPoint's allow).
    expect(timers.length).toBe(before + 1);
    expect(timers.at(-1)?.ms).toBe(300_000);
    timers.at(-1)?.run();
    // Still allowed: re-armed once the re-check resolved, and still open.
    await vi.waitFor(() => expect(timers.length).toBe(before + 2));
    await new Promise<void>((resolve) => {
      live.ws.send('still there?');
      live.ws.once('message', () => resolve());
    });

    decisions.badSubjects.add('dave');
    timers.at(-1)?.run();
    await live.closed;
    expect(closedLines().at(-1)).toMatchObject({ signal: 'periodic re-evaluation after 300 s', route: 'wiki' });
  });
});
