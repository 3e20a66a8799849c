// What the engine is given besides the request: a snapshot of the signals (NIST "policy information
// points") it may consult. The engine stays pure: lookups here are in-memory reads prepared by the
// caller (src/pdp), never I/O.
import type { RiskFactorName } from './reasons.js';
import type { EntityRef } from './tuple.js';

/** A value in Cedar's JSON entity format (`__entity`, `__extn` escapes allowed). */
export type CedarJsonValue =
  | boolean
  | number
  | string
  | null
  | readonly CedarJsonValue[]
  | { readonly [key: string]: CedarJsonValue };

/** An entity in Cedar's entity JSON format (https://docs.cedarpolicy.com/auth/entities-syntax.html). */
export interface CedarEntity {
  readonly uid: EntityRef;
  readonly attrs: Readonly<Record<string, CedarJsonValue>>;
  readonly parents: readonly EntityRef[];
  readonly tags?: Readonly<Record<string, CedarJsonValue>>;
}

/** In-memory entity lookup (identity store + resources). */
export interface EntityLookup {
  get(ref: EntityRef): CedarEntity | undefined;
}

export type DeviceStatus = 'active' | 'quarantined' | 'revoked';

/** The latest posture report for a device. */
export interface DevicePosture {
  /** Raw facts as observed (os, osVersion, diskEncrypted, firewall, …). */
  readonly facts: Readonly<Record<string, unknown>>;
  /** Overall compliance as judged by the source (MDM/EDR/agent), when it says so. */
  readonly compliant?: boolean;
  /** When the facts were observed (ISO 8601). Freshness is judged against this, not the import time. */
  readonly observedAt: string;
  /** Which source reported it (e.g. `mdm-export`, `agent`). */
  readonly source: string;
}

export interface DeviceRecord {
  readonly id: string;
  /** The subject that owns the device, e.g. `{type: "User", id: "alice"}`. */
  readonly owner?: EntityRef;
  readonly managed: boolean;
  readonly status: DeviceStatus;
  /** The newest report overall (newest observedAt), whatever its source; kept for compatibility. */
  readonly posture?: DevicePosture;
  /**
   * The newest report of each source, newest observedAt first (so `postures[0]` is `posture`);
   * absent when no source reported. Posture evaluation (posture/evaluate-posture.ts) reads these,
   * because sources are trusted differently; without it, `posture` alone is taken as the only report.
   */
  readonly postures?: readonly DevicePosture[];
  /** Free-form inventory attributes (model, serial, …). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A threat-intelligence indicator that matched the request's IP or domain. */
export interface ThreatMatch {
  /** The indicator as listed: an IP or CIDR (`203.0.113.0/24`), or a domain (`evil.example`, `*.evil.example`). */
  readonly indicator: string;
  readonly category: string;
  /** The feed or file it came from. */
  readonly source: string;
  readonly expiresAt?: string;
}

/**
 * A risk signal about the subject from outside the request itself: a transmitter's reported risk
 * level (CAEP risk-level-change) or behaviour analytics (a new device, impossible travel, unusual
 * hours, bursts of denials, an abnormal request rate). Gathered by the caller (src/pdp) before the
 * decision; the engine turns each into the named, weighted risk factor.
 */
export interface SubjectRiskSignal {
  /** The risk factor it raises (one of RISK_FACTORS in reasons.ts). */
  readonly factor: RiskFactorName;
  /** Why, in words for the reasons: "impossible travel: Paris to Sydney (16,960 km) in 40 minutes". */
  readonly reason: string;
  /** Who said so: `ssf:<issuer>`, `behaviour`. */
  readonly source: string;
  /** For reported risk levels: the level, which scales the factor's weight (low 0, medium half, high full). */
  readonly level?: 'low' | 'medium' | 'high';
}

export interface SignalSnapshot {
  /** The engine's clock for this decision. */
  readonly now: Date;
  readonly entities: EntityLookup;
  /** The device named by the request's `deviceId`, or undefined when none was given or it is not in the inventory. */
  readonly device: DeviceRecord | undefined;
  /** Threat indicators covering `environment.ip` or `environment.domain` (empty when none). */
  readonly threats: readonly ThreatMatch[];
  /** Risk signals about the subject (reported risk, behaviour); absent = none. */
  readonly subjectRisk?: readonly SubjectRiskSignal[];
}
