// Engine settings: the tunable parts of the trust algorithm (NIST SP 800-207 §3.3). Every key has a
// default here, and the defaults double as documentation; src/config maps user config onto them.
import type { Sensitivity } from './decision.js';
import type { RiskFactorName } from './reasons.js';
import type { EntityRef } from './tuple.js';

/**
 * How much one posture source is believed: `verdict` = its own compliant=false is a failed check
 * and its facts are checked; `facts` = only its facts are checked; `ignore` = never used.
 */
export type PostureSourceTrust = 'verdict' | 'facts' | 'ignore';

/** A check on any posture fact (config `devices.posture.rules.custom`); every condition given must hold. */
export interface CustomPostureCheck {
  readonly name: string;
  readonly fact: string;
  readonly equals?: string | number | boolean;
  readonly oneOf?: readonly (string | number)[];
  /** Numbers compare as numbers; a string is a dotted version ("6.1.0"). */
  readonly atLeast?: string | number;
}

/** What "compliant" means (config `devices.posture.rules`); an absent key is no check. */
export interface PostureRules {
  /** Check `report-age`: the newest trusted report must be at most this old. */
  readonly maxReportAgeSeconds?: number;
  /** Check `os-version`: lowest osVersion per os (lowercase: linux, macos, windows, ios, android, chromeos). */
  readonly minOsVersion?: Readonly<Record<string, string>>;
  /** Check `firewall` when true. */
  readonly firewallEnabled?: boolean;
  /** Check `disk-encryption` when true. */
  readonly diskEncrypted?: boolean;
  /** Check `screen-lock` when true. */
  readonly screenLockEnabled?: boolean;
  /** Check `package-updates`: lastPackageUpdateAt at most this old. */
  readonly maxPackageUpdateAgeSeconds?: number;
  /** Check `agent-version`, applied when the newest trusted report is the Tenet agent's. */
  readonly minAgentVersion?: string;
  readonly custom: readonly CustomPostureCheck[];
}

export interface PostureSettings {
  /** Trust per source name (`agent` = reports signed by a Tenet agent; others = an import's source). */
  readonly sources: Readonly<Record<string, PostureSourceTrust>>;
  /** Trust for sources not in `sources`. */
  readonly defaultSourceTrust: PostureSourceTrust;
  readonly rules: PostureRules;
}

export interface EngineSettings {
  /** Points each risk factor adds to the score (the sum is capped at 100). */
  readonly riskWeights: Readonly<Record<RiskFactorName, number>>;
  /** Lowest score of each level above `low`: score >= `critical` is critical, and so on. */
  readonly riskLevelFloors: { readonly medium: number; readonly high: number; readonly critical: number };
  /** The resource's sensitivity, from config; undefined = no score threshold (Cedar alone decides). */
  readonly sensitivityOf: (resource: EntityRef) => Sensitivity | undefined;
  /** Highest risk score allowed per sensitivity; a Cedar allow above it becomes `risk-too-high`. */
  readonly maxRiskScore: Readonly<Record<Sensitivity, number>>;
  /** The newest trusted device posture older than this is stale (`device-posture-stale`). */
  readonly postureMaxAgeSeconds: number;
  /** Which posture sources are believed, and the rules that make a device compliant. */
  readonly posture: PostureSettings;
  /** An authentication older than this is stale (`authn-stale`). */
  readonly authnMaxAgeSeconds: number;
  /** How fresh the stronger authentication of a step-up must be. */
  readonly stepUpMaxAgeSeconds: number;
  readonly obligations: {
    /** How long a PEP may reuse an allow (further capped by when a posture or authentication goes stale). */
    readonly allowCacheTtlSeconds: number;
    /**
     * How long a PEP may reuse a deny or step-up. 0 by default: the user's remedy (stepping up,
     * fixing posture, an admin lifting a quarantine) must take effect on the very next request, and
     * a deny costs no more to recompute than to look up.
     */
    readonly denyCacheTtlSeconds: number;
    /** When a long-lived session or connection must be decided again (NIST SP 800-207 §2.1 tenet 6: continual re-evaluation). */
    readonly reevaluateAfterSeconds: number;
  };
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  riskWeights: {
    'subject-unknown': 10,
    'subject-disabled': 100,
    'device-unknown': 30,
    'device-not-owned-by-subject': 25,
    'device-unmanaged': 15,
    'device-not-compliant': 40,
    'device-posture-stale': 20,
    'device-quarantined': 60,
    'device-revoked': 100,
    'authn-missing': 30,
    'authn-single-factor': 20,
    'authn-not-phishing-resistant': 10,
    'authn-stale': 10,
    'ip-threat-listed': 70,
    // Scaled by the reported level: high = all of it, medium = half, low = none (not listed).
    'subject-risk-reported': 60,
    // Behaviour analytics: evidence of misuse, not proof, so each alone stays below the medium
    // threshold except impossible travel and a denial burst, which rarely have an innocent cause.
    'behaviour-new-device': 10,
    'behaviour-impossible-travel': 50,
    'behaviour-unusual-hour': 10,
    'behaviour-denial-burst': 40,
    'behaviour-request-rate': 20,
  },
  riskLevelFloors: { medium: 25, high: 50, critical: 75 },
  sensitivityOf: () => undefined,
  maxRiskScore: { low: 80, medium: 60, high: 40, critical: 20 },
  postureMaxAgeSeconds: 3600,
  // Every source's verdict believed and no rules: compliant means what the (newest) reporting
  // source says, as before per-source trust existed. tenet.yaml's defaults differ (the agent
  // reports facts only); src/config/engine-settings.ts maps them.
  posture: { sources: {}, defaultSourceTrust: 'verdict', rules: { custom: [] } },
  authnMaxAgeSeconds: 12 * 3600,
  stepUpMaxAgeSeconds: 300,
  obligations: {
    // Short on purpose: cached allows are the window in which a revoked signal is not yet seen
    // (NIST SP 800-207 §3.3: access is granted per session and re-evaluated).
    allowCacheTtlSeconds: 30,
    denyCacheTtlSeconds: 0,
    reevaluateAfterSeconds: 300,
  },
};
