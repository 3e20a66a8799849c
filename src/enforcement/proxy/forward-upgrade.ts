// Forwards an allowed WebSocket upgrade (RFC 6455 §4): the same upgrade request, cleaned like any
// forwarded request, goes to the upstream over its own connection; on 101 the two sockets are
// spliced and the pair is registered in LiveConnections with what it was admitted with (session,
// subject, device, client address, the decision, a re-check closure), so revoking the session cuts
// it and a changed signal re-checks it. An upstream that refuses the upgrade has its answer relayed
// and both closed.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import type { LiveConnection, LiveConnections, RecheckResult } from './live-connections.js';
import type { ProxyProblem } from './proxy-answers.js';
import { downstreamResponseHeaders } from './upstream-headers.js';
import type { UpstreamTarget } from './upstream-agents.js';
import type { ForwardFailure } from './forward-request.js';

export interface UpgradeOptions {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  /** Bytes the client sent after its upgrade request (normally none). */
  readonly head: Buffer;
  readonly target: UpstreamTarget;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly timeoutMs: number;
  readonly connections: LiveConnections;
  /** What the connection was admitted with (see admittedConnection). */
  readonly admitted: Admitted;
  /** Writes the proxy's own problem on the client socket and closes it. */
  answer(problem: ProxyProblem): void;
}

/** A live connection's registration, without the socket-closing part forwardUpgrade adds. */
export type Admitted = Omit<LiveConnection, 'close'>;

/**
 * What an allowed upgrade is registered with: the verdict's session, subject, device and decision
 * (its reevaluateAfterSeconds sets the periodic re-check), the client address, and — when the
 * proxy can decide afresh — a re-check of these very facts.
 */
export function admittedConnection(verdict: Extract<Verdict, { kind: 'allow' }>, facts: HttpRequestFacts, recheck: ((facts: HttpRequestFacts) => Promise<Verdict>) | undefined): Admitted {
  return {
    sessionId: verdict.session?.id,
    route: verdict.route.name,
    ...(verdict.subject === undefined ? {} : { subject: verdict.subject }),
    ...(verdict.deviceId === undefined ? {} : { deviceId: verdict.deviceId }),
    clientIp: facts.clientIp,
    decisionId: verdict.decision.id,
    reevaluateAfterSeconds: verdict.decision.obligations.reevaluateAfterSeconds,
    ...(recheck === undefined ? {} : { recheck: async () => recheckResult(await recheck(facts)) }),
  };
}

/** A verdict as a re-check's conclusion: only allow keeps the connection. */
export function recheckResult(verdict: Verdict): RecheckResult {
  const decisionId = 'decision' in verdict ? verdict.decision.id : undefined;
  const detail = verdict.kind === 'deny' ? verdict.decision.reasons.find((reason) => reason.effect === 'deny')?.message : verdict.kind === 'unauthenticated' || verdict.kind === 'device-required' ? verdict.problem : undefined;
  return {
    allowed: verdict.kind === 'allow',
    reason: detail === undefined ? verdict.kind : `${verdict.kind}: ${detail}`,
    ...(decisionId === undefined ? {} : { decisionId }),
  };
}

export interface UpgradeResult {
  /** The status the client received (101 when the connection was spliced). */
  readonly status: number;
  readonly upstreamMs?: number;
  readonly failure?: ForwardFailure;
  readonly error?: Error;
}

export function forwardUpgrade(options: UpgradeOptions): Promise<UpgradeResult> {
  const { socket } = options;
  return new Promise((resolve) => {
    const sentAt = performance.now();
    let settled = false;
    const settle = (result: UpgradeResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    const fail = (failure: ForwardFailure, problem: ProxyProblem, status: number, error?: Error): void => {
      if (settled) return;
      upstream.destroy();
      if (socket.writable) options.answer(problem);
      else socket.destroy();
      settle(error === undefined ? { status, failure } : { status, failure, error });
    };

    const upstream = options.target.request({ method: options.req.method ?? 'GET', path: options.path, headers: options.headers, pooled: false });
    const timer = options.timeoutMs > 0 ? setTimeout(() => fail('upstream-timeout', 'upstream-timeout', 504), options.timeoutMs) : undefined;
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (!settled) {
        upstream.destroy();
        settle({ status: 0, failure: 'client-aborted' });
      }
    });

    upstream.on('error', (error) => fail('upstream-unavailable', 'upstream-unavailable', 502, error));

    // The upstream answered without switching protocols: relay its answer, then close (the
    // response is close-delimited, RFC 9112 §6.3, so its body needs no re-framing).
    upstream.on('response', (upstreamRes) => {
      if (settled) return;
      const status = upstreamRes.statusCode ?? 502;
      const upstreamMs = performance.now() - sentAt;
      const headers = downstreamResponseHeaders(upstreamRes.rawHeaders);
      delete headers['content-length'];
      socket.write(head(status, { ...headers, connection: 'close' }));
      upstreamRes.pipe(socket);
      upstreamRes.on('error', () => socket.destroy());
      settle({ status, upstreamMs });
    });

    upstream.on('upgrade', (upstreamRes, upstreamSocket: Duplex, upstreamHead: Buffer) => {
      const upstreamMs = performance.now() - sentAt;
      if (settled || socket.destroyed) {
        upstreamSocket.destroy();
        return;
      }
      const headers = downstreamResponseHeaders(upstreamRes.rawHeaders);
      socket.write(head(101, { ...headers, connection: 'Upgrade', upgrade: upstreamRes.headers.upgrade ?? 'websocket' }));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (options.head.length > 0) upstreamSocket.write(options.head);
      const close = (): void => {
        socket.destroy();
        upstreamSocket.destroy();
      };
      const forget = options.connections.add({ ...options.admitted, close });
      const end = (): void => {
        forget();
        close();
      };
      socket.on('close', end);
      upstreamSocket.on('close', end);
      upstreamSocket.on('error', end);
      socket.pipe(upstreamSocket);
      upstreamSocket.pipe(socket);
      settle({ status: 101, upstreamMs });
    });

    upstream.end();
  });
}

function head(status: number, headers: OutgoingHttpHeaders): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(item)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
