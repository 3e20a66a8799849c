// The proxy's data path over real HTTP on loopback: a real upstream that echoes what it received,
// scripted verdicts in place of the decision pipeline. Covers header hygiene (forged identity,
// Tenet cookies, X-Forwarded-*, hop-by-hop, framing), streaming both ways, limits, upstream
// failures, keep-alive reuse, reserved paths and hostile request targets.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import { startEchoUpstream, type EchoUpstream, type Received } from './testing/echo-upstream.js';
import { bodyOf, rawExchange, send, statusOf } from './testing/http-exchange.js';
import { startTestProxy, type TestProxy } from './testing/proxy-harness.js';
import { allow, deny, testRoute, testSession } from './testing/scripted-access.js';

let upstream: EchoUpstream;
let slowUpstream: EchoUpstream;
let downPort: number;
let proxy: TestProxy;
let untrusting: TestProxy;
/** The verdict the script last returned, to compare decision ids. */
let lastVerdict: Verdict | undefined;

const IDENTITY = { 'X-Tenet-Assertion': 'signed.jwt.value', 'X-Email': 'alice@example.com' };

function script(facts: HttpRequestFacts): Verdict {
  const route = testRoute({ upstream: `${upstream.url}/base`, headers: { 'X-Email': 'email' } });
  const path = facts.path;
  if (path.startsWith('/deny')) lastVerdict = deny(route);
  else if (path.startsWith('/slow')) lastVerdict = allow(testRoute({ name: 'slow', upstream: slowUpstream.url, timeout: '1s' }));
  else if (path.startsWith('/down')) lastVerdict = allow(testRoute({ name: 'down', upstream: `http://127.0.0.1:${downPort}` }));
  else if (path.startsWith('/preserve')) lastVerdict = allow(testRoute({ name: 'preserve', upstream: upstream.url, preserveHost: true }));
  else lastVerdict = allow(route, { headers: IDENTITY, session: testSession('session-1') });
  return lastVerdict;
}

const otherRoutes = [testRoute({ name: 'other', host: 'other.test', headers: { 'X-Other-User': 'subject' } })];

beforeAll(async () => {
  upstream = await startEchoUpstream();
  slowUpstream = await startEchoUpstream();
  slowUpstream.handle = () => undefined; // never answers
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  downPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  proxy = await startTestProxy({ script, routes: () => otherRoutes, config: { limits: { bodyBytes: 4096, headerBytes: 4096 } } });
  untrusting = await startTestProxy({ script, config: { trustedProxies: ['10.0.0.0/8'] } });
});

afterAll(async () => {
  await proxy.proxy.stop();
  await untrusting.proxy.stop();
  await upstream.close();
  await slowUpstream.close();
});

const echoed = (body: string): Received => JSON.parse(body) as Received;

describe('forwarding', () => {
  it('sends the request to the upstream base path with the upstream Host and X-Forwarded-* from the connection', async () => {
    const answer = await send(proxy.proxy.url, { path: '/hello?x=1', headers: { host: 'App.Test' } });
    expect(answer.status).toBe(200);
    const got = echoed(answer.body);
    expect(got.url).toBe('/base/hello?x=1');
    expect(got.headers.host).toEqual([`127.0.0.1:${upstream.port}`]);
    expect(got.headers['x-forwarded-host']).toEqual(['app.test']);
    expect(got.headers['x-forwarded-proto']).toEqual(['http']);
    expect(got.headers['x-forwarded-for']).toEqual(['127.0.0.1']);
    expect(got.headers['x-real-ip']).toEqual(['127.0.0.1']);
    expect(proxy.access.calls.at(-1)).toMatchObject({ method: 'GET', scheme: 'http', host: 'app.test', path: '/hello?x=1', clientIp: '127.0.0.1' });
  });

  it('keeps the client Host when the route preserves it', async () => {
    const got = echoed((await send(proxy.proxy.url, { path: '/preserve', headers: { host: 'app.test:8080' } })).body);
    expect(got.url).toBe('/preserve');
    expect(got.headers.host).toEqual(['app.test:8080']);
  });

  it('renders a refused request with renderVerdict and forwards nothing', async () => {
    const before = upstream.received.length;
    const answer = await send(proxy.proxy.url, { path: '/deny' });
    expect(answer.status).toBe(403);
    expect(answer.headers['x-test-rendered']).toBe('deny');
    expect(upstream.received.length).toBe(before);
  });

  it('reuses one keep-alive upstream connection for requests from separate client connections', async () => {
    const answers = [];
    for (let index = 0; index < 3; index += 1) answers.push(echoed((await send(proxy.proxy.url, { path: `/reuse-${index}`, agent: false })).body));
    expect(new Set(answers.map((answer) => answer.connection)).size).toBe(1);
  });
});

