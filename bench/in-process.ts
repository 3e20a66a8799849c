// In-process decision benchmark for one policy-set size: Tenet's engine `decide()` end to end
// against cedar-wasm called directly on the same requests (the baseline), each call timed on its
// own. Everything a call needs is prepared before the timed loops, so the loops time only the
// call under test.
import { preparsePolicySet, statefulIsAuthorized, type Context, type EntityJson, type StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { decide, loadPolicySet, type AccessRequest, type EngineSettings, type EvaluationCall, type PolicySet, type SignalSnapshot } from '../src/engine/index.js';
import type { EntityIndex } from '../src/signals/identity/index.js';
import { generatePolicies, generateRequests, policyFileText, type GeneratedPolicy, type GeneratedRequest, type World } from './generate.js';
import type { Plan } from './plan.js';
import { medianOfRounds, summariseRound, type RoundResult } from './stats.js';

/** The engine's preparsed-slice cache size (src/engine/cedar/preparsed-slices.ts, CAPACITY). */
const ENGINE_SLICE_CACHE = 256;

export interface PreparedRequest {
  readonly request: AccessRequest;
  readonly snapshot: SignalSnapshot;
  /** Baseline (b): the whole set preparsed, entities = principal + ancestors + resource + ancestors, Tenet's context. */
  readonly baseline: StatefulAuthorizationCall;
  /** Baseline (c): as (b) but with every entity of the organisation. */
  readonly naive: StatefulAuthorizationCall;
  readonly generated: GeneratedRequest;
}

export interface WorkloadFacts {
  readonly allowed: number;
  readonly stepUp: number;
  readonly denied: number;
  /** Requests on which the engine's allow/not-allow equals cedar-wasm's on the whole set. */
  readonly agree: number;
  readonly meanPoliciesEvaluated: number;
  /** Cedar evaluations per engine decision (a denied, authenticated request is re-evaluated for step-up). */
  readonly meanCedarCalls: number;
  readonly meanSliceEntities: number;
  readonly meanBaselineEntities: number;
  readonly distinctSlices: number;
  /** Hit rate of an LRU the size of the engine's slice cache, replaying the request cycle (steady state). */
  readonly simulatedSliceHitRate: number;
}

export interface Workload {
  readonly size: number;
  readonly policies: readonly GeneratedPolicy[];
  readonly policySet: PolicySet;
  readonly settings: EngineSettings;
  readonly requests: readonly PreparedRequest[];
  /** Per request: the engine allowed it (for the allowed-only figures, where no step-up re-evaluation happens). */
  readonly allowed: readonly boolean[];
  readonly facts: WorkloadFacts;
  readonly loadMillis: number;
}

/** Stable order of preparsed whole-set names, so two workloads never share one. */
let fullSetCounter = 0;

function cedarEntity(index: EntityIndex, ref: { type: string; id: string }): EntityJson[] {
  const entity = index.get(ref);
  return entity === undefined ? [] : [entity as unknown as EntityJson];
}

function simulateLru(keys: readonly string[], capacity: number): number {
  const cache = new Map<string, true>();
  let hits = 0;
  // Two passes: the first fills the cache, the second is the steady state the timed rounds see.
  for (let pass = 0; pass < 2; pass += 1) {
    for (const key of keys) {
      const hit = cache.delete(key);
      if (pass === 1 && hit) hits += 1;
      cache.set(key, true);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
    }
  }
  return hits / keys.length;
}

export function prepareWorkload(world: World, index: EntityIndex, allEntities: readonly EntityJson[], settings: EngineSettings, size: number, requestCount: number): Workload {
  const policies = generatePolicies(world, size, 1000 + size);
  const started = process.hrtime.bigint();
  // cedar-wasm on purpose: this section measures the engine's own overhead over the same Cedar
  // evaluator; the compiled evaluator is compared in bench/cedar.ts.
  const policySet = loadPolicySet(
    {
      policies: [{ file: 'bench/policies.cedar', text: policyFileText(policies) }],
      schema: { file: 'bench/schema.cedarschema', text: world.schemaText, format: 'cedar' },
    },
    { evaluator: 'wasm' },
  );
  const loadMillis = Number(process.hrtime.bigint() - started) / 1e6;

  const fullSetId = `bench-full-set-${size}-${fullSetCounter++}`;
  const parsed = preparsePolicySet(fullSetId, { staticPolicies: Object.fromEntries([...policySet.policies].map(([id, policy]) => [id, policy.text])) });
  if (parsed.type === 'failure') throw new Error(`cedar-wasm could not preparse the ${size}-policy set: ${parsed.errors.map((e) => e.message).join('; ')}`);

  // Run the engine once per request with an evaluator that records what it hands to Cedar: the
  // baseline then gets exactly Tenet's context, and we learn the slice sizes.
  // Only the first call is the request itself: a denied, authenticated request is evaluated again
  // with stronger authentication (counterfactual step-up, src/engine/step-up.ts).
  let captured: EvaluationCall | undefined;
  let cedarCalls = 0;
  const capturing: PolicySet = {
    ...policySet,
    evaluator: {
      evaluate(call) {
        captured ??= call;
        cedarCalls += 1;
        return policySet.evaluator.evaluate(call);
      },
    },
  };
  const generated = generateRequests(world, policies, requestCount, 7 + size);
  const requests: PreparedRequest[] = [];
  const allowedFlags: boolean[] = [];
  const sliceKeys: string[] = [];
  let allowed = 0;
  let stepUp = 0;
  let agree = 0;
  let evaluated = 0;
  let sliceEntities = 0;
  let baselineEntities = 0;
  for (const item of generated) {
    const snapshot: SignalSnapshot = { now: world.now, entities: index, device: item.device, threats: item.threats };
    captured = undefined;
    const decision = decide(item.request, snapshot, capturing, settings);
    const call = captured as EvaluationCall | undefined;
    // INVARIANT: the two global forbids are in every scope slice, so Cedar is always called.
    if (call === undefined) throw new Error(`the engine did not call Cedar for ${JSON.stringify(item.request)} (${decision.reasons.map((r) => r.code).join(', ')})`);
    const { subject, resource, action } = item.request;
    const entities = [
      ...cedarEntity(index, subject),
      ...index.ancestorsOf(subject).flatMap((ancestor) => cedarEntity(index, ancestor)),
      ...cedarEntity(index, resource),
      ...index.ancestorsOf(resource).flatMap((ancestor) => cedarEntity(index, ancestor)),
    ];
    const base = {
      principal: { type: subject.type, id: subject.id },
      action: { type: 'Action', id: action.name },
      resource: { type: resource.type, id: resource.id },
      context: call.context as Context,
      preparsedPolicySetId: fullSetId,
    };
    const baseline: StatefulAuthorizationCall = { ...base, entities };
    const naive: StatefulAuthorizationCall = { ...base, entities: allEntities as EntityJson[] };
    const answer = statefulIsAuthorized(baseline);
    if (answer.type === 'failure') throw new Error(`baseline failed: ${answer.errors.map((e) => e.message).join('; ')}`);
    if ((answer.response.decision === 'allow') === (decision.outcome === 'allow')) agree += 1;
    if (decision.outcome === 'allow') allowed += 1;
    allowedFlags.push(decision.outcome === 'allow');
    if (decision.outcome === 'step-up') stepUp += 1;
    evaluated += decision.policies.evaluated;
    sliceEntities += call.entities.length;
    baselineEntities += entities.length;
    sliceKeys.push(call.policyIds.join(','));
    requests.push({ request: item.request, snapshot, baseline, naive, generated: item });
  }
  const n = generated.length;
  return {
    size,
    policies,
    policySet,
    settings,
    requests,
    allowed: allowedFlags,
    loadMillis,
    facts: {
      allowed,
      stepUp,
      denied: n - allowed - stepUp,
      agree,
      meanPoliciesEvaluated: evaluated / n,
      meanCedarCalls: cedarCalls / n,
      meanSliceEntities: sliceEntities / n,
      meanBaselineEntities: baselineEntities / n,
      distinctSlices: new Set(sliceKeys).size,
      simulatedSliceHitRate: simulateLru(sliceKeys, ENGINE_SLICE_CACHE),
    },
  };
}

/** Keeps results observable so no call can be optimised away. */
export let sink = 0;

/** One timed pass: figures over every call, and over the calls whose request is in the subset. */
export interface TimedPass {
  readonly all: RoundResult;
  readonly subset: RoundResult;
}

/**
 * Times `calls` calls of `run(i mod n)` one by one with hrtime. `all` uses the loop's wall time for
 * decisions/s; `subset` (requests flagged in `inSubset`) uses the sum of those calls' times.
 */
export function timeCalls(calls: number, n: number, run: (i: number) => number, inSubset: readonly boolean[]): TimedPass {
  const latencies = new Float64Array(calls);
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) {
    const t0 = process.hrtime.bigint();
    sink += run(i % n);
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const wall = process.hrtime.bigint() - started;
  const subset = latencies.filter((_, i) => inSubset[i % n] === true);
  const subsetNanos = BigInt(Math.round(subset.reduce((sum, micros) => sum + micros, 0) * 1000));
  return { all: summariseRound(latencies, wall), subset: summariseRound(subset, subsetNanos) };
}

export function engineRound(workload: Workload, calls: number): TimedPass {
  const { requests, policySet, settings } = workload;
  return timeCalls(
    calls,
    requests.length,
    (i) => {
      const r = requests[i] as PreparedRequest;
      return decide(r.request, r.snapshot, policySet, settings).outcome === 'allow' ? 1 : 0;
    },
    workload.allowed,
  );
}

export function baselineRound(workload: Workload, calls: number, which: 'baseline' | 'naive'): TimedPass {
  const { requests } = workload;
  return timeCalls(
    calls,
    requests.length,
    (i) => {
      const answer = statefulIsAuthorized((requests[i] as PreparedRequest)[which]);
      return answer.type === 'success' && answer.response.decision === 'allow' ? 1 : 0;
    },
    workload.allowed,
  );
}

/** What one policy-set size measured: plain data, sent from the section process to the report. */
export interface SizeReport {
  readonly size: number;
  readonly requests: number;
  readonly loadMillis: number;
  readonly facts: WorkloadFacts;
  readonly engine: TimedPass;
  readonly baseline: TimedPass;
  readonly naive: RoundResult;
}

function medianPasses(passes: readonly TimedPass[]): TimedPass {
  return { all: medianOfRounds(passes.map((p) => p.all)), subset: medianOfRounds(passes.map((p) => p.subset)) };
}

/** Warm-up pass, then `plan.rounds` rounds of one pass each, engine and baseline alternating who goes first. */
export function measureSize(workload: Workload, plan: Plan): SizeReport {
  const calls = workload.requests.length;
  // One pass each first, so JIT tiers, the slice cache and wasm memory settle before timing.
  engineRound(workload, calls);
  baselineRound(workload, calls, 'baseline');
  const engine: TimedPass[] = [];
  const baseline: TimedPass[] = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    if (round % 2 === 0) {
      engine.push(engineRound(workload, calls));
      baseline.push(baselineRound(workload, calls, 'baseline'));
    } else {
      baseline.push(baselineRound(workload, calls, 'baseline'));
      engine.push(engineRound(workload, calls));
    }
  }
  const naive: RoundResult[] = [];
  for (let round = 0; round < plan.naiveRounds; round += 1) naive.push(baselineRound(workload, plan.naiveCalls, 'naive').all);
  return {
    size: workload.size,
    requests: calls,
    loadMillis: workload.loadMillis,
    facts: workload.facts,
    engine: medianPasses(engine),
    baseline: medianPasses(baseline),
    naive: medianOfRounds(naive),
  };
}
