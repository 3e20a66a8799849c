// PolicyEvaluator backed by cedar-wasm's stateful API: each distinct scope slice is preparsed once
// (preparsed-slices.ts) and then evaluated with statefulIsAuthorized, so a request pays for parsing
// neither the policies nor more of them than its scope can match.
import './wasm-v8-workaround.js';
import { randomUUID } from 'node:crypto';
import { statefulIsAuthorized, type Context, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { TenetError } from '../../errors.js';
import type { EvaluationCall, EvaluationResult, PolicyEvaluator } from './evaluator.js';
import { preparedSlice } from './preparsed-slices.js';

/** `texts`: policy id → Cedar text (each a single static policy). */
export function createWasmEvaluator(texts: ReadonlyMap<string, string>): PolicyEvaluator {
  // A fresh id per load keeps this set's slices apart from any other set's in the shared cache.
  const loadId = randomUUID();
  const ordinals = new Map([...texts.keys()].map((id, i) => [id, i]));

  const sliceKey = (ids: readonly string[]): string => `${loadId}:${ids.map((id) => ordinals.get(id) ?? -1).join(',')}`;
  const sliceTexts = (ids: readonly string[]): Record<string, string> => {
    const record: Record<string, string> = {};
    for (const id of ids) {
      const text = texts.get(id);
      if (text === undefined) throw new TenetError('TENET_ERR_ENGINE_UNKNOWN_POLICY', `policy ${id} is not in this policy set`);
      record[id] = text;
    }
    return record;
  };

  return {
    evaluate(call: EvaluationCall): EvaluationResult {
      const preparsedPolicySetId = preparedSlice(sliceKey(call.policyIds), () => sliceTexts(call.policyIds));
      const answer = statefulIsAuthorized({
        principal: call.principal,
        action: call.action,
        resource: call.resource,
        context: call.context as Context,
        entities: call.entities as Entities,
        preparsedPolicySetId,
      });
      if (answer.type === 'failure') {
        throw new TenetError('TENET_ERR_ENGINE_EVALUATION', `cedar-wasm could not evaluate the request: ${answer.errors.map((e) => e.message).join('; ')}`);
      }
      const { decision, diagnostics } = answer.response;
      return {
        decision,
        determining: diagnostics.reason,
        errored: diagnostics.errors.map((e) => ({ policyId: e.policyId, message: e.error.message })),
      };
    },
  };
}
