// The Shared Signals receiver: one intake for SETs arriving by push (RFC 8935) or poll (RFC 8936).
//   verify (src/ssf/set/verify-set.ts) → event type known → subject format allowed → jti not seen
//   from this issuer (store, survives restarts) → subject resolved → CAEP handler → sink
// and the background work per transmitter: discovery with retries, stream creation or check,
// verification, and the poll loop with acks, setErrs and backoff. A transmitter that is down is
// logged and retried; nothing here throws into the rest of Tenet.
//
// Decisions the RFCs leave to the receiver, and why:
// - Unknown event type: refused (invalid_request). RFC 8935 §2.4 defines invalid_request for a SET
//   whose event "does not conform"; SSF 1.0 §8.1.1 has the transmitter send only the event types the
//   receiver asked for, so another type is a transmitter error the transmitter should hear about,
//   not something to acknowledge silently.
// - Unknown subject (a valid SET about nobody Tenet knows: no active session for that email, an
//   iss_sub from an issuer that is not one of Tenet's IdPs): accepted (202 / acknowledged) and
//   logged. RFC 8935 §2.2 has the recipient acknowledge a SET once it is received and validated —
//   what the recipient then does with it is its own affair; and a transmitter sends events about
//   all its users, most of whom hold no Tenet session at a given moment. Refusing would make the
//   transmitter retry or flag a healthy stream. A subject *format* the transmitter may not use
//   (`subjects` in config) is refused: that is a malformed SET for this stream.
// - Replayed jti: refused with invalid_request (RFC 8935 has no dedicated code).
// - A SET that passed validation but could not be processed (store or sink failure) is neither
//   acknowledged nor refused: its jti is forgotten, push answers 5xx and poll leaves it pending, so
//   the transmitter delivers it again (fail closed: a revocation is never silently lost).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { isTenetError } from '../../errors.js';
import type { SsfReceiverStore } from '../../store/ports.js';
import { SSF_STREAM_UPDATED_EVENT, SSF_VERIFICATION_EVENT } from '../caep-events.js';
import type { SharedSignalSink } from '../shared-signal-sink.js';
import { SetRefusal, verifySet, type VerifiedSet } from '../set/verify-set.js';
import { handleCaepEvent, isHandledEvent } from './caep-event-handlers.js';
import { discoverTransmitter, type DiscoveredTransmitter } from './discover-transmitter.js';
import { ensureStream, requestVerification, type EnsureStreamInput } from './ensure-stream.js';
import type { ReceiverSettings, ReceiverTransmitter } from './receiver-settings.js';
import { resolveSubject, subjectFormat } from './resolve-subject.js';
import { callTransmitter } from './transmitter-http.js';

export interface SsfReceiverOptions {
  readonly settings: ReceiverSettings;
  readonly store: SsfReceiverStore;
  readonly sink: SharedSignalSink;
  readonly logger: Logger;
  /** Tenet's API base URL as transmitters reach it; the push URL is `<receiverUrl>/ssf/receiver/<id>`. */
  readonly receiverUrl: string;
  /** The issuers of authentication.providers (iss_sub subjects from these resolve to their users). */
  readonly identityProviderIssuers: readonly string[];
  readonly now?: () => Date;
  /** Waits `ms` or until `signal` aborts (tests pass one that records the delays). */
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Time allowed for each call to a transmitter. Default 10 s. */
  readonly httpTimeoutMs?: number;
  /** Most SETs asked for per poll (RFC 8936 §2.2 maxEvents). Default 100. */
  readonly maxEventsPerPoll?: number;
}

/** An answer for the push endpoint (RFC 8935 §2.2 / §2.3). */
export interface PushAnswer {
  readonly status: number;
  readonly body?: { readonly err: string; readonly description: string };
  readonly headers?: Readonly<Record<string, string>>;
}

/** What became of one delivered SET. */
export type IntakeOutcome = { readonly accepted: true; readonly changed: number; readonly eventType: string } | { readonly accepted: false; readonly refusal: SetRefusal };

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;
const PURGE_EVERY_MS = 60 * 60_000;

