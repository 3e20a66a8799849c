// WebSockets through the proxy with the `ws` library on both ends: an allowed upgrade is spliced
// to a real upstream WebSocket server (echo, header hygiene), a refused one gets the rendered
// answer and never reaches the upstream, and revoking the session cuts the live connection.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import { headerLists } from './testing/echo-upstream.js';
import { bodyOf, rawExchange, statusOf } from './testing/http-exchange.js';
import { startTestProxy, type TestProxy } from './testing/proxy-harness.js';
import { allow, deny, testRoute, testSession } from './testing/scripted-access.js';

let upstream: Server;
let upstreamUrl: string;
let wss: WebSocketServer;
let upgradesSeen: Record<string, string[]>[] = [];
let upstreamSockets: WebSocket[] = [];
let proxy: TestProxy;
let downPort: number;

function script(facts: HttpRequestFacts): Verdict {
  const route = testRoute({ upstream: upstreamUrl });
  if (facts.path.startsWith('/deny')) return deny(route);
  if (facts.path.startsWith('/no-ws')) return allow(testRoute({ name: 'no-ws', upstream: upstreamUrl, websockets: false }));
  if (facts.path.startsWith('/ws-down')) return allow(testRoute({ name: 'down', upstream: `http://127.0.0.1:${downPort}` }));
  const session = facts.path.startsWith('/bob') ? testSession('session-bob') : testSession('session-alice');
  return allow(route, { headers: { 'X-Tenet-Assertion': 'signed' }, session });
}

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end('plain'));
  wss = new WebSocketServer({ noServer: true });
  upstream.on('upgrade', (req: IncomingMessage, socket, head) => {
    upgradesSeen.push(headerLists(req.rawHeaders));
    if (req.url === '/upstream-refuses') {
      socket.end('HTTP/1.1 409 Conflict\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      upstreamSockets.push(ws);
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startTestProxy({ script });
  const closedServer = createServer();
  await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
  downPort = (closedServer.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closedServer.close(() => resolve()));
});

afterAll(async () => {
  await proxy.proxy.stop();
  wss.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function refusal(path: string): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

const nextMessage = (ws: WebSocket): Promise<string> => new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
const closed = (ws: WebSocket): Promise<void> => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));

describe('WebSocket upgrades', () => {
  it('splices an allowed upgrade to the upstream with the same header hygiene', async () => {
    upgradesSeen = [];
    const ws = await open('/chat', { 'X-Tenet-Assertion': 'forged', 'X-Forwarded-User': 'admin', cookie: '__Host-tenet_session=SECRET; app=1' });
    ws.send('hello');
    expect(await nextMessage(ws)).toBe('hello');
    ws.send(Buffer.from([1, 2, 3]));
    expect([...Buffer.from(await nextMessage(ws), 'latin1')]).toEqual([1, 2, 3]);
    const seen = upgradesSeen[0] ?? {};
    expect(seen['x-tenet-assertion']).toEqual(['signed']);
    expect(seen['x-forwarded-user']).toBeUndefined();
    expect(seen.cookie).toEqual(['app=1']);
    expect(seen.upgrade).toEqual(['websocket']);
    expect(seen['sec-websocket-key']).toHaveLength(1);
    expect(seen['x-forwarded-for']).toEqual(['127.0.0.1']);
    expect(proxy.proxy.connections.countForSession('session-alice')).toBe(1);
    ws.close();
    await closed(ws);
  });

  it('answers a refused upgrade with the rendered verdict and never opens the upstream', async () => {
    upgradesSeen = [];
    const answer = await refusal('/deny');
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'deny' });
    expect(upgradesSeen).toHaveLength(0);
  });

  it('refuses an upgrade on a route without websockets, and on reserved paths', async () => {
    upgradesSeen = [];
    expect((await refusal('/no-ws')).status).toBe(403);
    expect((await refusal('/.tenet/login')).status).toBe(404);
    expect(upgradesSeen).toHaveLength(0);
  });

  it("relays an upstream's refusal of the upgrade, and answers 502 when the upstream is down", async () => {
    expect(await refusal('/upstream-refuses')).toEqual({ status: 409, body: 'nope' });
    const down = await refusal('/ws-down');
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body)).toMatchObject({ error: { code: 'TENET_ERR_PROXY_UPSTREAM_UNAVAILABLE' } });
    expect(proxy.proxy.connections.size).toBe(0);
  });

  it('refuses upgrades to anything but WebSocket', async () => {
    const raw = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    expect(statusOf(raw)).toBe(400);
    expect(JSON.parse(bodyOf(raw))).toMatchObject({ error: { code: 'TENET_ERR_REQUEST_UNSUPPORTED_UPGRADE' } });
  });

  it('cuts every live connection of a session on closeSession, and only those', async () => {
    upstreamSockets = [];
    const alice1 = await open('/alice-1');
    const alice2 = await open('/alice-2');
    const bob = await open('/bob');
    expect(proxy.proxy.connections.countForSession('session-alice')).toBe(2);
    const upstreamClosed = upstreamSockets.slice(0, 2).map(closed);
    expect(proxy.proxy.connections.closeSession('session-alice')).toBe(2);
    await Promise.all([closed(alice1), closed(alice2), ...upstreamClosed]);
    expect(proxy.proxy.connections.countForSession('session-alice')).toBe(0);
    bob.send('still here');
    expect(await nextMessage(bob)).toBe('still here');
    expect(proxy.proxy.connections.closeAll()).toBe(1);
    await closed(bob);
    expect(proxy.proxy.connections.size).toBe(0);
  });

  it('logs the upgrade with its decision', async () => {
    const ws = await open('/logged-ws?ticket=SECRET');
    ws.close();
    await closed(ws);
    expect(proxy.logLines.find((line) => line.path === '/logged-ws')).toMatchObject({ status: 101, outcome: 'allow', websocket: true, route: 'app' });
    expect(proxy.logText()).not.toContain('SECRET');
  });
});
