// Composition root for OpenID Shared Signals (CAEP): the transmitter Tenet runs when
// `ssf.transmitter.enabled`, fed from the continuous-verification bus (sessions ended, device
// compliance flipped, a subject's risk level changed), and the receiver of other transmitters'
// events. Only this file, src/runtime.ts, src/device-identity.ts, src/server.ts and
// src/enforcement-points.ts wire concrete pieces together.
import type { FastifyInstance } from 'fastify';
import { durationSeconds } from './config/duration.js';
import { resolveInput } from './config/load.js';
import type { SignalChange } from './continuous/signal-change.js';
import type { Decision } from './engine/decision.js';
import type { AccessRequest } from './engine/tuple.js';
import type { CaepRiskLevel } from './ssf/caep-events.js';
import type { Runtime } from './runtime.js';
import type { SessionRecord } from './sessions/session.js';
import { loadSetSigner } from './ssf/set/sign-set.js';
import { CaepTransmitter, registerSsfTransmitterRoutes, type CaepSubject } from './ssf/transmitter/index.js';
import type { ApiAuthSettings } from './api/deps.js';
import { readFileSync } from 'node:fs';
import { TenetError } from './errors.js';
import { registerSsfReceiverRoutes } from './ssf/receiver/push-route.js';
import { startSsfReceiver, type RunningSsfReceiver } from './ssf/receiver/start-receiver.js';
import { tenetSharedSignalSink, type SinkSessions } from './ssf/receiver/tenet-sink.js';

export interface RunningSharedSignals {
  readonly transmitter?: CaepTransmitter;
  stop(): Promise<void>;
}

/** The receiver's push route, registered on the API before it listens; the receiver itself starts later (it needs the sessions). */
export interface SharedSignalsReceiverSlot {
  /** Starts receiving from `ssf.receiver.transmitters` (nothing to do when none is configured). */
  start(sessions: SinkSessions): RunningSharedSignals;
}

export function registerSharedSignalsReceiver(runtime: Runtime, api: FastifyInstance, options: { readonly apiBaseUrl: string }): Promise<SharedSignalsReceiverSlot> {
  const { config } = runtime.loaded;
  const late: { receiver?: RunningSsfReceiver['receiver'] } = {};
  const slot: SharedSignalsReceiverSlot = {
    start(sessions) {
      if (config.ssf.receiver.transmitters.length === 0) return { stop: async () => undefined };
      const providers = config.authentication.providers.map((provider) => ({ id: provider.id, issuer: provider.issuer }));
      const sink = tenetSharedSignalSink({
        sessions,
        devices: runtime.store.devices,
        subjectSignals: runtime.store.subjectSignals,
        // Posture and reported risk live in the decision point's indexes: refresh them before the
        // announcement, so the re-checks it causes see the new state.
        changes: {
          publish: async (change) => {
            if (change.kind === 'device' || change.kind === 'subject') await runtime.pdp.refreshSignals();
            await runtime.signalChanges.publish(change);
          },
        },
        identityProviders: providers,
      });
      const running = startSsfReceiver({
        config: config.ssf.receiver,
        defaultAudience: options.apiBaseUrl,
        receiverUrl: options.apiBaseUrl,
        identityProviderIssuers: providers.map((provider) => provider.issuer),
        readSecret: (ref) => readSecretRef(runtime, ref),
        store: runtime.store.ssfReceiver,
        sink,
        logger: runtime.logger,
      });
      late.receiver = running.receiver;
      runtime.logger.info({ transmitters: config.ssf.receiver.transmitters.map((transmitter) => transmitter.id) }, 'shared signals receiver started');
      return {
        async stop() {
          delete late.receiver;
          await running.stop();
        },
      };
    },
  };
  if (config.ssf.receiver.transmitters.length === 0) return Promise.resolve(slot);
  return registerSsfReceiverRoutes(api, {
    receiver: {
      // Until the receiver has started (the moment between listen and the enforcement points), a
      // push is answered as a transient failure, which transmitters retry.
      receivePush: async (transmitterId, request) =>
        late.receiver === undefined ? { status: 503, body: { err: 'invalid_request', description: 'the receiver is starting; retry' } } : late.receiver.receivePush(transmitterId, request),
    },
  }).then(() => slot);
}

