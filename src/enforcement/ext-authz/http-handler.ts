// Envoy ext_authz in HTTP service mode, mounted at `<extAuthz.httpPathPrefix>/*` on the proxy
// listener. Envoy sends the original method, `path_prefix` + the original path and query, the
// original Host, and the headers its `allowed_headers` lists (cookie, accept, user-agent,
// x-forwarded-proto, x-forwarded-for: see docs/integrations/envoy.md). Steps:
//   trustedCaller    only proxy.trustedProxies may ask                          → 403
//   originalRequest  method, path after the prefix, Host, X-Forwarded-Proto / -For → 400
//   clientCertificate  only when `clientCertificateHeader` is given (Envoy adds it with
//                    headers_to_add: %DOWNSTREAM_PEER_CERT%); unreadable = no device. Off by
//                    default: the documented allowed_headers pass client-sent x-tenet-* headers
//                    (so they can be removed), and a client's own value must never name a device.
//                    Device certificates with Envoy go through gRPC (source.certificate).
//   authorize        the shared pipeline (HttpAccess)                           → 403 on failure
//   answer           200 + identity headers + x-envoy-auth-headers-to-remove, or the status,
//                    headers and body Envoy sends to the client
// Envoy treats a 5xx from this service as a service failure (and `failure_mode_allow` may then let
// the request through), so no refusal here is ever a 5xx.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HttpAccess, HttpRequestFacts } from '../access/http-access.js';
import { sendAnswer, type Answer, type RenderVerdict } from '../forward-auth/answer.js';
import { clientIpFromForwardedFor } from '../forward-auth/client-ip.js';
import { clientHeaders, requestLine, type Parsed } from '../forward-auth/forwarded-request.js';
import { headerLookup, withForwardedCertificate } from '../forward-auth/handler.js';
import { trustedPeers } from '../access/trusted-peers.js';
import { DEFAULT_ASSERTION_HEADER, extAuthzAnswer, invalidRequest, undecided, untrustedCaller, type ExtAuthzAnswer } from './ext-authz-answer.js';

export interface ExtAuthzHttpDeps {
  readonly access: HttpAccess;
  /** `proxy.trustedProxies`: the Envoy instances allowed to call. */
  readonly trustedProxies: readonly string[];
  readonly renderVerdict: RenderVerdict;
  readonly logger: Logger;
  /** `extAuthz.httpPathPrefix`, e.g. "/.tenet/ext-authz" (Envoy's http_service.path_prefix). */
  readonly pathPrefix: string;
  /** `proxy.assertionHeader` (default X-Tenet-Assertion). */
  readonly assertionHeader?: string;
  /** Where Envoy passes the client certificate (headers_to_add with %DOWNSTREAM_PEER_CERT%); absent = certificates are not read (see the header comment). */
  readonly clientCertificateHeader?: string;
}

/** Envoy's HTTP-service counterpart of OkHttpResponse.headers_to_remove. */
export const HEADERS_TO_REMOVE = 'x-envoy-auth-headers-to-remove';

function single(req: IncomingMessage, name: string, display: string): Parsed<{ readonly value: string }> {
  const values = req.headersDistinct[name] ?? [];
  if (values.length === 0) return { ok: false, header: display, problem: 'is missing' };
  if (values.length > 1) return { ok: false, header: display, problem: 'appears more than once' };
  return { ok: true, value: (values[0] as string).trim() };
}

export function originalRequest(req: IncomingMessage, pathPrefix: string, isTrusted: (address: string | undefined) => boolean): Parsed<{ readonly facts: HttpRequestFacts }> {
  const url = req.url ?? '';
  // Envoy appends the original path (always "/...") to the prefix; anything else is not from Envoy.
  const prefix = pathPrefix.endsWith('/') ? pathPrefix.slice(0, -1) : pathPrefix;
  if (!url.startsWith(`${prefix}/`)) return { ok: false, header: ':path', problem: `does not start with ${prefix}/` };
  const path = url.slice(prefix.length);
  const host = single(req, 'host', 'Host');
  if (!host.ok) return host;
  const proto = single(req, 'x-forwarded-proto', 'X-Forwarded-Proto');
  if (!proto.ok) return proto;
  const line = requestLine(
    { value: req.method ?? '', header: ':method' },
    { value: proto.value, header: 'X-Forwarded-Proto' },
    { value: host.value, header: 'Host' },
    { value: path, header: ':path' },
  );
  if (!line.ok) return line;
  const headers = headerLookup(req);
  const forwardedFor = headers('x-forwarded-for');
  if (forwardedFor.length === 0) return { ok: false, header: 'X-Forwarded-For', problem: 'is missing (list x-forwarded-for in allowed_headers)' };
  const client = clientIpFromForwardedFor(forwardedFor, isTrusted);
  if (!client.ok) return { ok: false, header: 'X-Forwarded-For', problem: client.problem };
  const { ok: _ok, ...requestFacts } = line;
  return { ok: true, facts: { ...requestFacts, clientIp: client.ip, ...clientHeaders(headers) } };
}

function httpAnswer(answer: ExtAuthzAnswer): Answer {
  if (answer.kind === 'allow') {
    const remove = answer.headersToRemove.length > 0 ? { [HEADERS_TO_REMOVE]: answer.headersToRemove.join(', ') } : {};
    return { status: 200, headers: { ...answer.headers, ...remove }, body: '' };
  }
  return { status: answer.status, headers: answer.headers, body: answer.body };
}

export function extAuthzHttpHandler(deps: ExtAuthzHttpDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const isTrusted = trustedPeers(deps.trustedProxies);
  const logger = deps.logger.child({ pep: 'ext-authz', transport: 'http' });
  const assertionHeader = deps.assertionHeader ?? DEFAULT_ASSERTION_HEADER;
  const certificateHeader = deps.clientCertificateHeader;

  async function answer(req: IncomingMessage): Promise<ExtAuthzAnswer> {
    const peer = req.socket.remoteAddress;
    if (!isTrusted(peer)) {
      logger.warn({ peer }, 'ext_authz call from an address outside proxy.trustedProxies refused');
      return untrustedCaller();
    }
    const parsed = originalRequest(req, deps.pathPrefix, isTrusted);
    if (!parsed.ok) {
      logger.warn({ peer, header: parsed.header, problem: parsed.problem }, 'ext_authz request refused: it could not be understood');
      return invalidRequest(parsed.header, parsed.problem);
    }
    const facts = certificateHeader === undefined ? parsed.facts : withForwardedCertificate(parsed.facts, req.headersDistinct[certificateHeader.toLowerCase()] ?? [], certificateHeader, logger);
    const verdict = await deps.access.authorize(facts, 'ext-authz');
    logger.debug({ method: facts.method, host: facts.host, path: facts.path.split('?')[0], verdict: verdict.kind }, 'ext_authz answered');
    return extAuthzAnswer(verdict, facts, deps.renderVerdict, { assertionHeader, requestHeaderNames: Object.keys(req.headersDistinct) });
  }

  return async (req, res) => {
    req.resume();
    let result: ExtAuthzAnswer;
    try {
      result = await answer(req);
    } catch (error) {
      logger.error({ err: error instanceof Error ? { message: error.message, name: error.name } : String(error) }, 'ext_authz failed; denying');
      result = undecided();
    }
    try {
      sendAnswer(res, httpAnswer(result));
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'ext_authz answer could not be written; denying');
      if (!res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        sendAnswer(res, httpAnswer(undecided()));
      } else {
        res.destroy();
      }
    }
  };
}
