// One policy-set size of the Cedar evaluation benchmark, in a fresh Node process (started by
// bench/cedar.ts): the compiled evaluator against cedar-wasm on the same requests, and the engine's
// decide() with each evaluator. Everything a call needs is prepared before the timed loops (the
// entity graph, the compiled set, cedar-wasm's preparsed set, each request's entity slice and
// context), and the two evaluators must agree on every checked request before anything is timed.
// Prints one JSON line `{"report": …}` on stdout; progress and disagreements go to stderr.
import { preparsePolicySet, statefulIsAuthorized, type Context, type EntityJson, type StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { compilePolicySet, contextFromJson, entityGraphFromJson, EntityUid, type AuthorizationRequest } from '../src/engine/cedar/compiled/index.js';
import { parsePolicySet } from '../src/engine/cedar/compiled/parser/index.js';
import { DEFAULT_ENGINE_SETTINGS, decide, loadPolicySet, type AccessRequest, type CedarJsonValue, type Decision, type EvaluationCall, type PolicySet, type SignalSnapshot } from '../src/engine/index.js';
import { EntityIndex } from '../src/signals/identity/index.js';
import { checkedRequestsFor, cedarPlanFor, engineMeasuredAt, wasmRequestsFor } from './cedar-plan.js';
import { generatePolicies, generateRequests, generateWorld, policyFileText } from './generate.js';
import { sink, timeCalls, type TimedPass } from './in-process.js';
import { SEED } from './plan.js';
import { medianOfRounds } from './stats.js';

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
  /** `all`: every call; `subset`: only calls on the requests cedar-wasm is timed on (the speed-up's basis). */
  readonly figures: TimedPass;
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
  readonly variants: readonly VariantFigures[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as CedarSectionArgs;
const plan = cedarPlanFor(args.quick);
const { size } = args;
const log = (message: string) => console.error(`  [${size} policies] ${message}`);
const millisSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

const world = generateWorld(SEED, new Date(args.now));
const index = new EntityIndex(world.entities);
// Same policies and requests as bench:decision at 10/100/1,000 policies (same seeds).
const policies = generatePolicies(world, size, 1000 + size);
const policyText = policyFileText(policies);
const generated = generateRequests(world, policies, plan.requests, 7 + size);
const wasmRequests = Math.min(wasmRequestsFor(plan, size), generated.length);
const checkedRequests = Math.min(checkedRequestsFor(plan, size), generated.length);

// --- The compiled evaluator: parse and compile once, entity graph once (none of it timed per call).
let started = process.hrtime.bigint();
const parsed = parsePolicySet(policyText, 'bench/policies.cedar');
const parseMillis = millisSince(started);
started = process.hrtime.bigint();
const compiled = compilePolicySet(parsed);
const compileMillis = millisSince(started);
started = process.hrtime.bigint();
const graph = entityGraphFromJson(world.entities);
const graphMillis = millisSince(started);
const allPolicyIds = compiled.policyIds;

// --- cedar-wasm: the whole set preparsed once, keyed by our ids (as measure-authorize.ts does).
started = process.hrtime.bigint();
const wasmSetId = `bench-cedar-${size}`;
const preparsed = preparsePolicySet(wasmSetId, { staticPolicies: Object.fromEntries(parsed.map((p) => [p.id, p.text])) });
if (preparsed.type === 'failure') throw new Error(`cedar-wasm could not preparse the ${size}-policy set: ${preparsed.errors.map((e) => e.message).join('; ')}`);
const wasmPreparseMillis = millisSince(started);

// --- The engine, loaded once per evaluator. A small set is loaded first: it warms loadPolicySet
// up (the first load in a process pays one-off costs, which would otherwise land on whichever
// evaluator loads first) and captures each request's context below.
const source = {
  policies: [{ file: 'bench/policies.cedar', text: policyText }],
  schema: { file: 'bench/schema.cedarschema', text: world.schemaText, format: 'cedar' as const },
};
// The two global guardrail forbids (generatePolicies puts them first).
const contextSource = loadPolicySet({ policies: [{ file: 'bench/guardrails.cedar', text: policyFileText(policies.slice(0, 2)) }], schema: source.schema }, { evaluator: 'wasm' });
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

// --- Each request's Cedar context as Tenet builds it, captured from one engine decision (the first
// evaluator call is the request itself; later ones are step-up re-evaluations). The context does
// not depend on the policies (src/engine/cedar/context.ts), so the small set gives the same one.
let captured: EvaluationCall | undefined;
const capturing: PolicySet = {
  ...contextSource,
  evaluator: {
    evaluate(call) {
      captured ??= call;
      return contextSource.evaluator.evaluate(call);
    },
  },
};

function cedarEntity(ref: { type: string; id: string }): EntityJson[] {
  const entity = index.get(ref);
  return entity === undefined ? [] : [entity as unknown as EntityJson];
}

interface Prepared {
  readonly request: AccessRequest;
  readonly snapshot: SignalSnapshot;
  readonly contextJson: Readonly<Record<string, CedarJsonValue>>;
  /** Baseline: whole set preparsed; entities = principal + ancestors + resource + ancestors (as bench:decision (b)). */
  readonly wasm: StatefulAuthorizationCall;
  readonly compiled: AuthorizationRequest;
}

const prepared: Prepared[] = generated.map((item) => {
  const snapshot: SignalSnapshot = { now: world.now, entities: index, device: item.device, threats: item.threats };
  captured = undefined;
  decide(item.request, snapshot, capturing, DEFAULT_ENGINE_SETTINGS);
  const call = captured as EvaluationCall | undefined;
  // INVARIANT: the two global forbids are in every scope slice, so Cedar is always called.
  if (call === undefined) throw new Error(`the engine did not call Cedar for ${JSON.stringify(item.request)}`);
  const { subject, resource, action } = item.request;
  const entities = [
    ...cedarEntity(subject),
    ...index.ancestorsOf(subject).flatMap(cedarEntity),
    ...cedarEntity(resource),
    ...index.ancestorsOf(resource).flatMap(cedarEntity),
  ];
  return {
    request: item.request,
    snapshot,
    contextJson: call.context,
    wasm: {
      principal: { type: subject.type, id: subject.id },
      action: { type: 'Action', id: action.name },
      resource: { type: resource.type, id: resource.id },
      context: call.context as Context,
      entities,
      preparsedPolicySetId: wasmSetId,
    },
    compiled: {
      principal: EntityUid.of(subject.type, subject.id),
      action: EntityUid.of('Action', action.name),
      resource: EntityUid.of(resource.type, resource.id),
      context: contextFromJson(call.context),
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

// --- Timing. Each call timed on its own; compiled variants run `compiledPasses` passes over all
// requests per round, cedar-wasm variants one pass over the first `wasmRequests`.
const inWasmSubset = prepared.map((_, i) => i < wasmRequests);
const allInSubset = prepared.map(() => true);
const n = prepared.length;
const compiledCalls = n * plan.compiledPasses;
const at = (i: number) => prepared[i] as Prepared;

const runners: Record<Variant, { calls: number; requests: number; subset: readonly boolean[]; run: (i: number) => number } | undefined> = {
  wasm: {
    calls: wasmRequests,
    requests: wasmRequests,
    subset: allInSubset,
    run: (i) => {
      const answer = statefulIsAuthorized(at(i).wasm);
      return answer.type === 'success' && answer.response.decision === 'allow' ? 1 : 0;
    },
  },
  compiled: { calls: compiledCalls, requests: n, subset: inWasmSubset, run: (i) => (compiled.authorize(at(i).compiled, graph).decision === 'allow' ? 1 : 0) },
  'compiled-no-index': { calls: compiledCalls, requests: n, subset: inWasmSubset, run: (i) => (compiled.authorize(at(i).compiled, graph, allPolicyIds).decision === 'allow' ? 1 : 0) },
  'compiled-context': {
    calls: compiledCalls,
    requests: n,
    subset: inWasmSubset,
    run: (i) => {
      const p = at(i);
      const request: AuthorizationRequest = { principal: p.compiled.principal, action: p.compiled.action, resource: p.compiled.resource, context: contextFromJson(p.contextJson) };
      return compiled.authorize(request, graph).decision === 'allow' ? 1 : 0;
    },
  },
  'engine-wasm':
    engineWasm === undefined
      ? undefined
      : { calls: wasmRequests, requests: wasmRequests, subset: allInSubset, run: (i) => (decide(at(i).request, at(i).snapshot, engineWasm as PolicySet, DEFAULT_ENGINE_SETTINGS).outcome === 'allow' ? 1 : 0) },
  'engine-compiled':
    engineCompiled === undefined
      ? undefined
      : { calls: compiledCalls, requests: n, subset: inWasmSubset, run: (i) => (decide(at(i).request, at(i).snapshot, engineCompiled as PolicySet, DEFAULT_ENGINE_SETTINGS).outcome === 'allow' ? 1 : 0) },
};
const variants = (Object.keys(runners) as Variant[]).filter((v) => runners[v] !== undefined);
const timeVariant = (variant: Variant): TimedPass => {
  const r = runners[variant];
  if (r === undefined) throw new Error(`no runner for ${variant}`);
  // The modulus is the full cycle; wasm variants make fewer calls, so they stay on the first requests.
  return timeCalls(r.calls, n, r.run, r.subset);
};

log('warm-up pass');
for (const variant of variants) timeVariant(variant);
const timerFloor = timeCalls(compiledCalls, n, () => 0, allInSubset).all.p50Micros;
const passes = new Map<Variant, TimedPass[]>(variants.map((v) => [v, []]));
for (let round = 0; round < plan.rounds; round += 1) {
  log(`round ${round + 1} of ${plan.rounds}`);
  // Rotate who goes first, so drift in the machine's load spreads over every variant.
  for (let k = 0; k < variants.length; k += 1) {
    const variant = variants[(round + k) % variants.length] as Variant;
    passes.get(variant)?.push(timeVariant(variant));
  }
}

const medianPass = (list: readonly TimedPass[]): TimedPass => ({ all: medianOfRounds(list.map((p) => p.all)), subset: medianOfRounds(list.map((p) => p.subset)) });

const report: CedarSectionReport = {
  size,
  requests: n,
  wasmRequests,
  millis: { parse: parseMillis, compile: compileMillis, graph: graphMillis, wasmPreparse: wasmPreparseMillis, engineLoadWasm, engineLoadCompiled },
  compiledVsWasm,
  noIndexVsIndex,
  engineAgreement,
  allowed,
  meanScopeMatches,
  engineOutcomes,
  meanEngineSlice,
  timerFloorMicros: timerFloor,
  variants: variants.map((variant) => {
    const r = runners[variant] as NonNullable<(typeof runners)[Variant]>;
    return { variant, callsPerRound: r.calls, requests: r.requests, figures: medianPass(passes.get(variant) ?? []) };
  }),
};
if (sink === Number.MIN_SAFE_INTEGER) console.error('unreachable');
console.log(JSON.stringify({ report }));
