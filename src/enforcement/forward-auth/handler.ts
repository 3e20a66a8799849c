// The forward-auth endpoint (`/.tenet/forward-auth` on the proxy listener) for nginx
// `auth_request`, Caddy `forward_auth` and Traefik `ForwardAuth`. One request, as a table of steps:
//   trustedCaller   only proxy.trustedProxies may ask (they vouch for X-Forwarded-*)    → 403
//   chooseStyle     ?mode=nginx|redirect, else detected from the headers                 → 400
//   forwardedFacts  the ORIGINAL request rebuilt from the proxy's headers               → 400
//   clientCertificate  the certificate the proxy verified possession of, from its header
//                   (proxy.clientCertificateHeader); unreadable = no certificate (debug log)
//   authorize       the shared pipeline (HttpAccess): session, decision, decision log
//   forwardAuthAnswer  verdict → 200 + identity headers / 401 / 302 / 403
// Any failure answers 500 (nginx, Caddy and Traefik all refuse the request then): fail closed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HttpAccess, HttpRequestFacts } from '../access/http-access.js';
import { forwardedClientCertificate } from '../access/forwarded-client-certificate.js';
import { jsonAnswer, sendAnswer, type Answer, type RenderVerdict } from './answer.js';
import { forwardAuthAnswer } from './forward-auth-answer.js';
import { chooseStyle, forwardedFacts, type HeaderLookup } from './forwarded-request.js';
import { trustedPeers, type TrustedPeerTest } from '../access/trusted-peers.js';

export interface ForwardAuthDeps {
  readonly access: HttpAccess;
  /** `proxy.trustedProxies`: CIDRs of the proxies allowed to call; checked against the socket peer. */
  readonly trustedProxies: readonly string[];
  readonly renderVerdict: RenderVerdict;
  readonly logger: Logger;
  /** `proxy.clientCertificateHeader` (default X-Tenet-Client-Cert): where the trusted proxy passes the client certificate. */
  readonly clientCertificateHeader?: string;
}

export const DEFAULT_CLIENT_CERTIFICATE_HEADER = 'X-Tenet-Client-Cert';

/**
 * Adds the client certificate a trusted proxy passed in `header` (nginx, Caddy, Traefik and Envoy
 * forms: see forwarded-client-certificate.ts). Callers have checked the peer is a trusted proxy;
 * a value that cannot be read leaves the device unknown and is logged at debug (without the value).
 */
export function withForwardedCertificate(facts: HttpRequestFacts, values: readonly string[], header: string, logger: Logger): HttpRequestFacts {
  const forwarded = forwardedClientCertificate(values);
  if (!forwarded.ok) {
    logger.debug({ header, problem: forwarded.problem }, 'forwarded client certificate ignored: the device is unknown');
    return facts;
  }
  return forwarded.certificate === undefined ? facts : { ...facts, clientCertificate: forwarded.certificate };
}

export const UNTRUSTED_CALLER_MESSAGE = 'forward-auth caller is not a trusted proxy';

/** The request's headers, every value kept apart (Node's `headers` would join or drop duplicates). */
export function headerLookup(req: IncomingMessage): HeaderLookup {
  const distinct = req.headersDistinct;
  return (name) => distinct[name] ?? [];
}

/** `mode` from the query of the forward-auth URL; a repeated parameter is refused rather than picked from. */
function modeParameter(url: string | undefined): { ok: true; mode: string | null } | { ok: false } {
  // URLSearchParams on the query alone: a whole `new URL` per request costs more than the decision cache hit.
  const query = url?.indexOf('?') ?? -1;
  const all = query < 0 || url === undefined ? [] : new URLSearchParams(url.slice(query + 1)).getAll('mode');
  if (all.length > 1) return { ok: false };
  return { ok: true, mode: all[0] ?? null };
}

export function forwardAuthHandler(deps: ForwardAuthDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const isTrusted: TrustedPeerTest = trustedPeers(deps.trustedProxies);
  const logger = deps.logger.child({ pep: 'forward-auth' });
  const certificateHeader = deps.clientCertificateHeader ?? DEFAULT_CLIENT_CERTIFICATE_HEADER;

  async function answer(req: IncomingMessage): Promise<Answer> {
    const peer = req.socket.remoteAddress;
    if (!isTrusted(peer)) {
      logger.warn({ peer }, 'forward-auth call from an address outside proxy.trustedProxies refused');
      return jsonAnswer(403, UNTRUSTED_CALLER_MESSAGE);
    }
    const headers = headerLookup(req);
    const mode = modeParameter(req.url);
    if (!mode.ok) return refuse('mode', 'appears more than once in the query', peer);
    const style = chooseStyle(mode.mode, headers);
    if (!style.ok) return refuse(style.header, style.problem, peer);
    const parsed = forwardedFacts(style.style, headers, isTrusted);
    if (!parsed.ok) return refuse(parsed.header, parsed.problem, peer);
    const facts = withForwardedCertificate(parsed.facts, headers(certificateHeader.toLowerCase()), certificateHeader, logger);
    const verdict = await deps.access.authorize(facts, 'forward-auth');
    const result = await forwardAuthAnswer(style.style, verdict, facts, deps.renderVerdict);
    // The path is logged without its query: queries can carry tokens.
    logger.debug({ style: style.style, method: facts.method, host: facts.host, path: facts.path.split('?')[0], verdict: verdict.kind, status: result.status }, 'forward-auth answered');
    return result;
  }

  function refuse(header: string, problem: string, peer: string | undefined): Answer {
    logger.warn({ peer, header, problem }, 'forward-auth request refused: a proxy header is missing or malformed');
    return jsonAnswer(400, 'invalid forward-auth request', { header, problem: `${header} ${problem}` });
  }

  return async (req, res) => {
    // The original request's body is never needed (nginx and Caddy do not send it); drain whatever came.
    req.resume();
    let result: Answer;
    try {
      result = await answer(req);
    } catch (error) {
      logger.error({ err: error instanceof Error ? { message: error.message, name: error.name } : String(error) }, 'forward-auth failed; answering 500 (request refused)');
      result = jsonAnswer(500, 'forward-auth could not decide; the request is refused');
    }
    try {
      sendAnswer(res, result);
    } catch (error) {
      // Headers that cannot be written (a renderer bug): refuse rather than leave the proxy hanging.
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'forward-auth answer could not be written');
      if (!res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        sendAnswer(res, jsonAnswer(500, 'forward-auth could not decide; the request is refused'));
      } else {
        res.destroy();
      }
    }
  };
}
