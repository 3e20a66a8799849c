// The identity-aware reverse proxy (NIST SP 800-207 §3.2.3 resource portal / gateway PEP) on
// node:http directly, as a table of small steps per request:
//   requestFacts → refuse bad targets → reserved /.tenet/ paths → body limit → authorize
//   → renderVerdict (non-allow) | forwardRequest / forwardUpgrade (allow) → access log.
// Every decision is the pipeline's (HttpAccess); this file only moves bytes and enforces limits.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { durationSeconds } from '../../config/duration.js';
import type { ProxyConfig, RouteConfig } from '../../config/enforcement-schema.js';
import type { HttpAccess, HttpRequestFacts, Verdict } from '../access/http-access.js';
import { logAccess, type AccessLogEntry } from './access-log.js';
import { ConfiguredIdentityHeaders } from './configured-identity-headers.js';
import { forwardRequest } from './forward-request.js';
import { admittedConnection, forwardUpgrade } from './forward-upgrade.js';
import { listenOn, parseListen } from './listen.js';
import { LiveConnections } from './live-connections.js';
import { problemAnswer, rawResponse, writeAnswer, type Answer, type ProxyProblem } from './proxy-answers.js';
import { peerOf, requestFacts } from './request-facts.js';
import { hasDotSegment, isReservedPath, pathWithoutQuery } from './request-target.js';
import { trustedPeers } from '../access/trusted-peers.js';
import { UpstreamAgents, upstreamPath, type UpstreamTarget } from './upstream-agents.js';
import { upstreamRequestHeaders } from './upstream-headers.js';
import { clientCertificateServerOptions, type ClientCertificateTls } from './tls-client-certificate.js';

export type Refusal = Exclude<Verdict, { kind: 'allow' }>;
type Allow = Extract<Verdict, { kind: 'allow' }>;

export interface ProxyDeps {
  /** listen, trustedProxies, assertionHeader, limits. */
  readonly config: ProxyConfig;
  /** Terminate TLS with this certificate (resolved by the composition root); `clientCertificates` asks clients for device certificates (mTLS). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly clientCertificates?: ClientCertificateTls };
  readonly access: HttpAccess;
  /** Renders a non-allow verdict as an HTTP answer (status, headers, body). */
  renderVerdict(verdict: Refusal, facts: HttpRequestFacts): { status: number; headers: Record<string, string>; body: string };
  /** Handles reserved paths under /.tenet/ (login, callback, logout, JWKS, forward-auth, ext_authz HTTP); resolves false when not handled → 404. */
  reserved(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts): Promise<boolean>;
  /** CA bundle for a route's https upstream (default: the system CAs). */
  readonly upstreamCa?: (route: RouteConfig) => Buffer | undefined;
  /** Tenet's session cookie name, never forwarded upstream (default `__Host-tenet_session`). */
  readonly sessionCookieName?: string;
  /** Every configured route, read per request: their `headers` names are stripped from all client requests. Without it only the matched route's names are. */
  readonly routes?: () => readonly RouteConfig[];
  readonly logger: Logger;
  /** Registry of upgraded connections (continuous verification watches it); a private one when absent. */
  readonly connections?: LiveConnections;
  /** Decides a live connection's original facts afresh, bypassing the decision cache; absent: connections cannot be re-checked. */
  readonly recheck?: (facts: HttpRequestFacts) => Promise<Verdict>;
}

export interface RunningProxy {
  /** The bound URL, e.g. "https://127.0.0.1:8443". */
  readonly url: string;
  readonly server: Server | HttpsServer;
  /** Live upgraded connections, by session id, for revocation. */
  readonly connections: LiveConnections;
  /** Stops accepting, cuts live upgraded connections and idle keep-alive connections, lets in-flight requests finish (at most STOP_GRACE_MS). */
  stop(): Promise<void>;
}

