// The result of judging a device's posture (evaluate-posture.ts): every check that was run, and
// whether the device is compliant. Check names are stable: they are what policies test in
// `context.device.failedChecks` and what risk factors `device-not-compliant:<check>` name.
import type { DevicePosture } from '../signals.js';

export const POSTURE_CHECKS = {
  /** No report from a trusted source (none at all, or only ignored sources). */
  noPosture: 'no-posture',
  /** No rules are configured and no trusted verdict says compliant (the meaning before rules existed). */
  noVerdict: 'no-verdict',
  reportAge: 'report-age',
  osVersion: 'os-version',
  firewall: 'firewall',
  diskEncryption: 'disk-encryption',
  screenLock: 'screen-lock',
  packageUpdates: 'package-updates',
  agentVersion: 'agent-version',
} as const;

/** `source-verdict:<source>`: a source trusted for its verdict says compliant (or not) in its newest report. */
export const SOURCE_VERDICT_CHECK_PREFIX = 'source-verdict:';

/** The source name of the Tenet agent's signed reports (the only one `agent-version` applies to). */
export const AGENT_SOURCE = 'agent';

export interface PostureCheck {
  readonly name: string;
  readonly passed: boolean;
  /** Short and human, naming the value seen and the value required ("firewall is off"). */
  readonly reason: string;
}

export interface PostureEvaluation {
  /** At least one trusted report, and every check passed. */
  readonly compliant: boolean;
  /** Every check run, in a stable order (verdicts, built-in rules, custom checks). */
  readonly checks: readonly PostureCheck[];
  /** Names of the failed checks, sorted (context.device.failedChecks). */
  readonly failedChecks: readonly string[];
  /** The newest report of a trusted source; undefined when there is none. */
  readonly newestTrusted?: DevicePosture;
  /**
   * Seconds until a time-bound check that passes now (report-age, package-updates) fails; a cached
   * allow must not outlive it. Undefined when no such check passes.
   */
  readonly passesForSeconds?: number;
}
