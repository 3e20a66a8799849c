// Forwards one allowed request and streams the answer back: the request body is pumped to the
// upstream as it arrives (counting bytes against the body limit) and the upstream's response is
// piped to the client as it arrives; nothing is buffered whole. Failures before the response
// starts become the proxy's own 413/502/504; after it starts the client connection is cut, so a
// truncated body can never look complete.
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ProxyProblem } from './proxy-answers.js';
import { downstreamResponseHeaders } from './upstream-headers.js';
import type { UpstreamTarget } from './upstream-agents.js';

export type ForwardFailure = 'upstream-unavailable' | 'upstream-timeout' | 'body-too-large' | 'client-aborted' | 'upstream-aborted';

/** Methods whose repetition has no further effect (RFC 9110 §9.2.2), retried once on a stale pooled connection. */
const RETRIABLE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ForwardResult {
  /** Milliseconds from sending the request to the upstream's response headers. */
  readonly upstreamMs?: number;
  readonly failure?: ForwardFailure;
  /** The error behind an upstream failure, for the log only (never shown to the client). */
  readonly error?: Error;
}

export interface ForwardOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly target: UpstreamTarget;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** Largest body forwarded (0 = no limit). */
  readonly bodyLimit: number;
  /** Time allowed for the upstream's response headers, ms (0 = none). */
  readonly timeoutMs: number;
  /** The client sent Expect: 100-continue and is waiting for our go-ahead before sending the body. */
  readonly expectContinue: boolean;
  /** Answers with the proxy's own problem; only called before the response has started. */
  answer(problem: ProxyProblem, close: boolean): void;
}

export function forwardRequest(options: ForwardOptions): Promise<ForwardResult> {
  const { req, res } = options;
  const method = req.method ?? 'GET';
  // Framing headers were set from the client's own framing (upstream-headers.ts).
  const bodyless = options.headers['content-length'] === undefined && options.headers['transfer-encoding'] === undefined;
  const retriable = bodyless && RETRIABLE_METHODS.has(method);
  return new Promise((resolve) => {
    const sentAt = performance.now();
    let upstream: ClientRequest;
    let upstreamMs: number | undefined;
    let retried = false;
    let settled = false;
    const settle = (result: ForwardResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(upstreamMs === undefined ? result : { ...result, upstreamMs });
    };
    const fail = (failure: ForwardFailure, problem: ProxyProblem | undefined, error?: Error): void => {
      if (settled) return;
      upstream.destroy();
      if (problem !== undefined && !res.headersSent) options.answer(problem, true);
      else res.destroy();
      settle(error === undefined ? { failure } : { failure, error });
    };

    const open = (): ClientRequest => {
      const attempt = options.target.request({ method, path: options.path, headers: options.headers, pooled: true });
      upstream = attempt;
      attempt.on('error', (error) => {
        // RFC 9110 §9.2.2 / RFC 9112 §9.3.1: an idempotent request without a body may be retried
        // once when a pooled connection turns out to have been closed by the upstream while idle.
        if (!settled && retriable && !retried && attempt.reusedSocket && upstreamMs === undefined) {
          retried = true;
          open();
          return;
        }
        fail('upstream-unavailable', 'upstream-unavailable', error);
      });
      attempt.on('response', (upstreamRes) => {
        upstreamMs = performance.now() - sentAt;
        if (timer !== undefined) clearTimeout(timer);
        if (settled || res.destroyed) {
          attempt.destroy();
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, downstreamResponseHeaders(upstreamRes.rawHeaders));
        upstreamRes.on('error', (error) => fail('upstream-aborted', undefined, error));
        upstreamRes.on('aborted', () => fail('upstream-aborted', undefined));
        upstreamRes.pipe(res);
      });
      if (bodyless) attempt.end();
      return attempt;
    };

    const timer = options.timeoutMs > 0 ? setTimeout(() => fail('upstream-timeout', 'upstream-timeout'), options.timeoutMs) : undefined;
    res.on('finish', () => settle({}));
    res.on('close', () => {
      // The client went away (or we cut it) before the answer was complete: stop the upstream too.
      if (!res.writableFinished) fail('client-aborted', undefined);
    });
    const first = open();
    if (options.expectContinue) res.writeContinue();
    if (bodyless) req.resume();
    else pumpBody(req, first, options.bodyLimit, () => fail('body-too-large', 'body-too-large'));
  });
}

/** Copies the request body to the upstream with backpressure, stopping at the limit. */
function pumpBody(req: IncomingMessage, upstream: ClientRequest, limit: number, tooLarge: () => void): void {
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (limit > 0 && received > limit) {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      tooLarge();
      return;
    }
    if (!upstream.write(chunk)) {
      req.pause();
      upstream.once('drain', () => req.resume());
    }
  };
  const onEnd = (): void => {
    upstream.end();
  };
  req.on('data', onData);
  req.on('end', onEnd);
}