/** Delay before retry number `failures` (1, 2, …): doubling from 1 s, at most 5 min. */
export function retryDelayMs(failures: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(20, Math.max(0, failures - 1)));
}

function defaultWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class SsfReceiver {
  readonly #options: SsfReceiverOptions;
  readonly #issuers: ReadonlySet<string>;
  readonly #discovered = new Map<string, DiscoveredTransmitter>();
  readonly #discovering = new Map<string, Promise<DiscoveredTransmitter>>();
  /** Verification states Tenet asked for, per transmitter. */
  readonly #verificationStates = new Map<string, string>();
  readonly #abort = new AbortController();
  readonly #running: Promise<void>[] = [];
  readonly #now: () => Date;
  readonly #wait: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #timeoutMs: number;

  constructor(options: SsfReceiverOptions) {
    this.#options = options;
    this.#issuers = new Set(options.identityProviderIssuers);
    this.#now = options.now ?? (() => new Date());
    this.#wait = options.wait ?? defaultWait;
    this.#timeoutMs = options.httpTimeoutMs ?? 10_000;
  }

  get #log(): Logger {
    return this.#options.logger;
  }

  /** Starts discovery, stream setup and poll loops in the background; resolves at once. */
  start(): void {
    for (const transmitter of this.#options.settings.transmitters.values()) {
      if (transmitter.delivery === 'push' && transmitter.pushToken === undefined) {
        this.#log.warn({ transmitter: transmitter.id }, 'SSF transmitter uses push delivery without a pushToken: every push will be refused');
      }
      if (transmitter.allowInsecureHttp) this.#log.warn({ transmitter: transmitter.id }, 'SSF transmitter allows plain http (development only)');
      this.#running.push(this.#run(transmitter));
    }
    this.#running.push(this.#purgeLoop());
  }

  /** Stops the background work and waits for it to finish. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled(this.#running);
  }

  /** The push endpoint's answer for one request (RFC 8935). */
  async receivePush(transmitterId: string, request: { readonly authorization: string | undefined; readonly contentType: string | undefined; readonly body: string }): Promise<PushAnswer> {
    const transmitter = this.#options.settings.transmitters.get(transmitterId);
    if (transmitter === undefined) {
      this.#log.warn({ transmitter: transmitterId }, 'SSF push refused: no such transmitter');
      return { status: 404, body: { err: 'invalid_request', description: 'no transmitter is configured under this name' } };
    }
    if (!this.#pushAuthenticated(transmitter, request.authorization)) {
      this.#log.warn({ transmitter: transmitter.id, reason: request.authorization === undefined ? 'no Authorization header' : 'wrong credentials' }, 'SSF push refused: authentication_failed');
      return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { err: 'authentication_failed', description: 'the push token is missing or wrong' } };
    }
    if (transmitter.delivery !== 'push') {
      this.#log.warn({ transmitter: transmitter.id }, 'SSF push refused: access_denied (the transmitter is configured for poll delivery)');
      return { status: 400, body: { err: 'access_denied', description: 'this transmitter delivers by poll' } };
    }
    const mediaType = request.contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/secevent+jwt') {
      this.#log.warn({ transmitter: transmitter.id }, 'SSF push refused: invalid_request (content type)');
      return { status: 400, body: { err: 'invalid_request', description: 'the content type must be application/secevent+jwt' } };
    }
    try {
      const outcome = await this.intake(transmitter, request.body);
      if (!outcome.accepted) return { status: 400, body: { err: outcome.refusal.err, description: outcome.refusal.description } };
      return { status: 202 };
    } catch (error) {
      this.#log.error({ transmitter: transmitter.id, err: error }, 'SSF push could not be processed; the transmitter will deliver it again');
      return { status: isTenetError(error) && /UNREACHABLE|DISCOVERY|STORE_UNAVAILABLE|STORE_BUSY/.test(error.code) ? 503 : 500 };
    }
  }

  #pushAuthenticated(transmitter: ReceiverTransmitter, authorization: string | undefined): boolean {
    if (transmitter.pushToken === undefined || authorization === undefined) return false;
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization.trim());
    if (match?.[1] === undefined) return false;
    // Compared as digests so the comparison takes the same time whatever the lengths.
    return timingSafeEqual(digest(match[1]), digest(transmitter.pushToken));
  }

  /**
   * Validates and acts on one SET from `transmitter`. Resolves `accepted: false` with the RFC 8935
   * error for a SET to refuse (logged); rejects when it could not be processed (store, sink,
   * transmitter keys unreachable) — the SET must then be delivered again.
   */
  async intake(transmitter: ReceiverTransmitter, jws: string, expectedJti?: string): Promise<IntakeOutcome> {
    try {
      const changed = await this.#process(transmitter, jws, expectedJti);
      return changed;
    } catch (error) {
      if (!(error instanceof SetRefusal)) throw error;
      this.#log.warn({ transmitter: transmitter.id, err: error.err, description: error.description, ...(expectedJti === undefined ? {} : { jti: expectedJti }) }, 'SSF SET refused');
      return { accepted: false, refusal: error };
    }
  }

  async #process(transmitter: ReceiverTransmitter, jws: string, expectedJti: string | undefined): Promise<IntakeOutcome> {
    const { settings } = this.#options;
    const { keys } = await this.#discover(transmitter);
    const set = await verifySet(jws, { issuer: transmitter.issuer, audience: settings.audience, keys, maxClockSkewSeconds: settings.maxClockSkewSeconds, maxAgeSeconds: settings.maxAgeSeconds, now: this.#now });
    // RFC 8936 §2.1: the poll answer keys each SET by its jti; a mismatch means the answer is not what it claims.
    if (expectedJti !== undefined && set.jti !== expectedJti) throw new SetRefusal('invalid_request', 'the SET\'s jti differs from the one it was delivered under');
    const stream = set.eventType === SSF_VERIFICATION_EVENT || set.eventType === SSF_STREAM_UPDATED_EVENT;
    if (!stream && !isHandledEvent(set.eventType)) throw new SetRefusal('invalid_request', `event type ${set.eventType} is not one this receiver handles`);
    if (!stream) {
      if (set.subject === undefined) throw new SetRefusal('invalid_request', 'the SET names no subject (sub_id)');
      const format = subjectFormat(set.subject);
      if (!transmitter.subjects.has(format)) throw new SetRefusal('invalid_request', `subject format ${format} is not accepted from this transmitter`);
    }
    // The jti is remembered for as long as the SET could still pass the iat check.
    const expiresAt = new Date((set.iat + settings.maxAgeSeconds + settings.maxClockSkewSeconds) * 1000 + 1000).toISOString();
    if (!(await this.#options.store.rememberJti(set.iss, set.jti, expiresAt))) throw new SetRefusal('invalid_request', 'this jti was already received (replay)');
    try {
      const changed = stream ? this.#streamEvent(transmitter, set) : await this.#caepEvent(transmitter, set);
      return { accepted: true, changed, eventType: set.eventType };
    } catch (error) {
      await this.#options.store.forgetJti(set.iss, set.jti).catch((forgetError: unknown) => this.#log.error({ transmitter: transmitter.id, jti: set.jti, err: forgetError }, 'could not forget the jti of an unprocessed SET; its redelivery will be refused as a replay'));
      throw error;
    }
  }

  #streamEvent(transmitter: ReceiverTransmitter, set: VerifiedSet): number {
    if (set.eventType === SSF_VERIFICATION_EVENT) {
      const expected = this.#verificationStates.get(transmitter.id);
      const state = typeof set.event.state === 'string' ? set.event.state : undefined;
      this.#log.info({ transmitter: transmitter.id, jti: set.jti, asked: expected !== undefined, stateMatches: expected !== undefined && state === expected }, 'SSF stream verification event received');
      if (expected !== undefined && state === expected) this.#verificationStates.delete(transmitter.id);
    } else {
      this.#log.warn({ transmitter: transmitter.id, jti: set.jti, status: set.event.status, reason: set.event.reason }, 'SSF stream status changed by the transmitter');
    }
    return 0;
  }

  async #caepEvent(transmitter: ReceiverTransmitter, set: VerifiedSet): Promise<number> {
    const fields = { transmitter: transmitter.id, jti: set.jti, event: set.eventType };
    // INVARIANT: #process checked the subject is present for CAEP events.
    if (!isHandledEvent(set.eventType)) return 0;
    const match = set.subject === undefined ? undefined : resolveSubject(set.subject, this.#issuers);
    if (match === undefined) {
      // Validate the payload all the same: a malformed event is refused whoever it is about.
      await handleCaepEvent({ eventType: set.eventType, event: set.event, match: {}, source: `ssf:${transmitter.id}`, iat: set.iat }, NOTHING_SINK);
      this.#log.warn({ ...fields, format: set.subject === undefined ? undefined : subjectFormat(set.subject) }, 'SSF event accepted for an unknown subject: nothing changed');
      return 0;
    }
    const changed = await handleCaepEvent({ eventType: set.eventType, event: set.event, match, source: `ssf:${transmitter.id}`, iat: set.iat }, this.#options.sink);
    if (changed === 0) this.#log.warn(fields, 'SSF event accepted, but its subject matched nothing in Tenet');
    else this.#log.info({ ...fields, changed }, 'SSF event applied');
    return changed;
  }

  /** The transmitter's metadata and keys, discovering once at a time (concurrent callers share the attempt). */
  #discover(transmitter: ReceiverTransmitter): Promise<DiscoveredTransmitter> {
    const known = this.#discovered.get(transmitter.id);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.#discovering.get(transmitter.id);
    if (pending === undefined) {
      pending = discoverTransmitter(transmitter.issuer, { allowInsecureHttp: transmitter.allowInsecureHttp, timeoutMs: this.#timeoutMs, signal: this.#abort.signal })
        .then((discovered) => {
          this.#discovered.set(transmitter.id, discovered);
          this.#log.info({ transmitter: transmitter.id, issuer: transmitter.issuer }, 'SSF transmitter discovered');
          return discovered;
        })
        .finally(() => this.#discovering.delete(transmitter.id));
      this.#discovering.set(transmitter.id, pending);
    }
    return pending;
  }

  #streamInput(transmitter: ReceiverTransmitter, discovered: DiscoveredTransmitter): EnsureStreamInput {
    return {
      transmitter,
      metadata: discovered.metadata,
      store: this.#options.store,
      pushUrl: `${this.#options.receiverUrl.replace(/\/+$/, '')}/ssf/receiver/${transmitter.id}`,
      timeoutMs: this.#timeoutMs,
      now: this.#now,
      signal: this.#abort.signal,
    };
  }

  /** Discovery and stream setup, retried with backoff until they succeed; then the poll loop for poll transmitters. */
  async #run(transmitter: ReceiverTransmitter): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    let pollUrl: string | undefined;
    while (!signal.aborted) {
      try {
        const discovered = await this.#discover(transmitter);
        const input = this.#streamInput(transmitter, discovered);
        const stream = await ensureStream(input);
        pollUrl = stream.pollUrl;
        if (stream.aud !== undefined && !stream.aud.includes(this.#options.settings.audience)) {
          this.#log.warn({ transmitter: transmitter.id, audience: this.#options.settings.audience }, 'the SSF stream\'s aud does not name Tenet\'s audience: its SETs will be refused (set ssf.receiver.audience)');
        }
        this.#log.info({ transmitter: transmitter.id, stream: stream.streamId, created: stream.created, delivery: transmitter.delivery }, 'SSF stream ready');
        if (stream.created) await this.#verify(input, stream.streamId);
        break;
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delay = retryDelayMs(failures);
        this.#log.warn({ transmitter: transmitter.id, err: describe(error), retryInMs: delay }, 'SSF transmitter not ready; retrying');
        await this.#wait(delay, signal);
      }
    }
    if (transmitter.delivery === 'poll' && pollUrl !== undefined) await this.#pollLoop(transmitter, pollUrl);
  }

  async #verify(input: EnsureStreamInput, streamId: string): Promise<void> {
    const state = randomBytes(16).toString('base64url');
    this.#verificationStates.set(input.transmitter.id, state);
    try {
      const asked = await requestVerification(input, streamId, state);
      if (!asked) this.#log.info({ transmitter: input.transmitter.id }, 'SSF stream verification not requested (the transmitter has no verification endpoint or declined)');
    } catch (error) {
      this.#log.warn({ transmitter: input.transmitter.id, err: describe(error) }, 'SSF stream verification request failed');
    }
  }

  /** RFC 8936 §2.4: each request acknowledges what the last answer delivered (ack) and names what was refused (setErrs). */
  async #pollLoop(transmitter: ReceiverTransmitter, pollUrl: string): Promise<void> {
    const signal = this.#abort.signal;
    let ack: string[] = [];
    let setErrs: Record<string, { err: string; description: string }> = {};
    let failures = 0;
    while (!signal.aborted) {
      let answered = false;
      let moreAvailable = false;
      try {
        const response = await callTransmitter({
          method: 'POST',
          url: pollUrl,
          timeoutMs: this.#timeoutMs,
          allowInsecureHttp: transmitter.allowInsecureHttp,
          signal,
          ...(transmitter.managementToken === undefined ? {} : { token: transmitter.managementToken }),
          body: { maxEvents: this.#options.maxEventsPerPoll ?? 100, returnImmediately: true, ack, setErrs },
        });
        if (response.status !== 200) throw new Error(`the poll endpoint answered HTTP ${response.status}`);
        const body = response.json as { sets?: unknown; moreAvailable?: unknown } | undefined;
        const sets = body?.sets;
        if (typeof sets !== 'object' || sets === null || Array.isArray(sets)) throw new Error('the poll answer has no sets object');
        // The acknowledgements were delivered with this request.
        ack = [];
        setErrs = {};
        answered = true;
        failures = 0;
        moreAvailable = body?.moreAvailable === true;
        for (const [jti, jws] of Object.entries(sets as Record<string, unknown>)) {
          if (signal.aborted) return;
          if (typeof jws !== 'string') {
            setErrs[jti] = { err: 'invalid_request', description: 'the SET is not a string' };
            continue;
          }
          try {
            const outcome = await this.intake(transmitter, jws, jti);
            if (outcome.accepted) ack.push(jti);
            else setErrs[jti] = { err: outcome.refusal.err, description: outcome.refusal.description };
          } catch (error) {
            // Not acknowledged: the transmitter keeps it and delivers it again.
            this.#log.error({ transmitter: transmitter.id, jti, err: describe(error) }, 'SSF SET from poll could not be processed; it stays pending at the transmitter');
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delay = retryDelayMs(failures);
        this.#log.warn({ transmitter: transmitter.id, err: describe(error), retryInMs: delay }, 'SSF poll failed; backing off');
        await this.#wait(delay, signal);
        continue;
      }
      const owed = ack.length > 0 || Object.keys(setErrs).length > 0;
      if (answered && (moreAvailable || owed)) continue;
      await this.#wait(transmitter.pollIntervalMs, signal);
    }
  }

  async #purgeLoop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await this.#options.store.purgeJtis(this.#now().toISOString());
      } catch (error) {
        this.#log.warn({ err: describe(error) }, 'purging expired SSF jtis failed');
      }
      await this.#wait(PURGE_EVERY_MS, signal);
    }
  }
}

/** Validates payloads of events about unknown subjects without changing anything. */
const NOTHING_SINK: SharedSignalSink = {
  revokeSessions: async () => 0,
  requireFreshLogin: async () => 0,
  deviceCompliance: async () => 0,
  subjectRiskLevel: async () => 0,
  assuranceLevel: async () => 0,
  tokenClaims: async () => 0,
};

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

