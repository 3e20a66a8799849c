// One policy-set size of the Cedar evaluation benchmark, in a fresh Node process (started by
// bench/cedar.ts): the compiled evaluator against cedar-wasm on the same requests, and the engine's
// decide() with each evaluator. Everything a call needs is prepared before the timed loops (the
// entity graph, the compiled set, cedar-wasm's preparsed set, each request's entity slice and
// context: bench/cedar-workload.ts), and the two evaluators must agree on every checked request
// before anything is timed. The compiled evaluator is timed again by replicas in their own
// processes (bench/cedar-replica.ts); bench/cedar.ts pools their rounds with this one's.
// Prints one JSON line `{"report": …}` on stdout; progress and disagreements go to stderr.
import { preparsePolicySet, statefulIsAuthorized, type Context, type EntityJson, type StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { contextFromJson, type AuthorizationRequest } from '../src/engine/cedar/compiled/index.js';
import { DEFAULT_ENGINE_SETTINGS, decide, loadPolicySet, type Decision, type PolicySet } from '../src/engine/index.js';
import { checkedRequestsFor, cedarPlanFor, engineMeasuredAt, wasmRequestsFor } from './cedar-plan.js';
import { measure, sinkIsImpossible, type ProbeResult, type TimedVariant } from './cedar-timing.js';
import { prepareCedarWorkload, type WorkloadRequest } from './cedar-workload.js';
import type { TimedPass } from './in-process.js';

export interface CedarSectionArgs {
  readonly size: number;
  readonly quick: boolean;
  /** The clock all generated timestamps are relative to (ISO 8601), the same in every section. */
  readonly now: string;
}

/** What is timed. `engine-*` only where the engine is measured at this size (cedar-plan.ts). */
export type Variant = 'wasm' | 'compiled' | 'compiled-no-index' | 'compiled-context' | 'engine-wasm' | 'engine-compiled';

export interface VariantFigures {
  readonly variant: Variant;
  /** Calls per round, and how many distinct requests they cycle. */
  readonly callsPerRound: number;
  readonly requests: number;
  /**
   * The timed rounds, per process that timed this variant: this section's first, then its
   * replicas' (added by bench/cedar.ts). Each round has `all` (every call) and `subset` (only calls
   * on the requests cedar-wasm is timed on: the speed-up's basis) figures.
   */
  readonly processes: readonly (readonly TimedPass[])[];
}

export interface Agreement {
  readonly checked: number;
  /** Same allow/deny. */
  readonly decision: number;
  /** Same determining policies (Cedar's `reason`) too. */
  readonly determining: number;
}

export interface CedarSectionReport {
  readonly size: number;
  readonly requests: number;
  readonly wasmRequests: number;
  readonly millis: {
    readonly parse: number;
    readonly compile: number;
    readonly graph: number;
    readonly wasmPreparse: number;
    readonly engineLoadWasm: number | undefined;
    readonly engineLoadCompiled: number | undefined;
  };
  readonly compiledVsWasm: Agreement;
  /** The compiled evaluator with and without its scope index, on every request. */
  readonly noIndexVsIndex: Agreement;
  /** The engine with each evaluator: same outcome (allow / step-up / deny) and determining policies. */
  readonly engineAgreement: Agreement | undefined;
  readonly allowed: number;
  readonly meanScopeMatches: number;
  readonly engineOutcomes: { readonly allow: number; readonly stepUp: number; readonly deny: number } | undefined;
  readonly meanEngineSlice: number | undefined;
  /** p50 of an empty call timed exactly as the others: the timer's own cost in every figure. */
  readonly timerFloorMicros: number;
  /** The machine probe before each round, in this process and (added by bench/cedar.ts) its replicas. */
  readonly probes: readonly ProbeResult[];
  /** Passes over the requests per round of the compiled evaluator alone (replicas make the same). */
  readonly compiledPasses: number;
  readonly variants: readonly VariantFigures[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as CedarSectionArgs;
const plan = cedarPlanFor(args.quick);
const { size } = args;
const log = (message: string) => console.error(`  [${size} policies] ${message}`);
const millisSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

// --- The compiled evaluator and the requests: parsed, compiled, graph built, contexts captured
// (loading the two guardrail forbids for that also warms loadPolicySet up: the first load in a
// process pays one-off costs, which would otherwise land on whichever evaluator loads first below).
const workload = prepareCedarWorkload(size, plan.requests, args.now);
const { index, parsed, compiled, graph, policyText } = workload;
const allPolicyIds = compiled.policyIds;
const wasmRequests = Math.min(wasmRequestsFor(plan, size), workload.requests.length);
const checkedRequests = Math.min(checkedRequestsFor(plan, size), workload.requests.length);

// --- cedar-wasm: the whole set preparsed once, keyed by our ids (as measure-authorize.ts does).
let started = process.hrtime.bigint();
const wasmSetId = `bench-cedar-${size}`;
const preparsed = preparsePolicySet(wasmSetId, { staticPolicies: Object.fromEntries(parsed.map((p) => [p.id, p.text])) });
if (preparsed.type === 'failure') throw new Error(`cedar-wasm could not preparse the ${size}-policy set: ${preparsed.errors.map((e) => e.message).join('; ')}`);
const wasmPreparseMillis = millisSince(started);

// --- The engine, loaded once per evaluator.
const source = { policies: [{ file: 'bench/policies.cedar', text: policyText }], schema: workload.schema };
let engineWasm: PolicySet | undefined;
let engineCompiled: PolicySet | undefined;
let engineLoadWasm: number | undefined;
let engineLoadCompiled: number | undefined;
if (engineMeasuredAt(size)) {
  log('loading the engine with each evaluator');
  started = process.hrtime.bigint();
  engineWasm = loadPolicySet(source, { evaluator: 'wasm' });
  engineLoadWasm = millisSince(started);
  started = process.hrtime.bigint();
  engineCompiled = loadPolicySet(source, { evaluator: 'compiled' });
  engineLoadCompiled = millisSince(started);
}

function cedarEntity(ref: { type: string; id: string }): EntityJson[] {
  const entity = index.get(ref);
  return entity === undefined ? [] : [entity as unknown as EntityJson];
}

interface Prepared extends WorkloadRequest {
  /** Baseline: whole set preparsed; entities = principal + ancestors + resource + ancestors (as bench:decision (b)). */
  readonly wasm: StatefulAuthorizationCall;
}

const prepared: Prepared[] = workload.requests.map((item) => {
  const { subject, resource, action } = item.request;
  const entities = [
    ...cedarEntity(subject),
    ...index.ancestorsOf(subject).flatMap(cedarEntity),
    ...cedarEntity(resource),
    ...index.ancestorsOf(resource).flatMap(cedarEntity),
  ];
  return {
    ...item,
    wasm: {
      principal: { type: subject.type, id: subject.id },
      action: { type: 'Action', id: action.name },
      resource: { type: resource.type, id: resource.id },
      context: item.contextJson as Context,
      entities,
      preparsedPolicySetId: wasmSetId,
    },
  };
});
// --- Agreement before timing: figures only mean something if both evaluators say the same.
const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((id, i) => id === [...b].sort()[i]);
const disagreements: string[] = [];
function tally(checked: number, compare: (i: number) => { decision: boolean; determining: boolean; detail: () => string }): Agreement {
  let decision = 0;
  let determining = 0;
  for (let i = 0; i < checked; i += 1) {
    const result = compare(i);
    if (result.decision) decision += 1;
    if (result.decision && result.determining) determining += 1;
    else if (disagreements.length < 20) disagreements.push(result.detail());
  }
  return { checked, decision, determining };
}

log(`checking that the compiled evaluator and cedar-wasm agree on ${checkedRequests} requests`);
const compiledAnswers = prepared.map((p) => compiled.authorize(p.compiled, graph));
const compiledVsWasm = tally(checkedRequests, (i) => {
  const p = prepared[i] as Prepared;
  const ours = compiledAnswers[i] as ReturnType<typeof compiled.authorize>;
  const answer = statefulIsAuthorized(p.wasm);
  if (answer.type === 'failure') return { decision: false, determining: false, detail: () => `request ${i}: cedar-wasm failed: ${answer.errors.map((e) => e.message).join('; ')}` };
  const theirs = answer.response;
  return {
    decision: theirs.decision === ours.decision,
    determining: sameIds(theirs.diagnostics.reason, ours.determining),
    detail: () => `request ${i} ${JSON.stringify(p.request)}: compiled ${ours.decision} [${ours.determining.join(', ')}], cedar-wasm ${theirs.decision} [${theirs.diagnostics.reason.join(', ')}]`,
  };
});
const noIndexVsIndex = tally(prepared.length, (i) => {
  const p = prepared[i] as Prepared;
  const indexed = compiledAnswers[i] as ReturnType<typeof compiled.authorize>;
  const all = compiled.authorize(p.compiled, graph, allPolicyIds);
  return {
    decision: all.decision === indexed.decision,
    determining: sameIds(all.determining, indexed.determining),
    detail: () => `request ${i}: compiled with index ${indexed.decision} [${indexed.determining.join(', ')}], without ${all.decision} [${all.determining.join(', ')}]`,
  };
});
const meanScopeMatches = prepared.reduce((sum, p) => sum + compiled.scopeMatches(p.compiled, graph).length, 0) / prepared.length;
const allowed = compiledAnswers.filter((a) => a.decision === 'allow').length;

let engineAgreement: Agreement | undefined;
let engineOutcomes: CedarSectionReport['engineOutcomes'];
let meanEngineSlice: number | undefined;
if (engineWasm !== undefined && engineCompiled !== undefined) {
  log(`checking that the engine decides the same with either evaluator on ${prepared.length} requests`);
  const wasmSet = engineWasm;
  const compiledSet = engineCompiled;
  const outcomes = { allow: 0, stepUp: 0, deny: 0 };
  let sliceTotal = 0;
  engineAgreement = tally(prepared.length, (i) => {
    const p = prepared[i] as Prepared;
    const a: Decision = decide(p.request, p.snapshot, wasmSet, DEFAULT_ENGINE_SETTINGS);
    const b: Decision = decide(p.request, p.snapshot, compiledSet, DEFAULT_ENGINE_SETTINGS);
    if (b.outcome === 'allow') outcomes.allow += 1;
    else if (b.outcome === 'step-up') outcomes.stepUp += 1;
    else outcomes.deny += 1;
    sliceTotal += b.policies.evaluated;
    return {
      decision: a.outcome === b.outcome,
      determining: sameIds(a.policies.determining, b.policies.determining),
      detail: () =>
        `request ${i}: engine with cedar-wasm ${a.outcome} [${a.policies.determining.join(', ')}] (${a.reasons.map((r) => r.code).join(', ')}), ` +
        `with compiled ${b.outcome} [${b.policies.determining.join(', ')}] (${b.reasons.map((r) => r.code).join(', ')})`,
    };
  });
  engineOutcomes = outcomes;
  meanEngineSlice = sliceTotal / prepared.length;
}
for (const line of disagreements) console.error(`  DISAGREEMENT (${size} policies): ${line}`);

// --- Timing (bench/cedar-timing.ts). cedar-wasm's variants (a call costs 0.7–70 ms) make one pass
// over their requests per round; the others as many passes as fit in plan.roundMillis.
const inWasmSubset = prepared.map((_, i) => i < wasmRequests);
const allInSubset = prepared.map(() => true);
const n = prepared.length;
const at = (i: number) => prepared[i] as Prepared;

const candidates: (TimedVariant<Variant> | undefined)[] = [
  {
    variant: 'wasm',
    requests: wasmRequests,
    onePass: true,
    subset: allInSubset,
    run: (i) => {
      const answer = statefulIsAuthorized(at(i).wasm);
      return answer.type === 'success' && answer.response.decision === 'allow' ? 1 : 0;
    },
  },
  { variant: 'compiled', requests: n, onePass: false, subset: inWasmSubset, run: (i) => (compiled.authorize(at(i).compiled, graph).decision === 'allow' ? 1 : 0) },
  { variant: 'compiled-no-index', requests: n, onePass: false, subset: inWasmSubset, run: (i) => (compiled.authorize(at(i).compiled, graph, allPolicyIds).decision === 'allow' ? 1 : 0) },
  {
    variant: 'compiled-context',
    requests: n,
    onePass: false,
    subset: inWasmSubset,
    run: (i) => {
      const p = at(i);
      const request: AuthorizationRequest = { principal: p.compiled.principal, action: p.compiled.action, resource: p.compiled.resource, context: contextFromJson(p.contextJson) };
      return compiled.authorize(request, graph).decision === 'allow' ? 1 : 0;
    },
  },
  engineWasm === undefined
    ? undefined
    : { variant: 'engine-wasm', requests: wasmRequests, onePass: true, subset: allInSubset, run: (i) => (decide(at(i).request, at(i).snapshot, engineWasm as PolicySet, DEFAULT_ENGINE_SETTINGS).outcome === 'allow' ? 1 : 0) },
  engineCompiled === undefined
    ? undefined
    : { variant: 'engine-compiled', requests: n, onePass: false, subset: inWasmSubset, run: (i) => (decide(at(i).request, at(i).snapshot, engineCompiled as PolicySet, DEFAULT_ENGINE_SETTINGS).outcome === 'allow' ? 1 : 0) },
];
const variants = candidates.filter((v): v is TimedVariant<Variant> => v !== undefined);
const measured = measure(variants, n, plan, log);

const report: CedarSectionReport = {
  size,
  requests: n,
  wasmRequests,
  millis: { ...workload.millis, wasmPreparse: wasmPreparseMillis, engineLoadWasm, engineLoadCompiled },
  compiledVsWasm,
  noIndexVsIndex,
  engineAgreement,
  allowed,
  meanScopeMatches,
  engineOutcomes,
  meanEngineSlice,
  timerFloorMicros: measured.timerFloorMicros,
  probes: measured.probes,
  compiledPasses: measured.passes.get('compiled') ?? 1,
  variants: variants.map((v) => ({ variant: v.variant, callsPerRound: v.requests * (measured.passes.get(v.variant) ?? 1), requests: v.requests, processes: [measured.rounds.get(v.variant) ?? []] })),
};
if (sinkIsImpossible()) console.error('unreachable');
console.log(JSON.stringify({ report }));