const DEFAULT_SESSION_COOKIE = '__Host-tenet_session';
/** Slow-loris bound on the request head, whatever requestTimeout allows for the body. */
const HEADERS_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export async function startProxy(deps: ProxyDeps): Promise<RunningProxy> {
  const { config, logger } = deps;
  const { host, port } = parseListen(config.listen);
  // Validates proxy.trustedProxies now, so a bad entry stops the start instead of failing requests.
  const isTrusted = trustedPeers(config.trustedProxies);
  const agents = new UpstreamAgents(deps.upstreamCa ?? (() => undefined));
  const connections = deps.connections ?? new LiveConnections();
  const identityHeaders = new ConfiguredIdentityHeaders(config.assertionHeader, deps.routes, config.clientCertificateHeader);
  const sessionCookieName = deps.sessionCookieName ?? DEFAULT_SESSION_COOKIE;
  const bodyLimit = config.limits.bodyBytes;
  const requestTimeout = durationSeconds(config.limits.requestTimeout) * 1000;

  const serverOptions: ServerOptions = {
    // An oversized head is refused by node:http's parser (HPE_HEADER_OVERFLOW → 431 in onClientError).
    maxHeaderSize: config.limits.headerBytes,
    requestTimeout,
    headersTimeout: requestTimeout === 0 ? HEADERS_TIMEOUT_MS : Math.min(requestTimeout, HEADERS_TIMEOUT_MS),
    keepAliveTimeout: durationSeconds(config.limits.keepAliveTimeout) * 1000,
    requireHostHeader: true,
  };
  const server = deps.tls
    ? createHttpsServer({
        ...serverOptions,
        cert: deps.tls.cert,
        key: deps.tls.key,
        // A client certificate is requested, never required: a device without one is an unknown
        // device (a policy decision), not a failed handshake (see tls-client-certificate.ts).
        ...(deps.tls.clientCertificates === undefined ? { requestCert: false } : clientCertificateServerOptions(deps.tls.clientCertificates)),
        minVersion: 'TLSv1.2',
      })
    : createHttpServer(serverOptions);
  server.keepAliveTimeout = serverOptions.keepAliveTimeout ?? 5_000;

  const headersFor = (req: IncomingMessage, facts: HttpRequestFacts, verdict: Allow, target: UpstreamTarget, upgrade?: string) =>
    upstreamRequestHeaders({
      rawHeaders: req.rawHeaders,
      facts,
      peer: peerOf(req, isTrusted),
      identity: verdict.headers,
      configuredIdentityHeaders: identityHeaders.for(verdict.route),
      sessionCookieName,
      host: verdict.route.preserveHost ? facts.host : target.host,
      ...(upgrade === undefined ? {} : { upgrade }),
    });

  async function handleRequest(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts, log: LogFields, expectContinue: boolean): Promise<void> {
    const answer = (problem: ProxyProblem, close = bodyUnread(req), decisionId?: string): void =>
      writeAnswer(res, problemAnswer(problem, { accept: facts.accept, decisionId }), close);
    if (refusedTarget(facts)) return answer('bad-request');
    if (isReservedPath(facts.path)) {
      log.outcome = 'reserved';
      if (expectContinue) res.writeContinue();
      const handled = await deps.reserved(req, res, facts);
      if (!handled && !res.headersSent) answer('not-found');
      return;
    }
    if (bodyLimit > 0 && declaredLength(req) > bodyLimit) {
      log.failure = 'body-too-large';
      return answer('body-too-large', true);
    }
    const verdict = await deps.access.authorize(facts, 'proxy');
    noteVerdict(log, verdict);
    if (verdict.kind !== 'allow') {
      writeAnswer(res, deps.renderVerdict(verdict, facts), bodyUnread(req));
      return;
    }
    const target = agents.target(verdict.route);
    if (target === undefined) {
      logger.warn({ route: verdict.route.name }, 'allowed request for a route without an upstream');
      log.failure = 'no-upstream';
      return answer('upstream-unavailable', bodyUnread(req), verdict.decision.id);
    }
    const result = await forwardRequest({
      req,
      res,
      target,
      path: upstreamPath(target.url, facts.path),
      headers: headersFor(req, facts, verdict, target),
      bodyLimit,
      timeoutMs: durationSeconds(verdict.route.timeout) * 1000,
      expectContinue,
      answer: (problem, close) => answer(problem, close, verdict.decision.id),
    });
    log.upstreamMs = result.upstreamMs;
    log.failure = result.failure;
    if (result.failure === 'upstream-unavailable' || result.failure === 'upstream-timeout') {
      logger.warn({ route: verdict.route.name, upstream: target.url.origin, failure: result.failure, err: result.error?.message, decisionId: verdict.decision.id }, 'upstream failed');
    }
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, facts: HttpRequestFacts, log: LogFields): Promise<number> {
    const refuse = (answer: Answer): number => {
      socket.end(rawResponse(answer));
      socket.once('finish', () => socket.destroy());
      return answer.status;
    };
    const problem = (name: ProxyProblem, decisionId?: string): number => refuse(problemAnswer(name, { accept: facts.accept, decisionId }));
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') return problem('unsupported-upgrade');
    if (refusedTarget(facts)) return problem('bad-request');
    // Reserved endpoints are plain HTTP; an upgrade there is refused, never forwarded.
    if (isReservedPath(facts.path)) return problem('not-found');
    const verdict = await deps.access.authorize(facts, 'proxy');
    noteVerdict(log, verdict);
    if (verdict.kind !== 'allow') return refuse(deps.renderVerdict(verdict, facts));
    if (!verdict.route.websockets) {
      log.failure = 'websockets-disabled';
      return problem('websocket-not-allowed', verdict.decision.id);
    }
    const target = agents.target(verdict.route);
    if (target === undefined) {
      log.failure = 'no-upstream';
      return problem('upstream-unavailable', verdict.decision.id);
    }
    const result = await forwardUpgrade({
      req,
      socket,
      head,
      target,
      path: upstreamPath(target.url, facts.path),
      headers: headersFor(req, facts, verdict, target, 'websocket'),
      timeoutMs: durationSeconds(verdict.route.timeout) * 1000,
      connections,
      admitted: admittedConnection(verdict, facts, deps.recheck),
      answer: (name) => void problem(name, verdict.decision.id),
    });
    log.upstreamMs = result.upstreamMs;
    log.failure = result.failure;
    if (result.failure === 'upstream-unavailable' || result.failure === 'upstream-timeout') {
      logger.warn({ route: verdict.route.name, upstream: target.url.origin, failure: result.failure, err: result.error?.message, decisionId: verdict.decision.id }, 'upstream failed');
    }
    return result.status;
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
    const startedAt = performance.now();
    const facts = requestFacts(req, config.trustedProxies);
    const log: LogFields = { outcome: 'rejected' };
    const closed = new Promise<void>((resolve) => res.once('close', resolve));
    const handled = handleRequest(req, res, facts, log, expectContinue).catch((error: unknown) => {
      log.outcome = 'error';
      logger.error({ err: (error as Error).message, path: pathWithoutQuery(facts.path) }, 'proxy request failed');
      if (!res.headersSent) writeAnswer(res, problemAnswer('internal-error', { accept: facts.accept }), true);
      else res.destroy();
    });
    // Logged once the answer is over and the handler has noted what happened (its last notes land
    // after the response has finished).
    void Promise.all([handled, closed]).then(() => logAccess(logger, { ...accessEntry(facts, log, startedAt), status: res.statusCode }));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, false));
  // Expect: 100-continue (RFC 9110 §10.1.1): the go-ahead is sent only once the request is allowed,
  // so a refused client never uploads its body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, true));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const startedAt = performance.now();
    const facts = requestFacts(req, config.trustedProxies);
    const log: LogFields = { outcome: 'rejected' };
    socket.on('error', () => socket.destroy());
    handleUpgrade(req, socket, head, facts, log)
      .then((status) => logAccess(logger, { ...accessEntry(facts, log, startedAt), status, websocket: true }))
      .catch((error: unknown) => {
        logger.error({ err: (error as Error).message }, 'proxy upgrade failed');
        if (socket.writable) socket.end(rawResponse(problemAnswer('internal-error', { accept: facts.accept })));
        socket.destroy();
        logAccess(logger, { ...accessEntry(facts, { ...log, outcome: 'error' }, startedAt), status: 500, websocket: true });
      });
  });
  // CONNECT (a forward-proxy tunnel) is not something a reverse proxy offers.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(rawResponse(problemAnswer('method-not-allowed')));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => onClientError(error, socket, logger));
  if (deps.tls) server.on('tlsClientError', (error: Error) => logger.debug({ err: error.message }, 'TLS handshake failed'));

  const address = await listenOn(server, host, port);
  const url = `${deps.tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, 'identity-aware proxy listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    server,
    connections,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        const cutInFlight = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        server.close(() => {
          clearTimeout(cutInFlight);
          resolve();
        });
        connections.closeAll();
        server.closeIdleConnections();
      }).finally(() => agents.destroy());
      return stopping;
    },
  };
}

/** What the access log learns while a request is handled. */
interface LogFields {
  outcome: string;
  decisionId?: string | undefined;
  route?: string | undefined;
  failure?: string | undefined;
  upstreamMs?: number | undefined;
}

function noteVerdict(log: LogFields, verdict: Verdict): void {
  log.outcome = verdict.kind;
  if ('decision' in verdict) log.decisionId = verdict.decision.id;
  if ('route' in verdict) log.route = verdict.route.name;
}

function accessEntry(facts: HttpRequestFacts, log: LogFields, startedAt: number): Omit<AccessLogEntry, 'status'> {
  return { method: facts.method, host: facts.host, path: facts.path, ...log, durationMs: performance.now() - startedAt };
}

/** No usable Host, a target that is not origin- or absolute-form, or dot segments (see request-target.ts). */
function refusedTarget(facts: HttpRequestFacts): boolean {
  return facts.host === '' || !facts.path.startsWith('/') || hasDotSegment(facts.path);
}

/** Content-Length as declared (0 when absent; node:http has already refused malformed values). */
function declaredLength(req: IncomingMessage): number {
  const header = req.headers['content-length'];
  return header === undefined ? 0 : Number(header);
}

/** True when the client may still be sending a body we will not read: close the connection after answering rather than drain it. */
function bodyUnread(req: IncomingMessage): boolean {
  return !req.complete && (declaredLength(req) > 0 || req.headers['transfer-encoding'] !== undefined);
}

/** node:http parse errors (oversized head, malformed request, header timeout) answered cleanly, with a body, then closed. */
function onClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  logger.debug({ code: error.code }, 'client error');
  // A response already under way on this connection cannot be replaced by another one.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent === true) {
    socket.destroy();
    return;
  }
  const problem: ProxyProblem =
    error.code === 'HPE_HEADER_OVERFLOW' ? 'headers-too-large' : error.code === 'HPE_HEADERS_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request-timeout' : 'bad-request';
  socket.end(rawResponse(problemAnswer(problem)));
  socket.once('finish', () => socket.destroy());
}