function readSecretRef(runtime: Runtime, ref: { readonly file?: string | undefined; readonly env?: string | undefined }): string {
  if (ref.file !== undefined) return readFileSync(resolveInput(runtime.loaded, ref.file), 'utf8').trim();
  const value = ref.env === undefined ? undefined : process.env[ref.env];
  if (value === undefined || value === '') throw new TenetError('TENET_ERR_CONFIG_SSF_SECRET', `environment variable ${ref.env ?? '(none)'} is not set`);
  return value;
}

/** Sessions ended because a received CAEP event said so carry this reason prefix: they are not echoed back out. */
export const RECEIVED_EVENT_REASON_PREFIX = 'ssf:';

/**
 * Starts the transmitter (when enabled) on the API server before it listens. The receiver is
 * started by `startSharedSignalsReceiver` once the enforcement points (sessions) exist.
 */
export async function startSharedSignalsTransmitter(runtime: Runtime, api: FastifyInstance, options: { readonly storePath: string; readonly auth: ApiAuthSettings; readonly issuer: string }): Promise<RunningSharedSignals> {
  const settings = runtime.loaded.config.ssf.transmitter;
  if (!settings.enabled) return { stop: async () => undefined };
  const signer = await loadSetSigner({
    ...(settings.signingKey === undefined ? {} : { signingKey: resolveInput(runtime.loaded, settings.signingKey) }),
    databasePath: options.storePath,
  });
  const transmitter = new CaepTransmitter({
    store: runtime.store.ssfTransmitter,
    signer,
    issuer: settings.issuer ?? options.issuer,
    logger: runtime.logger.child({ component: 'ssf-transmitter' }),
    maxPending: settings.maxPending,
    pushTimeoutMs: durationSeconds(settings.pushTimeout) * 1000,
    defaultSubjects: settings.defaultSubjects,
    pollWaitMs: durationSeconds(settings.pollWait) * 1000,
  });
  await registerSsfTransmitterRoutes(api, { transmitter, store: runtime.store, auth: options.auth });
  await transmitter.start();
  const unsubscribe = runtime.signalChanges.subscribe((change) => transmit(runtime, transmitter, change));
  const unsubscribeRisk = runtime.pdp.onDecision(riskLevelTransmission(transmitter));
  runtime.logger.info({ issuer: settings.issuer ?? options.issuer, keyId: signer.keyId }, 'shared signals transmitter is serving');
  return {
    transmitter,
    async stop() {
      unsubscribe();
      unsubscribeRisk();
      await transmitter.stop();
    },
  };
}

/** CAEP has three risk levels; Tenet's critical is CAEP's high. */
function caepLevel(level: 'low' | 'medium' | 'high' | 'critical'): CaepRiskLevel {
  return level === 'critical' ? 'high' : level;
}

/** Subjects whose last level is remembered (least recently decided dropped first). */
const MAX_RISK_SUBJECTS = 10_000;

/**
 * Transmits risk-level-change when a subject's decided risk level moves (CAEP 1.0 §3.6), judged on
 * Tenet's own decisions: the level each decision computed for its subject. A subject first seen at
 * a level above low is announced too; one first seen at low is not (nothing changed for anyone).
 */
