// Delivers behaviour alerts to `behaviour.alerts.webhook`: JSON POSTs signed with HMAC-SHA256
// (header `Tenet-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`, so a receiver can
// check both origin and freshness), a timeout per attempt, and retries with doubling backoff on a
// network error, a timeout, 429 or 5xx. Never blocks a decision: `send` only queues; one
// delivery runs at a time; the queue is bounded (oldest dropped, with a warning).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';

export const SIGNATURE_HEADER = 'tenet-signature';
const MAX_QUEUE = 1000;

export interface AlertWebhookOptions {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
  /** Further attempts after the first fails. */
  readonly retries: number;
  /** First backoff; doubles per attempt. Default 1000 ms. */
  readonly backoffMs?: number;
  readonly logger: Logger;
  /** Injected for tests: how to wait between attempts. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected clock for the signature's timestamp. */
  readonly clock?: () => Date;
}

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): true when the header signs this body with this secret within `toleranceSeconds` of `now`. */
export function verifyWebhookSignature(secret: string, header: string, body: string, now: Date, toleranceSeconds = 300): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class AlertWebhook {
  readonly #queue: string[] = [];
  #running: Promise<void> | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #clock: () => Date;

  constructor(private readonly options: AlertWebhookOptions) {
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Queues one alert (any JSON value) and returns at once. */
  send(alert: unknown): void {
    this.#queue.push(JSON.stringify(alert));
    if (this.#queue.length > MAX_QUEUE) {
      this.#queue.shift();
      this.options.logger.warn({ webhook: redactedUrl(this.options.url) }, 'behaviour alert webhook queue full; oldest alert dropped');
    }
    this.#running ??= this.#deliverAll().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once every queued alert was delivered or given up on (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #deliverAll(): Promise<void> {
    for (let body = this.#queue.shift(); body !== undefined; body = this.#queue.shift()) await this.#deliver(body);
  }

  async #deliver(body: string): Promise<void> {
    const { url, retries, logger } = this.options;
    const backoff = this.options.backoffMs ?? 1000;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) await this.#sleep(backoff * 2 ** (attempt - 1));
      const outcome = await this.#attempt(body);
      if (outcome === 'delivered') return;
      if (outcome === 'rejected') break;
      logger.warn({ webhook: redactedUrl(url), attempt: attempt + 1, error: outcome }, 'behaviour alert webhook attempt failed');
    }
    logger.error({ webhook: redactedUrl(url) }, 'behaviour alert not delivered to the webhook; it stays in the log');
  }

  /** 'delivered', 'rejected' (a 4xx other than 429: retrying will not help), or the retryable failure. */
  async #attempt(body: string): Promise<'delivered' | 'rejected' | string> {
    const timestamp = Math.floor(this.#clock().getTime() / 1000);
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(this.options.secret, timestamp, body) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
      await response.body?.cancel();
      if (response.ok) return 'delivered';
      if (response.status === 429 || response.status >= 500) return `HTTP ${response.status}`;
      this.options.logger.error({ webhook: redactedUrl(this.options.url), status: response.status }, 'behaviour alert webhook refused the alert');
      return 'rejected';
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message;
    }
  }
}

/** The URL without credentials or query (which may carry a token) for logs. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
