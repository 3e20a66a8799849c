// The ext_authz gRPC service over a real HTTP/2 connection on loopback, called by a real gRPC
// client (@grpc/grpc-js) built from the same proto files, with CheckRequests shaped like Envoy's.
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderVerdict } from '../access/render-verdict.js';
import { LOGIN_BASE, scriptedAccess } from '../forward-auth/testing/scripted-access.js';
import { authorizationProto, type CheckRequestMessage, type CheckResponseMessage } from './authorization-proto.js';
import { peerAddress, startExtAuthzGrpc, type ExtAuthzGrpcServer } from './grpc-server.js';

const scripted = scriptedAccess();
let server: ExtAuthzGrpcServer;
let client: Client;

beforeAll(async () => {
  server = await startExtAuthzGrpc({ listen: '127.0.0.1:0', access: scripted.access, renderVerdict, logger: pino({ level: 'silent' }) });
  client = new (authorizationProto().Client)(`127.0.0.1:${server.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.stop();
});

beforeEach(() => {
  scripted.calls.length = 0;
});

function check(request: CheckRequestMessage): Promise<CheckResponseMessage> {
  const call = (client as unknown as { Check(request: CheckRequestMessage, callback: (error: ServiceError | null, response: CheckResponseMessage) => void): void }).Check;
  return new Promise((resolve, reject) => {
    call.call(client, request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** A CheckRequest as Envoy's HTTP filter builds it for `GET https://app.example.com/docs?page=2`. */
function envoyRequest(headers: Record<string, string> = {}, http: Record<string, unknown> = {}): CheckRequestMessage {
  return {
    attributes: {
      source: { address: { socket_address: { address: '203.0.113.9', port_value: 51234 } } },
      request: {
        http: {
          id: '8d8f4c2e-1b6a-4c1b-9a55-3f1f0f8d0c11',
          method: 'GET',
          path: '/docs?page=2',
          host: 'app.example.com',
          scheme: 'https',
          protocol: 'HTTP/1.1',
          headers: {
            ':authority': 'app.example.com',
            ':method': 'GET',
            ':path': '/docs?page=2',
            ':scheme': 'https',
            accept: 'text/html',
            'user-agent': 'Mozilla/5.0 test',
            'x-forwarded-proto': 'https',
            'x-request-id': '8d8f4c2e-1b6a-4c1b-9a55-3f1f0f8d0c11',
            ...headers,
          },
          ...http,
        },
      },
    },
  } as CheckRequestMessage;
}

const headerMap = (response: CheckResponseMessage, part: 'ok_response' | 'denied_response'): Record<string, string> =>
  Object.fromEntries((response[part]?.headers ?? []).map((option) => [option.header.key, option.header.value]));

describe('allow', () => {
  it('answers OK with the identity headers set to overwrite, from facts rebuilt from the attributes', async () => {
    const response = await check(envoyRequest({ cookie: 'session=good; theme=dark', authorization: 'Bearer abc' }));
    expect(response.status.code).toBe(0);
    expect(response.denied_response).toBeUndefined();
    const headers = response.ok_response?.headers ?? [];
    expect(headers).toEqual(
      expect.arrayContaining([
        { header: { key: 'x-tenet-assertion', value: 'assertion-for-alice' }, append_action: 2 },
        { header: { key: 'x-email', value: 'alice@example.com' }, append_action: 2 },
      ]),
    );
    expect(response.ok_response?.headers_to_remove ?? []).not.toContain('x-email');
    expect(scripted.calls).toEqual([
      {
        pep: 'ext-authz',
        facts: {
          method: 'GET',
          scheme: 'https',
          host: 'app.example.com',
          path: '/docs?page=2',
          clientIp: '203.0.113.9',
          cookie: 'session=good; theme=dark',
          authorization: 'Bearer abc',
          accept: 'text/html',
          userAgent: 'Mozilla/5.0 test',
        },
      },
    ]);
  });

  it('removes identity headers Tenet did not set, and every forged identity header the client sent', async () => {
    const response = await check(envoyRequest({ cookie: 'session=good-noemail', 'x-email': 'mallory@example.com', 'x-tenet-groups': 'admins', 'x-forwarded-user': 'root' }));
    expect(response.status.code).toBe(0);
    expect(headerMap(response, 'ok_response')).toEqual({ 'x-tenet-assertion': 'assertion-for-bob' });
    expect(response.ok_response?.headers_to_remove).toEqual(['x-email', 'x-forwarded-user', 'x-tenet-groups']);
  });

  it('reads raw headers (encode_raw_headers) and the host from :authority when http.host is empty', async () => {
    const request = envoyRequest({}, { headers: undefined, host: undefined, header_map: { headers: [
      { key: ':authority', raw_value: Buffer.from('App.Example.com:443') },
      { key: 'cookie', raw_value: Buffer.from('session=good') },
    ] } });
    const response = await check(request);
    expect(response.status.code).toBe(0);
    expect(scripted.calls[0]?.facts).toMatchObject({ host: 'app.example.com', cookie: 'session=good' });
  });
});

describe('refusals are denials with an HTTP answer for the client', () => {
  it('deny → PERMISSION_DENIED with 403, the rendered body and the decision id', async () => {
    const response = await check(envoyRequest({ cookie: 'session=bad', accept: 'application/json' }));
    expect(response.status.code).toBe(7);
    expect(response.ok_response).toBeUndefined();
    expect(response.denied_response?.status.code).toBe(403);
    const body = JSON.parse(response.denied_response?.body ?? '') as { error: string; decision_id: string };
    expect(body.error).toBe('access_denied');
    const headers = headerMap(response, 'denied_response');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(headers['x-tenet-decision']).toBe(body.decision_id);
    expect((response.denied_response?.headers ?? []).every((option) => option.append_action === 2)).toBe(true);
  });

  it('unauthenticated browser → UNAUTHENTICATED with a 302 to the login URL', async () => {
    const response = await check(envoyRequest());
    expect(response.status.code).toBe(16);
    expect(response.denied_response?.status.code).toBe(302);
    expect(headerMap(response, 'denied_response').location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent('https://app.example.com/docs?page=2')}`);
  });

  it('unauthenticated API client → UNAUTHENTICATED with 401 JSON', async () => {
    const response = await check(envoyRequest({ accept: 'application/json' }));
    expect(response.status.code).toBe(16);
    expect(response.denied_response?.status.code).toBe(401);
    expect(headerMap(response, 'denied_response')['www-authenticate']).toBe('Bearer realm="tenet"');
    expect(JSON.parse(response.denied_response?.body ?? '')).toMatchObject({ error: 'unauthenticated' });
  });

  it('step-up → UNAUTHENTICATED with a 302 to the step-up URL', async () => {
    const response = await check(envoyRequest({ cookie: 'session=stepup' }));
    expect(response.status.code).toBe(16);
    expect(response.denied_response?.status.code).toBe(302);
    expect(headerMap(response, 'denied_response').location).toContain('step-up=1');
  });

  it('no route → PERMISSION_DENIED with 403, never a pass', async () => {
    const response = await check(envoyRequest({ cookie: 'session=good' }, { host: 'unknown.example.com' }));
    expect(response.status.code).toBe(7);
    expect(response.denied_response?.status.code).toBe(403);
  });

  it('a method the route does not map → PERMISSION_DENIED with 405', async () => {
    const response = await check(envoyRequest({ cookie: 'session=good' }, { method: 'TRACE' }));
    expect(response.status.code).toBe(7);
    expect(response.denied_response?.status.code).toBe(405);
  });

  it('a failing pipeline → INTERNAL as a denial (403), not an RPC error that failure_mode_allow could pass', async () => {
    const response = await check(envoyRequest({ cookie: 'session=good' }, { host: 'boom.example.com' }));
    expect(response.status.code).toBe(13);
    expect(response.denied_response?.status.code).toBe(403);
  });
});

describe('a request Tenet cannot understand is denied (INVALID_ARGUMENT, 400), not answered with an RPC error', () => {
  const invalid: readonly [string, CheckRequestMessage, string][] = [
    ['no attributes at all', {}, 'attributes.request.http'],
    ['no http attributes (a TCP check)', { attributes: { source: { address: { socket_address: { address: '203.0.113.9' } } } } }, 'attributes.request.http'],
    ['no method', envoyRequest({ cookie: 'session=good' }, { method: '' }), 'attributes.request.http.method'],
    ['a path that is not origin-form', envoyRequest({ cookie: 'session=good' }, { path: 'http://evil.example/' }), 'attributes.request.http.path'],
    ['a scheme that is not http(s)', envoyRequest({ cookie: 'session=good' }, { scheme: 'gopher' }), 'attributes.request.http.scheme'],
    ['a malformed host', envoyRequest({ cookie: 'session=good' }, { host: 'app.example.com/x' }), 'attributes.request.http.host'],
    ['no source address (a pipe)', { attributes: { ...envoyRequest({ cookie: 'session=good' }).attributes, source: { address: { pipe: { path: '/run/envoy.sock' } } } } }, 'attributes.source.address.socket_address.address'],
  ];

  it.each(invalid)('%s', async (_name, request, field) => {
    const response = await check(request);
    expect(response.status.code).toBe(3);
    expect(response.denied_response?.status.code).toBe(400);
    expect(JSON.parse(response.denied_response?.body ?? '')).toMatchObject({ error: 'invalid ext_authz request', field });
    expect(scripted.calls).toHaveLength(0);
  });
});

describe('trusted peers', () => {
  it.each([
    ['127.0.0.1:50000', '127.0.0.1'],
    ['::1:50000', '::1'],
    ['::ffff:127.0.0.1:50000', '127.0.0.1'],
    ['ipv6:[2001:db8::1]:443', '2001:db8::1'],
    ['ipv4:10.1.2.3:443', '10.1.2.3'],
    ['unix:/run/tenet.sock', undefined],
    ['unknown', undefined],
  ])('peerAddress(%s) → %s', (peer, address) => {
    expect(peerAddress(peer)).toBe(address);
  });

  it('denies a Check from outside trustedPeers before reading it, and serves the trusted', async () => {
    const guarded = await startExtAuthzGrpc({ listen: '127.0.0.1:0', access: scripted.access, renderVerdict, logger: pino({ level: 'silent' }), trustedPeers: ['10.0.0.0/8'] });
    const open = await startExtAuthzGrpc({ listen: '127.0.0.1:0', access: scripted.access, renderVerdict, logger: pino({ level: 'silent' }), trustedPeers: ['127.0.0.1/32', '::1/128'] });
    const Client = authorizationProto().Client;
    const clients = [new Client(`127.0.0.1:${guarded.port}`, credentials.createInsecure()), new Client(`127.0.0.1:${open.port}`, credentials.createInsecure())];
    try {
      const ask = (target: Client) =>
        new Promise<CheckResponseMessage>((resolve, reject) => {
          (target as unknown as { Check(request: CheckRequestMessage, callback: (error: ServiceError | null, response: CheckResponseMessage) => void): void }).Check.call(
            target,
            envoyRequest({ cookie: 'session=good' }),
            (error, response) => (error ? reject(error) : resolve(response)),
          );
        });
      const refused = await ask(clients[0] as Client);
      expect(refused.status.code).toBe(7);
      expect(refused.denied_response?.status.code).toBe(403);
      expect(JSON.parse(refused.denied_response?.body ?? '')).toEqual({ error: 'ext_authz caller is not a trusted proxy' });
      expect(scripted.calls).toHaveLength(0);
      expect((await ask(clients[1] as Client)).status.code).toBe(0);
    } finally {
      for (const one of clients) one.close();
      await Promise.all([guarded.stop(), open.stop()]);
    }
  });
});
