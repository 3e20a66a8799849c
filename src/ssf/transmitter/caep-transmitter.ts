// Tenet's Shared Signals transmitter (SSF 1.0, CAEP 1.0): the lead calls the emit methods when a
// session is revoked, a device's compliance changes, or a subject's risk level changes. Each emit
// signs one SET per interested stream (event type delivered, subject wanted, stream not disabled),
// queues it in the store (so it survives a restart), and then pushes it (RFC 8935, with retries
// and backoff) or wakes the receiver's long poll (RFC 8936). A paused stream keeps its events; a
// disabled one drops them. Emitting never throws: a transmitter problem must not undo a revocation.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { CAEP_EVENTS, SSF_VERIFICATION_EVENT, type CaepRiskLevel } from '../caep-events.js';
import type { SetSigner } from '../set/sign-set.js';
import type { SsfStreamRecord, SsfTransmitterStore } from '../../store/ports.js';
import { deviceEventSubject, userEventSubject, type CaepSubject, type EventSubject } from './caep-subject.js';
import { pushSet } from './push-delivery.js';
import { eventsDelivered } from './stream-config.js';
import { streamWantsSubject } from './stream-subjects.js';

/** CAEP 1.0 §2 `initiating_entity`. */
export type InitiatingEntity = 'admin' | 'user' | 'policy' | 'system';