describe('header hygiene', () => {
  it('strips forged identity headers and sends only the verdict\'s', async () => {
    const got = echoed(
      (
        await send(proxy.proxy.url, {
          path: '/forged',
          headers: {
            'X-Tenet-Assertion': ['forged-1', 'forged-2'],
            'X-Tenet-Decision': 'forged',
            'X-Email': 'mallory@evil.example',
            'X-Other-User': 'admin',
            'X-Forwarded-User': 'admin',
            'X-Forwarded-Email': 'admin@example.com',
            'X-Forwarded-Groups': 'admins',
            'X-Forwarded-Preferred-Username': 'admin',
            'X-Auth-Request-User': 'admin',
            'X-Auth-Request-Email': 'admin@example.com',
            'Remote-User': 'admin',
            'X-Remote-User': 'admin',
            'X-Application-Header': 'kept',
          },
        })
      ).body,
    );
    expect(got.headers['x-tenet-assertion']).toEqual(['signed.jwt.value']);
    expect(got.headers['x-email']).toEqual(['alice@example.com']);
    for (const name of ['x-tenet-decision', 'x-other-user', 'x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-preferred-username', 'x-auth-request-user', 'x-auth-request-email', 'remote-user', 'x-remote-user']) {
      expect(got.headers[name], name).toBeUndefined();
    }
    expect(got.headers['x-application-header']).toEqual(['kept']);
  });

  it('never passes Tenet\'s cookies upstream and keeps the application\'s', async () => {
    const mixed = echoed(
      (await send(proxy.proxy.url, { path: '/cookies', headers: { cookie: 'a=1; __Host-tenet_session=SESSIONSECRET; b=2; __Host-tenet_login=LOGINSECRET; __Host-tenet_other=x' } })).body,
    );
    expect(mixed.headers.cookie).toEqual(['a=1; b=2']);
    const only = echoed((await send(proxy.proxy.url, { path: '/cookies', headers: { cookie: '__Host-tenet_session=SESSIONSECRET' } })).body);
    expect(only.headers.cookie).toBeUndefined();
    expect(proxy.logText()).not.toContain('SESSIONSECRET');
  });

  it('appends to X-Forwarded-For from a trusted proxy and believes its scheme and host', async () => {
    const got = echoed(
      (
        await send(proxy.proxy.url, {
          path: '/trusted',
          headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'Public.Example', forwarded: 'for=203.0.113.7' },
        })
      ).body,
    );
    expect(proxy.access.calls.at(-1)).toMatchObject({ clientIp: '203.0.113.7', scheme: 'https', host: 'public.example' });
    expect(got.headers['x-forwarded-for']).toEqual(['198.51.100.9, 203.0.113.7, 127.0.0.1']);
    expect(got.headers['x-forwarded-proto']).toEqual(['https']);
    expect(got.headers['x-forwarded-host']).toEqual(['public.example']);
    expect(got.headers['x-real-ip']).toEqual(['203.0.113.7']);
    expect(got.headers.forwarded).toEqual(['for=203.0.113.7']);
  });

  it('replaces X-Forwarded-* and drops Forwarded from an untrusted client', async () => {
    const got = echoed(
      (
        await send(untrusting.proxy.url, {
          path: '/untrusted',
          headers: { host: 'app.test', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', 'x-forwarded-port': '1', forwarded: 'for=203.0.113.7', 'x-real-ip': '203.0.113.7' },
        })
      ).body,
    );
    expect(untrusting.access.calls.at(-1)).toMatchObject({ clientIp: '127.0.0.1', scheme: 'http', host: 'app.test' });
    expect(got.headers['x-forwarded-for']).toEqual(['127.0.0.1']);
    expect(got.headers['x-forwarded-proto']).toEqual(['http']);
    expect(got.headers['x-forwarded-host']).toEqual(['app.test']);
    expect(got.headers['x-real-ip']).toEqual(['127.0.0.1']);
    expect(got.headers.forwarded).toBeUndefined();
    expect(got.headers['x-forwarded-port']).toBeUndefined();
  });

  it('removes hop-by-hop headers in both directions, including those Connection names', async () => {
    upstream.handle = (req: IncomingMessage, res: ServerResponse) => {
      const seen = JSON.stringify(Object.keys(req.headers).sort());
      res.writeHead(200, { connection: 'X-Up-Hop', 'x-up-hop': '1', 'keep-alive': 'timeout=99, max=7', 'proxy-authenticate': 'Basic', trailer: 'X-T', 'x-up-kept': 'yes' });
      res.end(seen);
    };
    try {
      const answer = await send(proxy.proxy.url, {
        path: '/hop',
        headers: { connection: 'keep-alive, X-Drop-Me', 'x-drop-me': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eDp5', 'proxy-connection': 'keep-alive', upgrade: 'foo/1', 'x-kept': 'yes' },
      });
      const seen = JSON.parse(answer.body) as string[];
      for (const name of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'upgrade']) expect(seen, name).not.toContain(name);
      expect(seen).toContain('x-kept');
      expect(answer.headers['x-up-hop']).toBeUndefined();
      expect(answer.headers['proxy-authenticate']).toBeUndefined();
      expect(answer.headers.trailer).toBeUndefined();
      expect(answer.headers['keep-alive']).not.toContain('max=7');
      expect(answer.headers['x-up-kept']).toBe('yes');
    } finally {
      upstream.handle = undefined;
    }
  });

  it('frames a chunked GET body upstream as chunked (no smuggled second request)', async () => {
    const before = upstream.received.length;
    const raw = await rawExchange(proxy.port, 'GET /chunked HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(statusOf(raw)).toBe(200);
    expect(upstream.received.length).toBe(before + 1);
    expect(upstream.received.at(-1)).toMatchObject({ method: 'GET', body: 'hello', headers: { 'transfer-encoding': ['chunked'] } });
  });

  it('keeps Content-Length even when Connection names it', async () => {
    const raw = await rawExchange(proxy.port, 'POST /framing HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nConnection: close, content-length\r\n\r\nhello');
    expect(statusOf(raw)).toBe(200);
    expect(upstream.received.at(-1)).toMatchObject({ body: 'hello', headers: { 'content-length': ['5'] } });
  });
});

describe('streaming', () => {
  it('delivers the first request chunk upstream before the client has finished sending', async () => {
    let firstSeen!: () => void;
    const firstArrived = new Promise<void>((resolve) => (firstSeen = resolve));
    upstream.handle = (req, res) => {
      const chunks: string[] = [];
      req.on('data', (chunk: Buffer) => {
        chunks.push(chunk.toString());
        firstSeen();
      });
      req.on('end', () => res.end(JSON.stringify(chunks)));
    };
    try {
      const answer = new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/stream-up', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.write('first;');
        void firstArrived.then(() => req.end('second'));
      });
      // The upstream saw "first;" on its own, before "second" existed.
      expect(JSON.parse(await answer)).toEqual(['first;', 'second']);
    } finally {
      upstream.handle = undefined;
    }
  }, 15_000);

  it('delivers the first response chunk to the client before the upstream has finished', async () => {
    let clientGotFirst!: () => void;
    const firstDelivered = new Promise<void>((resolve) => (clientGotFirst = resolve));
    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      void firstDelivered.then(() => res.end('second'));
    };
    try {
      const chunks = await new Promise<string[]>((resolve, reject) => {
        const received: string[] = [];
        const req = request({ host: '127.0.0.1', port: proxy.port, path: '/stream-down' }, (res) => {
          res.on('data', (chunk: Buffer) => {
            received.push(chunk.toString());
            clientGotFirst();
          });
          res.on('end', () => resolve(received));
        });
        req.on('error', reject);
        req.end();
      });
      expect(chunks).toEqual(['first;', 'second']);
    } finally {
      upstream.handle = undefined;
    }
  }, 15_000);
});