function riskLevelTransmission(transmitter: CaepTransmitter): (request: AccessRequest, decision: Decision) => void {
  const last = new Map<string, CaepRiskLevel>();
  return (request, decision) => {
    if (request.subject.type === '' || request.subject.id === '') return;
    const key = `${request.subject.type}::${JSON.stringify(request.subject.id)}`;
    const current = caepLevel(decision.risk.level);
    const previous = last.get(key);
    last.delete(key);
    last.set(key, current);
    if (last.size > MAX_RISK_SUBJECTS) last.delete(last.keys().next().value ?? key);
    if (previous === current || (previous === undefined && current === 'low')) return;
    const factors = decision.risk.factors.filter((factor) => factor.weight > 0).map((factor) => factor.name);
    void transmitter.riskLevelChanged({ subject: { type: request.subject.type, id: request.subject.id } }, previous, current, factors.length === 0 ? 'no risk factors' : `risk factors: ${factors.join(', ')}`);
  };
}

/** Last compliance seen per device, so only a flip is transmitted (one process's view). */
const lastCompliance = new WeakMap<CaepTransmitter, Map<string, boolean>>();
/**
 * Sessions already announced: one revocation can reach the bus twice (the Sessions service and the
 * path that caused it both announce), and a receiver must not be told twice. Bounded: the oldest go.
 */
const announcedSessions = new WeakMap<CaepTransmitter, Set<string>>();
const MAX_ANNOUNCED_SESSIONS = 10_000;

async function transmit(runtime: Runtime, transmitter: CaepTransmitter, change: SignalChange): Promise<void> {
  // Echo guard: two Tenets that receive each other's events must not bounce them forever.
  if (change.reason.startsWith(RECEIVED_EVENT_REASON_PREFIX)) return;
  if (change.kind === 'sessions') {
    let announced = announcedSessions.get(transmitter);
    if (announced === undefined) {
      announced = new Set();
      announcedSessions.set(transmitter, announced);
    }
    for (const sessionId of change.sessionIds) {
      if (announced.has(sessionId)) continue;
      announced.add(sessionId);
      if (announced.size > MAX_ANNOUNCED_SESSIONS) announced.delete(announced.values().next().value ?? sessionId);
      const session = await runtime.store.sessions.get(sessionId);
      if (session === undefined) continue;
      const streams = await transmitter.sessionRevoked(caepSubjectOf(runtime, session), change.reason);
      runtime.logger.debug({ session: sessionId.slice(0, 8), streams }, 'CAEP session-revoked queued');
    }
    return;
  }
  if (change.kind === 'device') {
    const evaluation = runtime.pdp.devicePosture(change.deviceId);
    const compliant = evaluation?.compliant ?? false;
    let seen = lastCompliance.get(transmitter);
    if (seen === undefined) {
      seen = new Map();
      lastCompliance.set(transmitter, seen);
    }
    const previous = seen.get(change.deviceId);
    seen.set(change.deviceId, compliant);
    // A device seen for the first time is announced only when it is not compliant.
    if (previous === compliant || (previous === undefined && compliant)) return;
    const device = await runtime.store.devices.get(change.deviceId);
    const owner = device?.owner === undefined ? undefined : { subject: device.owner };
    const failed = evaluation?.failedChecks ?? ['no-posture'];
    await transmitter.deviceComplianceChanged(change.deviceId, owner, compliant, compliant ? 'all posture checks pass' : `failed posture checks: ${failed.join(', ')}`);
  }
}

/**
 * Who a revoked session belonged to, in terms another system can resolve: the user by the IdP's
 * issuer and `sub` (or email), and the session by the IdP's session id (`sid`) when the IdP gave
 * one — Tenet's own session ids mean nothing elsewhere, so without a sid the event names the user.
 */
function caepSubjectOf(runtime: Runtime, session: SessionRecord): CaepSubject {
  const provider = runtime.loaded.config.authentication.providers.find((candidate) => candidate.id === session.identity.providerId);
  return {
    subject: session.identity.subject,
    ...(session.identity.email === undefined ? {} : { email: session.identity.email }),
    ...(provider === undefined ? {} : { idp: { issuer: provider.issuer, sub: session.identity.idpSubject } }),
    ...(provider === undefined || session.identity.idpSessionId === undefined ? {} : { session: session.identity.idpSessionId }),
  };
}