export interface CaepTransmitterOptions {
  readonly store: SsfTransmitterStore;
  readonly signer: SetSigner;
  /** `iss` of every SET, and the base of the published endpoints (ssf.transmitter.issuer, else api.publicUrl). */
  readonly issuer: string;
  readonly logger: Logger;
  /** ssf.transmitter.maxPending. */
  readonly maxPending: number;
  /** ssf.transmitter.pushTimeout in ms. */
  readonly pushTimeoutMs: number;
  /** ssf.transmitter.defaultSubjects. */
  readonly defaultSubjects: 'ALL' | 'NONE';
  /** ssf.transmitter.pollWait in ms: the longest a poll is held open. */
  readonly pollWaitMs: number;
  /** Push retry backoff: first delay, doubling up to the maximum. Defaults 1 s and 5 min. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly now?: () => Date;
}

interface PushState {
  draining: Promise<void> | undefined;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  failures: number;
}

export class CaepTransmitter {
  readonly issuer: string;
  readonly #options: CaepTransmitterOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #push = new Map<string, PushState>();
  readonly #waiters = new Map<string, Set<() => void>>();
  #abort = new AbortController();
  #running = false;

  constructor(options: CaepTransmitterOptions) {
    this.#options = options;
    this.issuer = options.issuer.replace(/\/+$/, '');
    this.#log = options.logger.child({ component: 'ssf-transmitter' });
    this.#now = options.now ?? (() => new Date());
  }

  get signer(): SetSigner {
    return this.#options.signer;
  }

  get defaultSubjects(): 'ALL' | 'NONE' {
    return this.#options.defaultSubjects;
  }

  get pollWaitMs(): number {
    return this.#options.pollWaitMs;
  }

  /** Starts delivering: push streams with events left from before a restart are drained. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    try {
      for (const stream of await this.#options.store.listStreams()) {
        if (stream.deliveryMethod === 'push' && stream.status === 'enabled') this.kick(stream.id);
      }
    } catch (error) {
      this.#log.error({ err: error }, 'could not list SSF streams at start; pushes resume with the next event');
    }
  }

  /** Stops delivering: retry timers cleared, pushes in flight aborted (their events stay queued), polls answered. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    for (const state of this.#push.values()) {
      if (state.timer !== undefined) clearTimeout(state.timer);
      state.timer = undefined;
    }
    for (const streamId of [...this.#waiters.keys()]) this.#wake(streamId);
    await Promise.allSettled([...this.#push.values()].map((state) => state.draining));
    this.#push.clear();
  }

  /** CAEP session-revoked (CAEP 1.0 §3.1): the subject's session(s) ended. */
  sessionRevoked(subject: CaepSubject, reason: string, initiatingEntity: InitiatingEntity = 'policy'): Promise<number> {
    return this.#emit(CAEP_EVENTS.sessionRevoked, userEventSubject(subject), {
      event_timestamp: this.#timestamp(),
      initiating_entity: initiatingEntity,
      reason_admin: { en: reason },
    });
  }

  /** CAEP device-compliance-change (CAEP 1.0 §3.5). */
  deviceComplianceChanged(deviceId: string, owner: CaepSubject | undefined, compliant: boolean, reason: string): Promise<number> {
    return this.#emit(CAEP_EVENTS.deviceComplianceChange, deviceEventSubject(deviceId, owner), {
      previous_status: compliant ? 'not-compliant' : 'compliant',
      current_status: compliant ? 'compliant' : 'not-compliant',
      event_timestamp: this.#timestamp(),
      initiating_entity: 'policy',
      reason_admin: { en: reason },
    });
  }

  /** CAEP risk-level-change (CAEP 1.0 §3.8); levels are sent upper-case as the spec spells them. */
  riskLevelChanged(subject: CaepSubject, previous: CaepRiskLevel | undefined, current: CaepRiskLevel, reason: string): Promise<number> {
    return this.#emit(CAEP_EVENTS.riskLevelChange, userEventSubject(subject), {
      principal: 'USER',
      current_level: current.toUpperCase(),
      ...(previous === undefined ? {} : { previous_level: previous.toUpperCase() }),
      risk_reason: reason,
      event_timestamp: this.#timestamp(),
      initiating_entity: 'system',
      reason_admin: { en: reason },
    });
  }

  /** SSF 1.0 §8.1.4.1 verification event on one stream, echoing the receiver's `state`. */
  async verify(stream: SsfStreamRecord, state: string | undefined): Promise<void> {
    if (stream.status === 'disabled') return;
    await this.#queue(stream, { format: 'opaque', id: stream.id }, { [SSF_VERIFICATION_EVENT]: state === undefined ? {} : { state } }, undefined);
  }

  /** After a stream's status or delivery changed: drop events of a disabled stream, resume an enabled one. */
  async streamChanged(stream: SsfStreamRecord): Promise<void> {
    if (stream.status === 'disabled') {
      const dropped = await this.#options.store.clearPending(stream.id);
      if (dropped > 0) this.#log.info({ streamId: stream.id, dropped }, 'SSF stream disabled: its undelivered events were dropped');
    }
    if (stream.status === 'enabled' && stream.deliveryMethod === 'push') this.kick(stream.id);
    this.#wake(stream.id);
  }

  /** Forgets a deleted stream's delivery state and answers its pending polls. */
  streamDeleted(streamId: string): void {
    const state = this.#push.get(streamId);
    if (state?.timer !== undefined) clearTimeout(state.timer);
    this.#push.delete(streamId);
    this.#wake(streamId);
  }

  /** Resolves when no push is in flight (a retry may still be scheduled): for shutdown paths and tests. */
  async settled(): Promise<void> {
    while ([...this.#push.values()].some((state) => state.draining !== undefined)) {
      await Promise.allSettled([...this.#push.values()].map((state) => state.draining));
    }
  }

  /** How many polls are held open on the stream (for metrics and tests). */
  waitingPolls(streamId: string): number {
    return this.#waiters.get(streamId)?.size ?? 0;
  }

  /** Resolves when an event is queued on the stream, after `ms`, when `signal` aborts, or at stop. */
  waitForEvents(streamId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(streamId);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(streamId, waiters);
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(streamId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  /** Starts (or re-runs) delivery of the push stream's queue, unless a retry is already scheduled. */
  kick(streamId: string): void {
    if (!this.#running) return;
    let state = this.#push.get(streamId);
    if (state === undefined) {
      state = { draining: undefined, again: false, timer: undefined, failures: 0 };
      this.#push.set(streamId, state);
    }
    if (state.timer !== undefined) return;
    if (state.draining !== undefined) {
      state.again = true;
      return;
    }
    const current = state;
    current.draining = this.#drain(streamId, current).finally(() => {
      current.draining = undefined;
    });
  }

  #timestamp(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }

  async #emit(eventType: string, subject: EventSubject, payload: Record<string, unknown>): Promise<number> {
    const txn = randomUUID();
    let streams: SsfStreamRecord[];
    try {
      streams = await this.#options.store.listStreams();
    } catch (error) {
      this.#log.error({ err: error, eventType }, 'could not list SSF streams; the CAEP event was not transmitted');
      return 0;
    }
    let queued = 0;
    for (const stream of streams) {
      try {
        if (stream.status === 'disabled' || !eventsDelivered(stream.eventsRequested).includes(eventType)) continue;
        const subjects = await this.#options.store.listSubjects(stream.id);
        if (!streamWantsSubject(stream, subjects, subject.members)) continue;
        await this.#queue(stream, subject.subId, { [eventType]: payload }, txn);
        queued += 1;
      } catch (error) {
        this.#log.error({ err: error, streamId: stream.id, eventType }, 'could not queue a CAEP event on an SSF stream');
      }
    }
    return queued;
  }

  async #queue(stream: SsfStreamRecord, subId: Readonly<Record<string, unknown>>, events: Record<string, Record<string, unknown>>, txn: string | undefined): Promise<void> {
    const aud = stream.audience.length === 1 ? (stream.audience[0] ?? '') : stream.audience;
    const signed = await this.#options.signer.sign({ iss: this.issuer, aud, sub_id: subId, events, ...(txn === undefined ? {} : { txn }) });
    const dropped = await this.#options.store.enqueue({ streamId: stream.id, jti: signed.jti, token: signed.token, createdAt: this.#now().toISOString() }, this.#options.maxPending);
    if (dropped.length > 0) {
      this.#log.warn({ streamId: stream.id, dropped: dropped.length, jtis: dropped.slice(0, 20), maxPending: this.#options.maxPending }, 'SSF stream has more undelivered events than maxPending: dropped the oldest');
    }
    this.#wake(stream.id);
    if (stream.deliveryMethod === 'push' && stream.status === 'enabled') this.kick(stream.id);
  }

  #wake(streamId: string): void {
    for (const waiter of [...(this.#waiters.get(streamId) ?? [])]) waiter();
  }

  async #drain(streamId: string, state: PushState): Promise<void> {
    const store = this.#options.store;
    try {
      do {
        state.again = false;
        while (this.#running) {
          const stream = await store.getStream(streamId);
          if (stream === undefined || stream.deliveryMethod !== 'push' || stream.status !== 'enabled' || stream.endpointUrl === undefined) return;
          const [next] = await store.pending(streamId, 1);
          if (next === undefined) break;
          const outcome = await pushSet(stream.endpointUrl, next.token, {
            ...(stream.authorizationHeader === undefined ? {} : { authorization: stream.authorizationHeader }),
            timeoutMs: this.#options.pushTimeoutMs,
            signal: this.#abort.signal,
          });
          if (!this.#running) return;
          if (outcome.kind === 'retry') {
            this.#scheduleRetry(streamId, state, outcome.why);
            return;
          }
          if (outcome.kind === 'rejected') {
            // RFC 8935 §2.3: the receiver refused this SET; re-sending it would fail the same way.
            this.#log.warn({ streamId, jti: next.jti, err: outcome.err, description: outcome.description }, 'SSF receiver rejected a SET; it is dropped');
          }
          state.failures = 0;
          await store.acknowledge(streamId, [next.jti]);
        }
      } while (state.again && this.#running);
    } catch (error) {
      this.#log.error({ err: error, streamId }, 'SSF push delivery failed; retrying later');
      this.#scheduleRetry(streamId, state, 'store error');
    }
  }

  #scheduleRetry(streamId: string, state: PushState, why: string): void {
    if (!this.#running) return;
    const initial = this.#options.retry?.initialMs ?? 1000;
    const max = this.#options.retry?.maxMs ?? 300_000;
    const delay = Math.min(max, initial * 2 ** Math.min(state.failures, 30));
    state.failures += 1;
    this.#log.warn({ streamId, why, attempt: state.failures, retryInMs: delay }, 'SSF push failed; will retry');
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.kick(streamId);
    }, delay);
    state.timer.unref();
  }
}
