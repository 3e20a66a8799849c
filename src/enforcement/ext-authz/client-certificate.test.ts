// The client certificate Envoy passes to ext_authz: gRPC `attributes.source.certificate`
// (include_peer_certificate: URL-escaped PEM, AttributeContext.Peer field 5) and, for the HTTP
// service, the header Envoy adds with %DOWNSTREAM_PEER_CERT%. A route that requires a device and
// gets none is a denial (PERMISSION_DENIED, 403), never an RPC error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderVerdict } from '../access/render-verdict.js';
import { send } from '../forward-auth/testing/http-client.js';
import { scriptedAccess } from '../forward-auth/testing/scripted-access.js';
import { issueClientCertificate, type TestClientCertificate } from '../proxy/testing/client-certificates.js';
import { createTestCa } from '../proxy/testing/test-pki.js';
import { authorizationProto, RPC_CODE, type CheckRequestMessage, type CheckResponseMessage } from './authorization-proto.js';
import { startExtAuthzGrpc, type ExtAuthzGrpcServer } from './grpc-server.js';
import { extAuthzHttpHandler } from './http-handler.js';

const scripted = scriptedAccess();
const logger = pino({ level: 'silent' });
let grpc: ExtAuthzGrpcServer;
let client: Client;
let http: Server;
let httpPort: number;
let defaultHttp: Server;
let defaultHttpPort: number;
let leaf: TestClientCertificate;

beforeAll(async () => {
  leaf = issueClientCertificate(createTestCa('Device CA'), 'laptop-1');
  grpc = await startExtAuthzGrpc({ listen: '127.0.0.1:0', access: scripted.access, renderVerdict, logger, trustedPeers: ['127.0.0.1/32', '::1/128'] });
  client = new (authorizationProto().Client)(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
  http = createServer(extAuthzHttpHandler({ access: scripted.access, trustedProxies: ['127.0.0.1/32'], renderVerdict, logger, pathPrefix: '/.tenet/ext-authz', clientCertificateHeader: 'X-Envoy-Peer-Cert' }));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpPort = (http.address() as AddressInfo).port;
  defaultHttp = createServer(extAuthzHttpHandler({ access: scripted.access, trustedProxies: ['127.0.0.1/32'], renderVerdict, logger, pathPrefix: '/.tenet/ext-authz' }));
  await new Promise<void>((resolve) => defaultHttp.listen(0, '127.0.0.1', resolve));
  defaultHttpPort = (defaultHttp.address() as AddressInfo).port;
});

afterAll(async () => {
  client.close();
  await grpc.stop();
  await Promise.all([http, defaultHttp].map((server) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  scripted.calls.length = 0;
});

function check(request: CheckRequestMessage): Promise<CheckResponseMessage> {
  const call = (client as unknown as { Check(request: CheckRequestMessage, callback: (error: ServiceError | null, response: CheckResponseMessage) => void): void }).Check;
  return new Promise((resolve, reject) => call.call(client, request, (error, response) => (error ? reject(error) : resolve(response))));
}

function envoyRequest(certificate: string | undefined): CheckRequestMessage {
  return {
    attributes: {
      source: { address: { socket_address: { address: '203.0.113.9', port_value: 51234 } }, ...(certificate === undefined ? {} : { certificate }) },
      request: { http: { method: 'GET', path: '/', host: 'device.example.com', scheme: 'https', headers: { cookie: 'session=good', accept: 'application/json' } } },
    },
  };
}

describe('ext_authz gRPC: attributes.source.certificate', () => {
  it('reads the URL-escaped PEM Envoy sends with include_peer_certificate', async () => {
    const response = await check(envoyRequest(encodeURIComponent(leaf.certPem)));
    expect(response.status.code).toBe(RPC_CODE.OK);
    const certificate = scripted.calls[0]?.facts.clientCertificate;
    expect(certificate?.via).toBe('forwarded');
    expect(Buffer.from(certificate?.der ?? [])).toEqual(leaf.der);
  });

  it('denies (403, PERMISSION_DENIED) a route that requires a device when the certificate is absent or unreadable', async () => {
    for (const certificate of [undefined, '', 'not%20a%20certificate']) {
      scripted.calls.length = 0;
      const response = await check(envoyRequest(certificate));
      expect(response.status.code).toBe(RPC_CODE.PERMISSION_DENIED);
      expect(response.denied_response?.status.code).toBe(403);
      expect(JSON.parse(response.denied_response?.body ?? '{}')).toEqual({ error: 'device_certificate_required', problem: 'no client certificate' });
      expect(scripted.calls[0]?.facts.clientCertificate).toBeUndefined();
    }
  });
});

describe('ext_authz HTTP: the client certificate header', () => {
  const headers = (extra: Record<string, string | string[]>) => ({ Host: 'device.example.com', 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.9', Cookie: 'session=good', Accept: 'application/json', ...extra });

  it('reads %DOWNSTREAM_PEER_CERT% (URL-escaped PEM) from the configured header and answers 403 without it', async () => {
    const allowed = await send(httpPort, { path: '/.tenet/ext-authz/', headers: headers({ 'X-Envoy-Peer-Cert': encodeURIComponent(leaf.certPem) }) });
    expect(allowed.status).toBe(200);
    expect(Buffer.from(scripted.calls[0]?.facts.clientCertificate?.der ?? [])).toEqual(leaf.der);

    const refused = await send(httpPort, { path: '/.tenet/ext-authz/', headers: headers({ 'X-Envoy-Peer-Cert': '' }) });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'device_certificate_required' });
  });

  it('reads no certificate header unless one is configured (the documented allowed_headers pass client-sent x-tenet-* headers)', async () => {
    const res = await send(defaultHttpPort, { path: '/.tenet/ext-authz/', headers: headers({ 'X-Tenet-Client-Cert': encodeURIComponent(leaf.certPem) }) });
    expect(res.status).toBe(403);
    expect(scripted.calls[0]?.facts.clientCertificate).toBeUndefined();
  });
});
