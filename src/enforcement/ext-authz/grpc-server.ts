// Envoy ext_authz over gRPC: serves envoy.service.auth.v3.Authorization/Check on
// `extAuthz.grpcListen` (plaintext HTTP/2; keep it on loopback or a private network). Each Check:
//   trustedPeer         when trustedPeers is given, only those may ask       → PERMISSION_DENIED denial
//   checkRequestFacts   CheckRequest → HttpRequestFacts                     → INVALID_ARGUMENT denial
//   clientCertificate   attributes.source.certificate (include_peer_certificate); unreadable = no device
//   authorize           the shared pipeline (HttpAccess)                     → INTERNAL denial on failure
//   extAuthzAnswer      verdict → OK + ok_response, or a denial with denied_response
// The RPC itself always succeeds: see ext-authz-answer.ts for why refusals are never RPC errors.
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { HttpAccess } from '../access/http-access.js';
import type { HeaderValues, RenderVerdict } from '../forward-auth/answer.js';
import { canonicalIp, trustedPeers } from '../access/trusted-peers.js';
import { APPEND_ACTION, authorizationProto, RPC_CODE, type CheckRequestMessage, type CheckResponseMessage, type HeaderValueOptionMessage } from './authorization-proto.js';
import { checkRequestFacts, checkRequestHeaderNames } from './check-request-facts.js';
import { withForwardedCertificate } from '../forward-auth/handler.js';
import { DEFAULT_ASSERTION_HEADER, extAuthzAnswer, invalidRequest, undecided, untrustedCaller, type ExtAuthzAnswer } from './ext-authz-answer.js';

export interface ExtAuthzGrpcDeps {
  /** HOST:PORT (`extAuthz.grpcListen`); port 0 picks a free port. */
  readonly listen: string;
  readonly access: HttpAccess;
  readonly renderVerdict: RenderVerdict;
  readonly logger: Logger;
  /** `proxy.assertionHeader`: removed from upstream requests whenever Tenet does not set it (default X-Tenet-Assertion). */
  readonly assertionHeader?: string;
  /** When given (`proxy.trustedProxies`), a Check from any other peer is denied: only Envoy may name requests. */
  readonly trustedPeers?: readonly string[];
}

/**
 * The address in a grpc-js peer string: `remoteAddress:remotePort` from the HTTP/2 socket
 * ("127.0.0.1:50000", "::1:50000"), also in the "ipv4:"/"ipv6:[…]" form of gRPC core. undefined
 * when there is none (unix sockets, "unknown").
 */
export function peerAddress(peer: string): string | undefined {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return canonicalIp(bracketed[1] ?? '');
  const withPort = /^(.+):\d+$/.exec(bare);
  return canonicalIp(withPort?.[1] ?? bare) ?? canonicalIp(bare);
}

export interface ExtAuthzGrpcServer {
  readonly port: number;
  /** Stops accepting calls and waits for the ones in flight. */
  stop(): Promise<void>;
}

/**
 * Header options for Envoy. OVERWRITE_IF_EXISTS_OR_ADD replaces a client-sent header of the same
 * name; without it newer Envoy appends (append_action defaults to APPEND_IF_EXISTS_OR_ADD), which
 * would leave a forged value beside ours. Envoy versions that predate append_action ignore it and
 * overwrite by default in these messages. A second value of one name (Set-Cookie) is appended.
 */
export function headerOptions(headers: HeaderValues): HeaderValueOptionMessage[] {
  const options: HeaderValueOptionMessage[] = [];
  for (const [key, value] of Object.entries(headers)) {
    const values = typeof value === 'string' ? [value] : value;
    values.forEach((one, index) => {
      options.push({ header: { key: key.toLowerCase(), value: one }, append_action: index === 0 ? APPEND_ACTION.OVERWRITE_IF_EXISTS_OR_ADD : APPEND_ACTION.APPEND_IF_EXISTS_OR_ADD });
    });
  }
  return options;
}

export function checkResponse(answer: ExtAuthzAnswer): CheckResponseMessage {
  if (answer.kind === 'allow') {
    return { status: { code: RPC_CODE.OK }, ok_response: { headers: headerOptions(answer.headers), headers_to_remove: [...answer.headersToRemove] } };
  }
  return {
    status: { code: answer.rpcCode },
    denied_response: { status: { code: answer.status }, headers: headerOptions(answer.headers), body: answer.body },
  };
}

export async function startExtAuthzGrpc(deps: ExtAuthzGrpcDeps): Promise<ExtAuthzGrpcServer> {
  const proto = authorizationProto();
  const logger = deps.logger.child({ pep: 'ext-authz', transport: 'grpc' });
  const assertionHeader = deps.assertionHeader ?? DEFAULT_ASSERTION_HEADER;
  const isTrusted = deps.trustedPeers === undefined ? () => true : trustedPeers(deps.trustedPeers);

  async function check(request: CheckRequestMessage, peer: string): Promise<ExtAuthzAnswer> {
    if (!isTrusted(peerAddress(peer))) {
      logger.warn({ peer }, 'ext_authz Check from an address outside the trusted peers refused');
      return untrustedCaller();
    }
    const parsed = checkRequestFacts(request);
    if (!parsed.ok) {
      logger.warn({ field: parsed.header, problem: parsed.problem }, 'ext_authz Check refused: the request could not be understood');
      return invalidRequest(parsed.header, parsed.problem);
    }
    // Envoy fills the certificate from its own TLS handshake with the client (the peer is trusted).
    const certificate = request.attributes?.source?.certificate;
    const facts = withForwardedCertificate(parsed.facts, certificate === undefined ? [] : [certificate], 'attributes.source.certificate', logger);
    const verdict = await deps.access.authorize(facts, 'ext-authz');
    const answer = await extAuthzAnswer(verdict, facts, deps.renderVerdict, {
      assertionHeader,
      requestHeaderNames: checkRequestHeaderNames(request),
      acceptableStatus: (status) => proto.httpStatuses.has(status),
    });
    // The path is logged without its query: queries can carry tokens.
    logger.debug({ method: facts.method, host: facts.host, path: facts.path.split('?')[0], verdict: verdict.kind }, 'ext_authz Check answered');
    return answer;
  }

  const server = new Server();
  server.addService(proto.service, {
    Check: (call: ServerUnaryCall<CheckRequestMessage, CheckResponseMessage>, callback: sendUnaryData<CheckResponseMessage>) => {
      check(call.request, call.getPeer())
        .catch((error: unknown) => {
          logger.error({ err: error instanceof Error ? { message: error.message, name: error.name } : String(error) }, 'ext_authz Check failed; denying');
          return undecided();
        })
        .then((answer) => callback(null, checkResponse(answer)))
        .catch((error: unknown) => {
          // Serialization failed (a renderer produced something unencodable): still a denial.
          logger.error({ err: error instanceof Error ? error.message : String(error) }, 'ext_authz answer could not be encoded; denying');
          callback(null, checkResponse(undecided()));
        });
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(deps.listen, ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });
  logger.info({ listen: deps.listen, port }, 'ext_authz gRPC service listening');

  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