describe('limits and failures', () => {
  it('answers 413 to a declared body over the limit without asking for a decision or reaching the upstream', async () => {
    const calls = proxy.access.calls.length;
    const before = upstream.received.length;
    const raw = await rawExchange(proxy.port, `POST /big HTTP/1.1\r\nHost: app.test\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100)}`);
    expect(statusOf(raw)).toBe(413);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(bodyOf(raw))).toMatchObject({ error: { code: 'TENET_ERR_REQUEST_BODY_TOO_LARGE' } });
    expect(proxy.access.calls.length).toBe(calls);
    expect(upstream.received.length).toBe(before);
  });

  it('answers 413 and aborts the upstream request when a chunked body crosses the limit', async () => {
    let upstreamEnded!: (complete: boolean) => void;
    const upstreamOutcome = new Promise<boolean>((resolve) => (upstreamEnded = resolve));
    upstream.handle = (req) => {
      req.resume();
      req.on('close', () => upstreamEnded(req.complete));
    };
    try {
      const status = await new Promise<number>((resolve) => {
        const req = request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/big-chunked', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => undefined); // the proxy closes the connection after refusing
        req.write('x'.repeat(3000));
        req.write('x'.repeat(3000));
      });
      expect(status).toBe(413);
      expect(await upstreamOutcome).toBe(false);
    } finally {
      upstream.handle = undefined;
    }
  });

  it('answers 431 with a body to an oversized request head', async () => {
    const raw = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: app.test\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(statusOf(raw)).toBe(431);
    expect(JSON.parse(bodyOf(raw))).toMatchObject({ error: { code: 'TENET_ERR_REQUEST_HEADERS_TOO_LARGE' } });
  });

  it('answers 502 naming the decision id, without upstream error detail, when the upstream is down', async () => {
    const answer = await send(proxy.proxy.url, { path: '/down' });
    expect(answer.status).toBe(502);
    const decisionId = lastVerdict?.kind === 'allow' ? lastVerdict.decision.id : 'missing';
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'TENET_ERR_PROXY_UPSTREAM_UNAVAILABLE', message: 'Upstream unavailable.', issues: [] }, decisionId });
    expect(answer.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const page = await send(proxy.proxy.url, { path: '/down', headers: { accept: 'text/html' } });
    expect(page.status).toBe(502);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(lastVerdict?.kind === 'allow' ? lastVerdict.decision.id : 'missing');
    expect(proxy.logLines.find((line) => line.path === '/down' && line.msg === 'proxy request')).toMatchObject({ status: 502, failure: 'upstream-unavailable', outcome: 'allow' });
  });

  it('retries a bodyless GET once when a pooled upstream connection dies under it, but never a POST', async () => {
    const drops = new Set<string>();
    upstream.handle = (req, res) => {
      const key = `${req.method} ${req.url}`;
      if (req.url?.includes('/flaky') && !drops.has(key)) {
        drops.add(key);
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => res.end(key));
    };
    try {
      await send(proxy.proxy.url, { path: '/warm-the-pool' });
      const get = await send(proxy.proxy.url, { path: '/flaky-get' });
      expect(get).toMatchObject({ status: 200, body: 'GET /base/flaky-get' });
      await send(proxy.proxy.url, { path: '/warm-the-pool' });
      const post = await send(proxy.proxy.url, { method: 'POST', path: '/flaky-post', body: 'x' });
      expect(post.status).toBe(502);
    } finally {
      upstream.handle = undefined;
    }
  });

  it('answers 504 when the upstream does not send response headers within the route timeout', async () => {
    const answer = await send(proxy.proxy.url, { path: '/slow' });
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'TENET_ERR_PROXY_UPSTREAM_TIMEOUT' } });
  });

  it('asks for the body (100 Continue) only once the request is allowed', async () => {
    const exchange = (path: string) =>
      new Promise<{ status: number; continued: boolean; body: string }>((resolve, reject) => {
        let continued = false;
        const req = request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path, headers: { expect: '100-continue', 'content-length': 5 } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, body }));
        });
        req.on('continue', () => {
          continued = true;
          req.end('hello');
        });
        req.on('error', reject);
      });
    const allowed = await exchange('/continue');
    expect(allowed).toMatchObject({ status: 200, continued: true });
    expect(echoed(allowed.body)).toMatchObject({ body: 'hello' });
    expect(echoed(allowed.body).headers.expect).toBeUndefined();
    const denied = await exchange('/deny-continue');
    expect(denied).toMatchObject({ status: 403, continued: false });
  });
});

