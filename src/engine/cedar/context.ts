// Builds the Cedar `context` for one request: Tenet's trust signals (tenet-context.cedarschema)
// beside the caller's own keys. The criteria-based trust algorithm (NIST SP 800-207 §3.3.1) sees
// exactly the facts the score-based one used, so policies and thresholds cannot disagree on them.
import ipaddr from 'ipaddr.js';
import { TenetError } from '../../errors.js';
import { authnAgeSeconds, isAuthenticated, isMultiFactor } from '../authn-facts.js';
import type { RiskAssessment } from '../decision.js';
import { devicePosture, isOwnedBySomeoneElse, isPostureFresh, postureAgeSeconds } from '../device-facts.js';
import type { EngineSettings } from '../settings.js';
import type { CedarJsonValue, SignalSnapshot } from '../signals.js';
import type { AccessRequest } from '../tuple.js';
import { toCedarValue } from './json-value.js';
import { TENET_CONTEXT_KEYS } from './tenet-context-schema.js';

type CedarRecord = Record<string, CedarJsonValue>;

/** The sentinel for "no client address"; policies check `context.network.ipKnown` first. */
const UNKNOWN_IP = '0.0.0.0';

function cedarIp(address: string): CedarJsonValue {
  return { __extn: { fn: 'ip', arg: address } };
}

function requestInvalid(path: string, message: string): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', `${path}: ${message}`, [{ path, message }]);
}

/** The client address in the one spelling Cedar and threat lists share (IPv4-mapped IPv6 → IPv4). */
export function normaliseIp(address: string): string {
  if (!ipaddr.isValid(address)) throw requestInvalid('environment.ip', `"${address}" is not an IP address`);
  return ipaddr.process(address).toString();
}

function riskContext(risk: RiskAssessment): CedarRecord {
  return { score: risk.score, level: risk.level, factors: risk.factors.map((factor) => factor.name) };
}

function deviceContext(request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings): CedarRecord {
  const device = signals.device;
  if (device === undefined) {
    return { known: false, id: request.deviceId ?? '', managed: false, compliant: false, failedChecks: [], postureFresh: false, postureAgeSeconds: -1, status: '', ownedBySubject: false };
  }
  const posture = devicePosture(device, signals.now, settings);
  return {
    known: true,
    id: device.id,
    managed: device.managed,
    compliant: posture.compliant,
    // A fresh array: the context must not share the evaluation's (the evaluator may keep it).
    failedChecks: [...posture.failedChecks],
    postureFresh: isPostureFresh(device, signals.now, settings),
    postureAgeSeconds: postureAgeSeconds(device, signals.now, settings) ?? -1,
    status: device.status,
    ownedBySubject: device.owner !== undefined && !isOwnedBySomeoneElse(device, request.subject),
  };
}

function authnContext(request: AccessRequest, now: Date): CedarRecord {
  const authn = request.authn;
  if (!isAuthenticated(authn)) {
    return { authenticated: false, mfa: false, phishingResistant: false, ageSeconds: -1, methods: [], acr: '' };
  }
  return {
    authenticated: true,
    mfa: isMultiFactor(authn),
    phishingResistant: authn.phishingResistant,
    ageSeconds: authnAgeSeconds(authn, now) ?? -1,
    methods: [...new Set(authn.methods)],
    acr: authn.acr ?? '',
  };
}

function networkContext(request: AccessRequest, signals: SignalSnapshot): CedarRecord {
  const ip = request.environment.ip;
  return {
    ipKnown: ip !== undefined,
    ip: cedarIp(ip === undefined ? UNKNOWN_IP : normaliseIp(ip)),
    threatListed: signals.threats.length > 0,
    threats: [...new Set(signals.threats.map((threat) => threat.category))].sort(),
  };
}

/** The request's time: the PEP's when given, else the snapshot's clock. */
export function requestTime(request: AccessRequest, signals: SignalSnapshot): Date {
  const time = request.environment.time;
  if (time === undefined) return signals.now;
  const parsed = new Date(time);
  if (Number.isNaN(parsed.getTime())) throw requestInvalid('environment.time', `"${time}" is not an ISO 8601 time`);
  return parsed;
}

function requestContext(request: AccessRequest, signals: SignalSnapshot): CedarRecord {
  const env = request.environment;
  const time = requestTime(request, signals);
  return {
    method: env.method ?? '',
    path: env.path ?? '',
    userAgent: env.userAgent ?? '',
    hour: time.getUTCHours(),
    dayOfWeek: time.getUTCDay(),
  };
}

/**
 * The parts of the context that do not depend on the request's authentication: the caller's own
 * keys, device, network and request. A step-up re-evaluation (same request, other authentication)
 * reuses them, so the same objects reach the evaluator, which may have converted them already.
 * Throws TENET_ERR_REQUEST_INVALID as buildContext does (in the same order).
 */
export interface AuthnIndependentContext {
  readonly caller: CedarRecord;
  readonly device: CedarJsonValue;
  readonly network: CedarJsonValue;
  readonly request: CedarJsonValue;
}

export function authnIndependentContext(request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings): AuthnIndependentContext {
  const caller: CedarRecord = {};
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (TENET_CONTEXT_KEYS.has(key)) throw requestInvalid(`context.${key}`, `"${key}" is reserved for Tenet's trust signals`);
    caller[key] = toCedarValue(value, `context.${key}`);
  }
  return { caller, device: deviceContext(request, signals, settings), network: networkContext(request, signals), request: requestContext(request, signals) };
}

/**
 * The whole Cedar context. Throws TENET_ERR_REQUEST_INVALID when the caller's context uses a
 * reserved key: a PEP or API client must never be able to supply its own trust signals.
 * `parts`, when given, must come from authnIndependentContext for this request (its
 * authentication aside).
 */
export function buildContext(request: AccessRequest, signals: SignalSnapshot, risk: RiskAssessment, settings: EngineSettings, parts: AuthnIndependentContext = authnIndependentContext(request, signals, settings)): CedarRecord {
  const context: CedarRecord = { ...parts.caller };
  context['risk'] = riskContext(risk);
  context['device'] = parts.device;
  context['authn'] = authnContext(request, signals.now);
  context['network'] = parts.network;
  context['request'] = parts.request;
  return context;
}
