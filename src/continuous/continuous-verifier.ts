// The continuous verifier (NIST SP 800-207 §2.1 tenet 6, §3.3: access is re-evaluated while it
// lasts). Subscribed to SignalChanges, it routes each change by the tags cached decisions and live
// connections carry:
//   sessions → drop their cached decisions and reused session records, cut their live connections
//   subject  → drop the subject's decisions, re-check its live connections
//   device   → drop the device's decisions, re-check the connections it opened
//   network  → drop decisions for client addresses inside the prefixes, re-check those connections
//   all      → clear the cache, re-check every live connection
// A re-check runs the access pipeline again for the connection's original facts without the cache;
// anything but allow cuts the connection (fail closed: so does a re-check that throws, or a
// connection that cannot be re-checked). Each connection is also re-checked every
// `obligations.reevaluateAfterSeconds` of its admitting decision. `handle` resolves once every
// affected connection is re-checked, so "publish returned" means "the change took effect".
import type { Logger } from 'pino';
import { deviceTag, sessionTag, subjectTag } from '../sessions/decision-cache.js';
import type { LiveConnection, LiveConnections, RecheckResult } from '../enforcement/proxy/live-connections.js';
import { addressPrefixes, type AddressTest } from './address-prefixes.js';
import type { SignalChange } from './signal-change.js';

/** What the verifier needs from the decision cache (src/sessions/decision-cache.ts). */
export interface InvalidatableCache {
  invalidate(tag: string): number;
  invalidateAddresses(matches: (address: string) => boolean): string[];
  clear(): void;
  readonly size: number;
}

/** Runs `run` after `ms`; the returned function cancels it. The real one uses an unref'd timer. */
export type Schedule = (ms: number, run: () => void) => () => void;

export interface ContinuousVerifierDeps {
  readonly cache: InvalidatableCache;
  /** The proxy's live upgraded connections; absent when no proxy runs (only cached decisions are dropped). */
  readonly connections?: LiveConnections;
  /** Forgets reused session records (Sessions.forget), so sessions revoked in the store elsewhere end on their next request. */
  readonly forgetSessions?: (sessionIds: readonly string[]) => void;
  readonly logger: Logger;
  /** Periodic re-checks' timer (default: setTimeout, unref'd). */
  readonly schedule?: Schedule;
}

/** What one change did: for logs, tests and the benchmark. */
export interface VerificationOutcome {
  readonly droppedDecisions: number;
  readonly rechecked: number;
  readonly cut: number;
}

/** Re-checks run at most this many at a time, so an `all` change over thousands of connections does not flood the decision point. */
const RECHECK_CONCURRENCY = 32;

