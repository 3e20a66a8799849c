// The Policy Decision Point service: gathers the signals a decision needs from in-memory indexes
// (the NIST policy information points), asks the pure engine, and records the decision in the log
// before handing it back. Every failure path ends in a deny with a reason (fail closed).
import type { Logger } from 'pino';
import { decide, loadPolicySet, type PolicySet } from '../engine/index.js';
import type { Decision } from '../engine/decision.js';
import type { EngineSettings } from '../engine/settings.js';
import { evaluatePosture } from '../engine/posture/evaluate-posture.js';
import type { PostureEvaluation } from '../engine/posture/posture-check.js';
import type { SignalSnapshot, SubjectRiskSignal } from '../engine/signals.js';
import { entityKey } from '../engine/cedar/entity-key.js';
import type { BehaviourAnalytics } from '../signals/behaviour/behaviour-analytics.js';
import type { AccessRequest } from '../engine/tuple.js';
import type { DecisionLog } from '../audit/entry.js';
import { engineSettingsFrom } from '../config/engine-settings.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { isTenetError, type ErrorIssue } from '../errors.js';
import type { Store } from '../store/ports.js';
import type { DecisionMeta, DecisionPoint, ReloadResult } from './decision-point.js';
import { denyBecause, withAuditFailure } from './fail-closed.js';
import { readPolicySource } from './policy-source.js';
import { buildSignalIndexes, type SignalIndexes } from './signal-indexes.js';
import { applyConfiguredSignals, readConfiguredSignals, type ConfiguredSignals } from './configured-signals.js';
import { resolve } from 'node:path';

export interface PdpOptions {
  readonly loaded: LoadedConfig;
  readonly store: Store;
  readonly log: DecisionLog;
  readonly logger: Logger;
  /** Injected clock, for tests and `tenet policy test`. */
  readonly clock?: () => Date;
  /** Behaviour analytics (src/signals/behaviour startBehaviour); absent = no behaviour-* factors. */
  readonly behaviour?: BehaviourAnalytics;
}

/** Everything a reload swaps at once. INVARIANT: replaced as a whole, never mutated. */
interface ActiveState {
  readonly loaded: LoadedConfig;
  readonly policySet: PolicySet;
  readonly settings: EngineSettings;
  readonly configured: ConfiguredSignals;
}

export class PolicyDecisionPoint implements DecisionPoint {
  private state: ActiveState;
  private indexes: SignalIndexes;
  private readonly clock: () => Date;
  private reloading: Promise<void> = Promise.resolve();
  private readonly decisionListeners = new Set<(request: AccessRequest, decision: Decision) => void>();

