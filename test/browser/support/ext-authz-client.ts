// A real gRPC client (@grpc/grpc-js) of Tenet's envoy.service.auth.v3.Authorization service, built
// from the same proto files the server loads, sending CheckRequests shaped like Envoy's.
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { authorizationProto, type CheckRequestMessage, type CheckResponseMessage } from '../../../src/enforcement/ext-authz/index.js';

export interface ExtAuthzClient {
  check(request: CheckRequestMessage): Promise<CheckResponseMessage>;
  close(): void;
}

export function extAuthzClient(port: number): ExtAuthzClient {
  const client: Client = new (authorizationProto().Client)(`127.0.0.1:${port}`, credentials.createInsecure());
  const call = (client as unknown as { Check(request: CheckRequestMessage, callback: (error: ServiceError | null, response: CheckResponseMessage) => void): void }).Check;
  return {
    check: (request) => new Promise((resolve, reject) => call.call(client, request, (error, response) => (error ? reject(error) : resolve(response)))),
    close: () => client.close(),
  };
}

/** What Envoy's HTTP filter sends for `GET https://<host><path>` from `clientIp`, with the given request headers. */
export function envoyCheck(host: string, path: string, headers: Readonly<Record<string, string>>, clientIp = '192.0.2.30'): CheckRequestMessage {
  return {
    attributes: {
      source: { address: { socket_address: { address: clientIp, port_value: 50_123 } } },
      request: {
        http: {
          method: 'GET',
          path,
          host,
          scheme: 'https',
          protocol: 'HTTP/1.1',
          headers: { ':authority': host, ':method': 'GET', ':path': path, ':scheme': 'https', ...headers },
        },
      },
    },
  };
}

/** A CheckResponse's headers (ok_response or denied_response) as name → value. */
export function responseHeaders(response: CheckResponseMessage, part: 'ok_response' | 'denied_response'): Record<string, string> {
  return Object.fromEntries((response[part]?.headers ?? []).map((option) => [option.header.key.toLowerCase(), option.header.value]));
}
