// `tenet agent run`'s loop: one cycle (renew if due, collect, report) now and then every interval
// (or sooner when the server asks for it); after a failure that retrying can fix (network, 5xx,
// a stale clock) the next try backs off exponentially with full jitter, so a fleet of agents that
// lost the server together does not return together; a refusal retrying cannot fix (revoked,
// unknown device, local state) ends the loop with that error. Stops cleanly when `signal` aborts.
import { isTenetError } from '../errors.js';
import { AgentServerUnreachable, isAgentServerRefusal } from './server-client.js';

export interface RunScheduleOptions {
  readonly intervalMs: number;
  /** One cycle; may ask for the next one sooner. */
  readonly cycle: () => Promise<{ readonly nextInMs?: number }>;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal;
  readonly onRetry: (error: unknown, retryInMs: number) => void;
  readonly random?: () => number;
}

const FIRST_RETRY_MS = 5_000;
const MIN_DELAY_MS = 1_000;
/** Server refusals that say this device can no longer report here. */
const TERMINAL_REFUSALS = new Set(['device_revoked', 'unknown_device', 'not_enabled', 'invalid_request']);

export async function runOnSchedule(options: RunScheduleOptions): Promise<void> {
  const random = options.random ?? Math.random;
  let failures = 0;
  while (!options.signal.aborted) {
    let delay: number;
    try {
      const { nextInMs } = await options.cycle();
      failures = 0;
      delay = Math.max(MIN_DELAY_MS, Math.min(options.intervalMs, nextInMs ?? options.intervalMs));
    } catch (error) {
      if (!retryable(error)) throw error;
      failures += 1;
      delay = backoffDelay(failures, FIRST_RETRY_MS, options.intervalMs, random);
      options.onRetry(error, delay);
    }
    if (options.signal.aborted) return;
    await options.sleep(delay, options.signal);
  }
}

export function retryable(error: unknown): boolean {
  if (error instanceof AgentServerUnreachable) return true;
  if (isAgentServerRefusal(error)) return error.status >= 500 || !TERMINAL_REFUSALS.has(error.error);
  // Our own state or input is wrong: waiting does not fix it. Anything unexpected is retried.
  return !isTenetError(error);
}

/** "Full jitter": uniform in [MIN_DELAY, min(max, first · 2^(failures−1))]. */
export function backoffDelay(failures: number, firstMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(Math.max(maxMs, MIN_DELAY_MS), firstMs * 2 ** Math.min(failures - 1, 30));
  return Math.max(MIN_DELAY_MS, Math.round(random() * ceiling));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
