// The data one size of the Cedar evaluation benchmark runs on, prepared the same way by the main
// section (bench/cedar-section.ts) and by its replicas (bench/cedar-replica.ts): the synthetic
// organisation, the policy set parsed and compiled once, the entity graph of all 10,000 entities
// built once, and each request with the Cedar context Tenet's engine builds for it. Nothing here is
// timed per call.
import { compilePolicySet, contextFromJson, entityGraphFromJson, EntityUid, type AuthorizationRequest, type CompiledPolicySet, type EntityGraph } from '../src/engine/cedar/compiled/index.js';
import type { ParsedPolicy } from '../src/engine/cedar/compiled/index.js';
import { parsePolicySet } from '../src/engine/cedar/compiled/parser/index.js';
import { DEFAULT_ENGINE_SETTINGS, decide, loadPolicySet, type AccessRequest, type CedarJsonValue, type EvaluationCall, type PolicySet, type SignalSnapshot } from '../src/engine/index.js';
import { EntityIndex } from '../src/signals/identity/index.js';
import { generatePolicies, generateRequests, generateWorld, policyFileText, type GeneratedPolicy, type World } from './generate.js';
import { SEED } from './plan.js';

export interface WorkloadRequest {
  readonly request: AccessRequest;
  readonly snapshot: SignalSnapshot;
  /** The Cedar context Tenet's engine built for this request (captured from a decide()). */
  readonly contextJson: Readonly<Record<string, CedarJsonValue>>;
  /** The same request for the compiled evaluator, its context already converted. */
  readonly compiled: AuthorizationRequest;
}

export interface CedarWorkload {
  readonly size: number;
  readonly world: World;
  readonly index: EntityIndex;
  readonly policies: readonly GeneratedPolicy[];
  readonly policyText: string;
  readonly parsed: readonly ParsedPolicy[];
  readonly compiled: CompiledPolicySet;
  readonly graph: EntityGraph;
  readonly schema: { readonly file: string; readonly text: string; readonly format: 'cedar' };
  readonly requests: readonly WorkloadRequest[];
  readonly millis: { readonly parse: number; readonly compile: number; readonly graph: number };
}

const millisSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

export function prepareCedarWorkload(size: number, requestCount: number, now: string): CedarWorkload {
  const world = generateWorld(SEED, new Date(now));
  const index = new EntityIndex(world.entities);
  // Same policies and requests as bench:decision at 10/100/1,000 policies (same seeds).
  const policies = generatePolicies(world, size, 1000 + size);
  const policyText = policyFileText(policies);
  const generated = generateRequests(world, policies, requestCount, 7 + size);

  let started = process.hrtime.bigint();
  const parsed = parsePolicySet(policyText, 'bench/policies.cedar');
  const parseMillis = millisSince(started);
  started = process.hrtime.bigint();
  const compiled = compilePolicySet(parsed);
  const compileMillis = millisSince(started);
  started = process.hrtime.bigint();
  const graph = entityGraphFromJson(world.entities);
  const graphMillis = millisSince(started);

  // Each request's Cedar context as Tenet builds it, captured from one engine decision over the
  // two global guardrail forbids (generatePolicies puts them first; they are in every scope slice,
  // so Cedar is always called). The first evaluator call is the request itself, later ones are
  // step-up re-evaluations. The context does not depend on the policies (src/engine/cedar/context.ts).
  const schema = { file: 'bench/schema.cedarschema', text: world.schemaText, format: 'cedar' as const };
  const guardrails = loadPolicySet({ policies: [{ file: 'bench/guardrails.cedar', text: policyFileText(policies.slice(0, 2)) }], schema }, { evaluator: 'wasm' });
  let captured: EvaluationCall | undefined;
  const capturing: PolicySet = {
    ...guardrails,
    evaluator: {
      evaluate(call) {
        captured ??= call;
        return guardrails.evaluator.evaluate(call);
      },
    },
  };
  const requests = generated.map((item): WorkloadRequest => {
    const snapshot: SignalSnapshot = { now: world.now, entities: index, device: item.device, threats: item.threats };
    captured = undefined;
    decide(item.request, snapshot, capturing, DEFAULT_ENGINE_SETTINGS);
    const call = captured as EvaluationCall | undefined;
    if (call === undefined) throw new Error(`the engine did not call Cedar for ${JSON.stringify(item.request)}`);
    const { subject, resource, action } = item.request;
    return {
      request: item.request,
      snapshot,
      contextJson: call.context,
      compiled: {
        principal: EntityUid.of(subject.type, subject.id),
        action: EntityUid.of('Action', action.name),
        resource: EntityUid.of(resource.type, resource.id),
        context: contextFromJson(call.context),
      },
    };
  });

  return { size, world, index, policies, policyText, parsed, compiled, graph, schema, requests, millis: { parse: parseMillis, compile: compileMillis, graph: graphMillis } };
}