  private constructor(
    private readonly options: PdpOptions,
    state: ActiveState,
    indexes: SignalIndexes,
  ) {
    this.state = state;
    this.indexes = indexes;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Loads policies and signals; throws (TenetError with issues) when the initial policy set is invalid. */
  static async start(options: PdpOptions): Promise<PolicyDecisionPoint> {
    const state = prepareState(options.loaded, options.clock?.() ?? new Date());
    await applyConfiguredSignals(options.store, state.configured);
    const indexes = await buildSignalIndexes(options.store, state.configured.entities);
    return new PolicyDecisionPoint(options, state, indexes);
  }

  async decide(request: AccessRequest, meta: DecisionMeta): Promise<Decision> {
    const { policySet, settings } = this.state;
    let decision: Decision;
    try {
      decision = decide(request, this.snapshot(request), policySet, settings);
    } catch (error) {
      // The engine itself never throws; this catches bad input found while gathering signals
      // (e.g. a malformed IP) and anything unexpected.
      const invalid = isTenetError(error) && error.code.startsWith('TENET_ERR_REQUEST_');
      decision = denyBecause(
        invalid ? 'invalid-request' : 'evaluation-error',
        invalid ? (error as Error).message : 'the decision could not be evaluated',
        policySet.version,
        this.clock(),
      );
      if (!invalid) this.options.logger.error({ err: error }, 'decision failed; denied (fail closed)');
    }
    this.observeBehaviour(request, decision); // subject risk: feed the baselines
    try {
      await this.options.log.record({ request, decision, pep: meta.pep, ...(meta.caller === undefined ? {} : { caller: meta.caller }) });
    } catch (error) {
      this.options.logger.error({ err: error, decisionId: decision.id }, 'decision log write failed');
      if (this.state.loaded.config.audit.failMode === 'closed') return withAuditFailure(decision);
    }
    for (const listener of this.decisionListeners) {
      try {
        listener(request, decision);
      } catch (error) {
        this.options.logger.warn({ err: error, decisionId: decision.id }, 'a decision listener failed');
      }
    }
    return decision;
  }

  /**
   * Called after each recorded decision (CAEP transmission of risk-level changes). Listeners are
   * synchronous and must not throw; a failure is logged and never changes the decision.
   */
  onDecision(listener: (request: AccessRequest, decision: Decision) => void): () => void {
    this.decisionListeners.add(listener);
    return () => this.decisionListeners.delete(listener);
  }

  /** Reloads one at a time: a second request waits for the first, then reads the files again. */
  reload(): Promise<ReloadResult> {
    const next = this.reloading.then(() => this.reloadNow());
    this.reloading = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async reloadNow(): Promise<ReloadResult> {
    const previousVersion = this.state.policySet.version;
    let next: ActiveState;
    try {
      const loaded = loadConfig(this.state.loaded.file);
      warnIfRestartNeeded(this.options.logger, this.state.loaded, loaded);
      next = prepareState(loaded, this.clock());
      await applyConfiguredSignals(this.options.store, next.configured);
      this.indexes = await buildSignalIndexes(this.options.store, next.configured.entities);
    } catch (error) {
      const issues: ErrorIssue[] = isTenetError(error) ? [...error.issues] : [{ path: '(reload)', message: (error as Error).message }];
      this.options.logger.error({ issues, policyVersion: previousVersion }, 'reload refused; the previous policy set stays active');
      return { ok: false, policyVersion: previousVersion, previousVersion, issues: issues.length > 0 ? issues : [{ path: '(reload)', message: (error as Error).message }] };
    }
    this.state = next;
    this.options.logger.info({ policyVersion: next.policySet.version, previousVersion, policies: next.policySet.total }, 'reloaded');
    return { ok: true, policyVersion: next.policySet.version, previousVersion, issues: [] };
  }

  async refreshSignals(): Promise<void> {
    this.indexes = await buildSignalIndexes(this.options.store, this.state.configured.entities);
  }

  policyVersion(): string {
    return this.state.policySet.version;
  }

  /**
   * How the engine judges a device's posture right now (the same evaluation decisions use), or
   * undefined for a device not in the current signals. Device endpoints tell agents their verdict.
   */
  devicePosture(deviceId: string): PostureEvaluation | undefined {
    const device = this.indexes.devices.get(deviceId);
    return device === undefined ? undefined : evaluatePosture(device, this.clock(), this.state.settings.posture);
  }

  /** The active policy set, for read-only views (admin API `GET /policies`). */
  policySet(): PolicySet {
    return this.state.policySet;
  }

  private snapshot(request: AccessRequest): SignalSnapshot {
    const now = this.clock();
    return {
      now,
      entities: this.indexes.entities,
      device: request.deviceId === undefined ? undefined : this.indexes.devices.get(request.deviceId),
      threats: this.indexes.threats.matches(request.environment, now),
      subjectRisk: this.subjectRisk(request, now),
    };
  }

  // --- Subject risk (reported + behaviour analytics), src/signals/behaviour -------------------
  /** Reported risk levels from the index, then behaviour anomalies judged against the baseline. */
  private subjectRisk(request: AccessRequest, now: Date): SubjectRiskSignal[] {
    const reported = this.indexes.reportedRisk.for(entityKey(request.subject));
    const behaviour = this.options.behaviour?.assess(request, now) ?? [];
    return reported.length === 0 ? behaviour : [...reported, ...behaviour];
  }

  /** Learns the decision into the subject's baseline; never fails the decision (baselines are advisory). */
  private observeBehaviour(request: AccessRequest, decision: Decision): void {
    try {
      this.options.behaviour?.observe(request, decision);
    } catch (error) {
      this.options.logger.warn({ err: error, decisionId: decision.id }, 'behaviour baseline update failed');
    }
  }
  // --- end subject risk ---------------------------------------------------------------------
}

/** Parses config, policies and signal files into a new state without side effects. */
function prepareState(loaded: LoadedConfig, now: Date): ActiveState {
  const settings = engineSettingsFrom(loaded.config);
  const policySet = loadPolicySet(readPolicySource(resolve(loaded.baseDir, loaded.config.policies)), { evaluator: loaded.config.engine.evaluator });
  const configured = readConfiguredSignals(loaded, now);
  return { loaded, policySet, settings, configured };
}

function warnIfRestartNeeded(logger: Logger, before: LoadedConfig, after: LoadedConfig): void {
  const keys = ['listen', 'api', 'store', 'audit', 'logging', 'routes', 'authentication', 'proxy', 'extAuthz', 'behaviour'] as const;
  for (const key of keys) {
    if (JSON.stringify(before.config[key]) !== JSON.stringify(after.config[key])) {
      logger.warn({ key }, `config key "${key}" changed; it takes effect at the next restart`);
    }
  }
}
