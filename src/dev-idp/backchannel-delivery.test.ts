import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backchannelFetch, isLoopbackHost } from './backchannel-delivery.js';
import { LOCALHOST_CERT_PEM, LOCALHOST_KEY_PEM } from './testing/localhost-certificate.js';

let server: Server;
let port: number;
const received: { method?: string; contentType?: string; body: string }[] = [];

beforeAll(async () => {
  server = createHttpsServer({ cert: LOCALHOST_CERT_PEM, key: LOCALHOST_KEY_PEM }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ body, ...(req.method ? { method: req.method } : {}), ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}) });
      res.writeHead(req.url === '/gone' ? 404 : 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('back-channel logout delivery', () => {
  it('posts to a loopback https URI with a self-signed certificate (the quickstart proxy) and reports the status', async () => {
    const deliver = backchannelFetch();
    const body = new URLSearchParams({ logout_token: 'header.payload.signature' });
    const response = await deliver(`https://localhost:${port}/.tenet/backchannel-logout`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body,
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(received.at(-1)).toEqual({ method: 'POST', contentType: 'application/x-www-form-urlencoded', body: 'logout_token=header.payload.signature' });

    const missing = await deliver(`https://127.0.0.1:${port}/gone`, { method: 'POST', body: 'x=1' });
    expect(missing.status).toBe(404);
  });

  it.each([
    ['localhost', true],
    ['app.localhost', true],
    ['127.0.0.1', true],
    ['127.10.0.1', true],
    ['[::1]', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['192.168.1.10', false],
    ['[::]', false],
    ['localhost.example.com', false],
    ['idp.example', false],
  ])('isLoopbackHost(%j) → %j', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