describe('reserved paths and hostile targets', () => {
  it('hands /.tenet/ paths to the reserved handler and never to the upstream or the pipeline', async () => {
    const calls = proxy.access.calls.length;
    const before = upstream.received.length;
    const jwks = await send(proxy.proxy.url, { path: '/.tenet/jwks.json' });
    expect(jwks).toMatchObject({ status: 200, body: '{"keys":[]}' });
    expect((await send(proxy.proxy.url, { path: '/.tenet/unknown' })).status).toBe(404);
    expect((await send(proxy.proxy.url, { path: '/%2ETENET/callback?code=abc' })).status).toBe(404);
    expect(proxy.reservedCalls.map((facts) => facts.path)).toEqual(['/.tenet/jwks.json', '/.tenet/unknown', '/%2ETENET/callback?code=abc']);
    expect(proxy.access.calls.length).toBe(calls);
    expect(upstream.received.length).toBe(before);
  });

  it.each(['/..%2fadmin', '/public/../admin', '/a/..;/b', '/%2e%2e/x', '/a/%2E/b'])('refuses the dot-segment path %s with 400', async (path) => {
    const calls = proxy.access.calls.length;
    const before = upstream.received.length;
    const raw = await rawExchange(proxy.port, `GET ${path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n`);
    expect(statusOf(raw)).toBe(400);
    expect(proxy.access.calls.length).toBe(calls);
    expect(upstream.received.length).toBe(before);
  });

  it('refuses asterisk-form and CONNECT', async () => {
    expect(statusOf(await rawExchange(proxy.port, 'OPTIONS * HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n'))).toBe(400);
    expect(statusOf(await rawExchange(proxy.port, 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n'))).toBe(405);
  });

  it('routes an absolute-form target on the Host header and forwards only its path', async () => {
    const raw = await rawExchange(proxy.port, 'GET http://evil.example:9/secret?x=1 HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    expect(statusOf(raw)).toBe(200);
    expect(proxy.access.calls.at(-1)).toMatchObject({ host: 'app.test', path: '/secret?x=1' });
    expect(upstream.received.at(-1)).toMatchObject({ url: '/base/secret?x=1', headers: { host: [`127.0.0.1:${upstream.port}`], 'x-forwarded-host': ['app.test'] } });
  });

  it('answers 400 to a request without a usable Host', async () => {
    expect(statusOf(await rawExchange(proxy.port, 'GET / HTTP/1.0\r\n\r\n'))).toBe(400);
    expect(statusOf(await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'))).toBe(400);
  });
});

describe('access log', () => {
  it('logs one line per request with the decision and never the query, cookies, Authorization or assertion', async () => {
    await send(proxy.proxy.url, { path: '/logged?token=QUERYSECRET', headers: { cookie: '__Host-tenet_session=COOKIESECRET', authorization: 'Bearer AUTHSECRET' } });
    const decisionId = lastVerdict?.kind === 'allow' ? lastVerdict.decision.id : 'missing';
    const line = proxy.logLines.find((entry) => entry.path === '/logged');
    expect(line).toMatchObject({ level: 30, msg: 'proxy request', method: 'GET', path: '/logged', status: 200, outcome: 'allow', decisionId, route: 'app' });
    expect(typeof line?.upstreamMs).toBe('number');
    for (const secret of ['QUERYSECRET', 'COOKIESECRET', 'AUTHSECRET', 'signed.jwt.value']) expect(proxy.logText()).not.toContain(secret);
  });
});
