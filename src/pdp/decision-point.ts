// The Policy Decision Point as enforcement points see it (NIST SP 800-207 §3: PE + PA): give it a
// tuple, get a decision that has already been recorded in the decision log. Implemented in
// src/pdp/service.ts; every PEP (AuthZEN API, CLI, proxy, forward-auth, ext_authz) goes through it.
import type { Decision } from '../engine/decision.js';
import type { AccessRequest } from '../engine/tuple.js';
import type { ErrorIssue } from '../errors.js';

export interface DecisionMeta {
  /** Which enforcement point asks: `authzen`, `cli`, `proxy`, … */
  readonly pep: string;
  /** The authenticated caller (API token name, mTLS subject). */
  readonly caller?: string;
}

export interface ReloadResult {
  readonly ok: boolean;
  /** Active policy-set version after the attempt (unchanged when refused). */
  readonly policyVersion: string;
  readonly previousVersion: string;
  /** Problems that made the reload be refused (the previous policy set stays active). */
  readonly issues: readonly ErrorIssue[];
}

export interface DecisionPoint {
  /**
   * Decides and records. Never rejects: every failure (engine error, store unavailable, audit
   * unavailable with failMode `closed`) comes back as a deny decision with a reason.
   */
  decide(request: AccessRequest, meta: DecisionMeta): Promise<Decision>;
  /** Re-reads policies, schema and entity files from config; atomic; refuses invalid sets. */
  reload(): Promise<ReloadResult>;
  /** Re-builds in-memory signal indexes (entities, devices, threat intel) after a store write. */
  refreshSignals(): Promise<void>;
  policyVersion(): string;
}
