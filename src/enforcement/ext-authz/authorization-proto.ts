// Loads Envoy's envoy.service.auth.v3 Authorization service from the hand-written proto subset in
// ./proto (field numbers copied from Envoy's API), and types the parts of its messages Tenet uses.
// The server and the tests' client load the same files, so they cannot disagree on the wire.
import { fileURLToPath } from 'node:url';
import { makeClientConstructor, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type EnumTypeDefinition, type PackageDefinition } from '@grpc/proto-loader';

const PROTO_ROOT = fileURLToPath(new URL('./proto/', import.meta.url));

/** google.rpc.Code values Tenet answers with (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto). */
export const RPC_CODE = { OK: 0, INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, INTERNAL: 13, UNAUTHENTICATED: 16 } as const;

/** envoy.config.core.v3.HeaderValueOption.HeaderAppendAction. */
export const APPEND_ACTION = { APPEND_IF_EXISTS_OR_ADD: 0, OVERWRITE_IF_EXISTS_OR_ADD: 2 } as const;

/** The CheckRequest as decoded (keepCase, no defaults): anything may be absent, since Envoy omits empty fields. */
export interface CheckRequestMessage {
  readonly attributes?: {
    readonly source?: {
      readonly address?: { readonly socket_address?: { readonly address?: string; readonly port_value?: number }; readonly pipe?: { readonly path?: string } };
      readonly principal?: string;
      /** AttributeContext.Peer.certificate (field 5): the client's certificate, URL-escaped PEM, when the filter sets include_peer_certificate. */
      readonly certificate?: string;
    };
    readonly request?: {
      readonly http?: {
        readonly id?: string;
        readonly method?: string;
        readonly headers?: Readonly<Record<string, string>>;
        readonly header_map?: { readonly headers?: readonly { readonly key?: string; readonly value?: string; readonly raw_value?: Uint8Array }[] };
        readonly path?: string;
        readonly host?: string;
        readonly scheme?: string;
        readonly protocol?: string;
      };
    };
  };
}

export interface HeaderValueOptionMessage {
  readonly header: { readonly key: string; readonly value: string };
  readonly append_action: number;
}

export interface CheckResponseMessage {
  readonly status: { readonly code: number; readonly message?: string };
  readonly ok_response?: { readonly headers: readonly HeaderValueOptionMessage[]; readonly headers_to_remove: readonly string[] };
  readonly denied_response?: { readonly status: { readonly code: number }; readonly headers: readonly HeaderValueOptionMessage[]; readonly body: string };
}

export interface AuthorizationProto {
  readonly definition: PackageDefinition;
  /** For `server.addService`. */
  readonly service: ServiceDefinition;
  /** For clients (tests, tools): `new Client(address, credentials)`. */
  readonly Client: ServiceClientConstructor;
  /** The HTTP statuses Envoy accepts in DeniedHttpResponse (envoy.type.v3.StatusCode; Envoy validates `defined_only`). */
  readonly httpStatuses: ReadonlySet<number>;
}

let loaded: AuthorizationProto | undefined;

export function authorizationProto(): AuthorizationProto {
  if (loaded !== undefined) return loaded;
  const definition = loadSync('envoy/service/auth/v3/external_auth.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
  });
  const service = definition['envoy.service.auth.v3.Authorization'] as ServiceDefinition;
  const statusEnum = definition['envoy.type.v3.StatusCode'] as EnumTypeDefinition;
  const values = (statusEnum.type as { value: readonly { number: number }[] }).value;
  loaded = {
    definition,
    service,
    Client: makeClientConstructor(service, 'envoy.service.auth.v3.Authorization'),
    httpStatuses: new Set(values.map((value) => value.number).filter((code) => code !== 0)),
  };
  return loaded;
}