const unrefTimer: Schedule = (ms, run) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export class ContinuousVerifier {
  readonly #deps: ContinuousVerifierDeps;
  readonly #schedule: Schedule;
  readonly #unwatch: (() => void) | undefined;

  constructor(deps: ContinuousVerifierDeps) {
    this.#deps = deps;
    this.#schedule = deps.schedule ?? unrefTimer;
    this.#unwatch = deps.connections?.watch((connection) => this.#periodic(connection));
  }

  /** The SignalChanges listener: `signalChanges.subscribe((change) => verifier.handle(change))`. */
  async handle(change: SignalChange): Promise<VerificationOutcome> {
    const { cache, connections } = this.#deps;
    switch (change.kind) {
      case 'sessions': {
        this.#deps.forgetSessions?.(change.sessionIds);
        let droppedDecisions = 0;
        let cut = 0;
        for (const id of change.sessionIds) {
          droppedDecisions += cache.invalidate(sessionTag(id));
          for (const connection of connections?.withTag(sessionTag(id)) ?? []) {
            this.#cut(connection, { allowed: false, reason: `session ended: ${change.reason}` });
            cut += 1;
          }
        }
        return this.#report(change, { droppedDecisions, rechecked: 0, cut });
      }
      case 'subject':
        return this.#report(change, await this.#dropAndRecheck(subjectTag(change.subject), change.reason));
      case 'device':
        return this.#report(change, await this.#dropAndRecheck(deviceTag(change.deviceId), change.reason));
      case 'network': {
        let matches: AddressTest;
        try {
          matches = addressPrefixes(change.prefixes);
        } catch (error) {
          // A change we cannot read is treated as "anything may have changed" (fail closed).
          this.#deps.logger.warn({ err: (error as Error).message, reason: change.reason }, 'unreadable network signal change: re-verifying everything');
          return this.#report(change, await this.#everything(change.reason));
        }
        const droppedAddresses = cache.invalidateAddresses(matches);
        const outcome = await this.#recheckAll(connections?.fromAddresses(matches) ?? [], change.reason);
        return this.#report(change, { ...outcome, droppedDecisions: droppedAddresses.length });
      }
      case 'all':
        return this.#report(change, await this.#everything(change.reason));
    }
  }

  /** Stops watching new connections (existing periodic timers end with their connections). */
  stop(): void {
    this.#unwatch?.();
  }

  async #dropAndRecheck(tag: string, reason: string): Promise<VerificationOutcome> {
    const droppedDecisions = this.#deps.cache.invalidate(tag);
    const outcome = await this.#recheckAll(this.#deps.connections?.withTag(tag) ?? [], reason);
    return { ...outcome, droppedDecisions };
  }

  async #everything(reason: string): Promise<VerificationOutcome> {
    const droppedDecisions = this.#deps.cache.size;
    this.#deps.cache.clear();
    return { ...(await this.#recheckAll(this.#deps.connections?.list() ?? [], reason)), droppedDecisions };
  }

  async #recheckAll(connections: readonly LiveConnection[], reason: string): Promise<Omit<VerificationOutcome, 'droppedDecisions'>> {
    let cut = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < connections.length) {
        const connection = connections[next];
        next += 1;
        if (connection !== undefined && !(await this.#recheck(connection, reason))) cut += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECHECK_CONCURRENCY, connections.length) }, worker));
    return { rechecked: connections.length, cut };
  }

  /** Re-checks one connection; cuts it unless the pipeline allows it again. Returns whether it stays. */
  async #recheck(connection: LiveConnection, because: string): Promise<boolean> {
    const { connections } = this.#deps;
    // Ended or cut meanwhile: nothing left to verify.
    if (connections !== undefined && !connections.has(connection)) return true;
    let result: RecheckResult;
    if (connection.recheck === undefined) {
      result = { allowed: false, reason: 'the connection cannot be re-checked' };
    } else {
      try {
        result = await connection.recheck();
      } catch (error) {
        // Fail closed: a re-check that could not be made is not an allow.
        result = { allowed: false, reason: `the re-check failed: ${(error as Error).message}` };
      }
    }
    if (result.allowed) return true;
    this.#cut(connection, result, because);
    return false;
  }

  #cut(connection: LiveConnection, result: RecheckResult, because?: string): void {
    const { connections } = this.#deps;
    if (connections !== undefined && !connections.has(connection)) return;
    if (connections === undefined) connection.close();
    else connections.cut(connection);
    this.#deps.logger.info(
      {
        route: connection.route,
        sessionId: connection.sessionId,
        deviceId: connection.deviceId,
        clientIp: connection.clientIp,
        admittedBy: connection.decisionId,
        decisionId: result.decisionId,
        reason: result.reason,
        ...(because === undefined ? {} : { signal: because }),
      },
      'live connection closed: access no longer holds',
    );
  }

  /** Schedules the next periodic re-check of a connection; the returned function cancels it (called when the connection ends). */
  #periodic(connection: LiveConnection): (() => void) | undefined {
    const seconds = connection.reevaluateAfterSeconds ?? 0;
    if (!(seconds > 0) || !Number.isFinite(seconds)) return undefined;
    let cancel: () => void = () => undefined;
    let ended = false;
    const arm = (): void => {
      cancel = this.#schedule(seconds * 1000, () => {
        void this.#recheck(connection, `periodic re-evaluation after ${seconds} s`).then((stays) => {
          if (stays && !ended) arm();
        });
      });
    };
    arm();
    return () => {
      ended = true;
      cancel();
    };
  }

  #report(change: SignalChange, outcome: VerificationOutcome): VerificationOutcome {
    this.#deps.logger.debug({ kind: change.kind, reason: change.reason, ...outcome }, 'signal change applied');
    return outcome;
  }
}
