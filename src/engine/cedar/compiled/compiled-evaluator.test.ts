// The PolicyEvaluator adapter answers like the cedar-wasm one (wasm-evaluator.ts) on engine-shaped calls.
import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../errors.js';
import type { EvaluationCall } from '../evaluator.js';
import { createWasmEvaluator } from '../wasm-evaluator.js';
import { createCompiledEvaluator } from './compiled-evaluator.js';
import { policiesFromWasm } from './compile/test-support.js';

const texts = {
  'allow-eng': 'permit(principal in Group::"eng", action == Action::"view", resource) when { context.trust >= 2 };',
  'deny-risky': 'forbid(principal, action, resource) when { context.risk == "high" };',
  'erroring': 'permit(principal, action, resource) when { principal.missing };',
};

const base: EvaluationCall = {
  principal: { type: 'User', id: 'alice' },
  action: { type: 'Action', id: 'view' },
  resource: { type: 'App', id: 'wiki' },
  context: { trust: 3, risk: 'low' },
  entities: [
    { uid: { type: 'User', id: 'alice' }, attrs: { name: 'Alice' }, parents: [{ type: 'Group', id: 'eng' }] },
    { uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [] },
  ],
  policyIds: Object.keys(texts).sort(),
};

describe('createCompiledEvaluator', () => {
  const compiled = createCompiledEvaluator(policiesFromWasm(texts));
  const wasm = createWasmEvaluator(new Map(Object.entries(texts)));
  const ids = (result: { errored: readonly { policyId: string }[] }): string[] => result.errored.map((e) => e.policyId);

  it.each([
    ['allowed', base],
    ['denied by a forbid', { ...base, context: { trust: 3, risk: 'high' } }],
    ['no permit satisfied', { ...base, context: { trust: 1, risk: 'low' } }],
    ['principal not in the data', { ...base, principal: { type: 'User', id: 'mallory' } }],
    ['a slice of the policy set', { ...base, policyIds: ['deny-risky'] }],
  ])('%s: same answer as cedar-wasm', (_name, call) => {
    const ours = compiled.evaluate(call);
    const reference = wasm.evaluate(call);
    expect(ours.decision).toBe(reference.decision);
    expect([...ours.determining].sort()).toEqual([...reference.determining].sort());
    expect(ids(ours).sort()).toEqual(ids(reference).sort());
  });

  it('throws TenetError on entity data Cedar rejects, so the engine denies', () => {
    const cyclic = [
      { uid: { type: 'Group', id: 'a' }, attrs: {}, parents: [{ type: 'Group', id: 'b' }] },
      { uid: { type: 'Group', id: 'b' }, attrs: {}, parents: [{ type: 'Group', id: 'a' }] },
    ];
    expect(() => compiled.evaluate({ ...base, entities: cyclic })).toThrow(TenetError);
    expect(() => wasm.evaluate({ ...base, entities: cyclic })).toThrow(TenetError);
    expect(() => compiled.evaluate({ ...base, context: { x: null } })).toThrow(/null/);
    expect(() => compiled.evaluate({ ...base, principal: { type: 'not a type', id: 'x' } })).toThrow(/entity type/);
    expect(() => compiled.evaluate({ ...base, policyIds: ['nope'] })).toThrow(TenetError);
  });
});
