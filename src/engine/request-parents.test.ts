// Request-time parents (IdP groups) through decide(), with the compiled evaluator and with
// cedar-wasm (the reference): every decision is computed by both and must agree in outcome,
// reasons, determining/erroring policies, evaluated count and signals used.
import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { Decision } from './decision.js';
import { loadPolicySet } from './load-policy-set.js';
import type { PolicySet } from './policy-set.js';
import { DEFAULT_ENGINE_SETTINGS } from './settings.js';
import type { CedarEntity, SignalSnapshot } from './signals.js';
import { PASSWORD_ONLY, request, snapshot } from './testdata/fixtures.js';
import type { AccessRequest, EntityRef, RequestEntity } from './tuple.js';

const settings = DEFAULT_ENGINE_SETTINGS;
const group = (id: string): EntityRef => ({ type: 'Group', id });
const EXTRA: readonly CedarEntity[] = [
  { uid: group('finance'), attrs: {}, parents: [group('corp')] },
  { uid: group('corp'), attrs: {}, parents: [] },
  { uid: group('vendors'), attrs: {}, parents: [group('contractors')] },
  { uid: group('contractors'), attrs: {}, parents: [] },
  { uid: group('cyclic'), attrs: {}, parents: [{ type: 'User', id: 'bob' }] },
  { uid: { type: 'App', id: 'ledger' }, attrs: { owner: { __entity: { type: 'User', id: 'bob' } } }, parents: [] },
];
const signals = (): SignalSnapshot => snapshot({ extraEntities: EXTRA });
const bob = (parents?: readonly EntityRef[], properties?: Record<string, unknown>): RequestEntity => ({
  type: 'User',
  id: 'bob',
  ...(parents === undefined ? {} : { parents }),
  ...(properties === undefined ? {} : { properties }),
});

interface Both {
  readonly compiled: PolicySet;
  readonly wasm: PolicySet;
}

function load(text: string): Both {
  const source = { policies: [{ file: 'test.cedar', text }] };
  return { compiled: loadPolicySet(source, { evaluator: 'compiled' }), wasm: loadPolicySet(source, { evaluator: 'wasm' }) };
}

const sorted = <T>(items: readonly T[]): T[] => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * What must be equal between the evaluators: ids, times and latency differ by nature, and the
 * order of determining policies (Cedar's `reason` is a set) may too.
 */
function essence(decision: Decision): unknown {
  const { determining, errored, ...counts } = decision.policies;
  return {
    outcome: decision.outcome,
    reasons: sorted(decision.reasons),
    policies: { ...counts, determining: sorted(determining), errored: sorted(errored) },
    signalsUsed: decision.signalsUsed,
    obligations: decision.obligations,
  };
}

/** decide() with both evaluators; fails unless they agree, then returns the compiled decision. */
function decideBoth(sets: Both, overrides: Partial<AccessRequest>, snap: SignalSnapshot = signals()): Decision {
  const tuple = request(overrides);
  const compiled = decide(tuple, snap, sets.compiled, settings);
  const wasm = decide(tuple, snap, sets.wasm, settings);
  expect(essence(compiled)).toEqual(essence(wasm));
  return compiled;
}

const codes = (decision: Decision): string[] => decision.reasons.map((reason) => reason.code);

describe('request-time parents, compiled evaluator and cedar-wasm alike', () => {
  const inFinance = load('@id("finance") permit (principal in Group::"finance", action, resource);');

  it('makes a subject not in the store a member of a group not in the store', () => {
    const sets = load('@id("auditors") permit (principal in Group::"auditors", action, resource);');
    expect(decideBoth(sets, { subject: bob() }).outcome).toBe('deny');
    const decision = decideBoth(sets, { subject: bob([group('auditors')]) });
    expect(decision.outcome).toBe('allow');
    expect(decision.policies.determining).toEqual(['auditors']);
    // Request input, not a stored signal.
    expect(decision.signalsUsed).not.toContain('entity:Group::"auditors"');
  });

  it('adds to the stored parents of a stored subject, which keep applying', () => {
    const sets = load('@id("finance") permit (principal in Group::"finance", action, resource);\n@id("staff") permit (principal in Group::"staff", action, resource);');
    const alice: RequestEntity = { type: 'User', id: 'alice', parents: [group('finance')] };
    expect(sorted(decideBoth(sets, { subject: alice }).policies.determining)).toEqual(['finance', 'staff']);
    expect(decideBoth(sets, { subject: { type: 'User', id: 'alice' } }).policies.determining).toEqual(['staff']);
  });

  it('brings the stored ancestors of a request parent (transitive `in`), and records them as signals used', () => {
    const sets = load('@id("corp") permit (principal in Group::"corp", action, resource) when { principal in Group::"finance" };');
    const decision = decideBoth(sets, { subject: bob([group('finance')]) });
    expect(decision.outcome).toBe('allow');
    expect(decision.signalsUsed).toEqual(expect.arrayContaining(['entity:Group::"finance"', 'entity:Group::"corp"']));
    expect(decideBoth(sets, { subject: bob([group('corp')]) }).outcome).toBe('deny');
  });

  it('serves `in` in conditions, including on an entity reached through an attribute', () => {
    const sets = load('@id("owner") permit (principal, action, resource) when { resource.owner in Group::"corp" };');
    const ledger = { type: 'App', id: 'ledger' };
    expect(decideBoth(sets, { subject: bob([group('finance')]), resource: ledger }).outcome).toBe('allow');
    expect(decideBoth(sets, { subject: bob(), resource: ledger }).outcome).toBe('deny');
  });

  it('adds parents to the resource', () => {
    const sets = load('@id("finance-apps") permit (principal, action, resource in AppGroup::"finance-apps");\n@id("corp-apps") permit (principal, action, resource in Group::"corp");');
    const decision = decideBoth(sets, { resource: { type: 'App', id: 'payroll', parents: [{ type: 'AppGroup', id: 'finance-apps' }] } });
    expect(decision.policies.determining).toEqual(['finance-apps']);
    expect(decideBoth(sets, { resource: { type: 'App', id: 'payroll', parents: [group('finance')] } }).policies.determining).toEqual(['corp-apps']);
    expect(decideBoth(sets, { resource: { type: 'App', id: 'payroll' } }).outcome).toBe('deny');
  });

  it('combines parents with properties', () => {
    const sets = load('@id("senior-finance") permit (principal in Group::"finance", action, resource) when { principal has level && principal.level > 2 };');
    expect(decideBoth(sets, { subject: bob([group('finance')], { level: 3 }) }).outcome).toBe('allow');
    expect(decideBoth(sets, { subject: bob([group('finance')], { level: 1 }) }).outcome).toBe('deny');
    expect(decideBoth(sets, { subject: bob(undefined, { level: 3 }) }).outcome).toBe('deny');
    const alice: RequestEntity = { type: 'User', id: 'alice', properties: { level: 5 }, parents: [group('finance')] };
    expect(decideBoth(sets, { subject: alice }).outcome).toBe('allow');
  });

  it('lets a forbid scoped on a group reached only through a request parent override a permit', () => {
    const sets = load('@id("everyone") permit (principal, action, resource);\n@id("no-contractors") forbid (principal in Group::"contractors", action, resource);');
    expect(decideBoth(sets, { subject: bob() }).outcome).toBe('allow');
    const decision = decideBoth(sets, { subject: bob([group('vendors')]) });
    expect(decision.outcome).toBe('deny');
    expect(decision.policies.determining).toEqual(['no-contractors']);
    expect(decision.policies.evaluated).toBe(2);
  });

  it('selects by scope exactly the policies the request parents make applicable', () => {
    const sets = load(
      [
        '@id("finance") permit (principal in Group::"finance", action, resource);',
        '@id("corp") permit (principal in Group::"corp", action, resource);',
        '@id("vendors") forbid (principal in Group::"vendors", action, resource);',
        '@id("finance-apps") permit (principal, action, resource in AppGroup::"finance-apps");',
        '@id("bob-in-auditors") permit (principal is User in Group::"auditors", action, resource);',
      ].join('\n'),
    );
    expect(decideBoth(sets, { subject: bob() }).policies.evaluated).toBe(0);
    const finance = decideBoth(sets, { subject: bob([group('finance')]) });
    expect(finance.policies.evaluated).toBe(2);
    expect(sorted(finance.policies.determining)).toEqual(['corp', 'finance']);
    expect(decideBoth(sets, { subject: bob([group('auditors')]) }).policies).toMatchObject({ evaluated: 1, determining: ['bob-in-auditors'] });
    const both = decideBoth(sets, { subject: bob([group('finance'), group('vendors')]), resource: { type: 'App', id: 'wiki', parents: [{ type: 'AppGroup', id: 'finance-apps' }] } });
    expect(both.policies).toMatchObject({ evaluated: 4, determining: ['vendors'] });
    expect(both.outcome).toBe('deny');
  });

  it('leaves no trace: the same subject without parents is decided as before', () => {
    // Stored object first, so the compiled evaluator's per-object conversion cache holds it.
    const snap = signals();
    expect(decideBoth(inFinance, { subject: { type: 'User', id: 'alice' } }, snap).outcome).toBe('deny');
    expect(decideBoth(inFinance, { subject: { type: 'User', id: 'alice', parents: [group('finance')] } }, snap).outcome).toBe('allow');
    expect(decideBoth(inFinance, { subject: { type: 'User', id: 'alice' } }, snap).outcome).toBe('deny');
    expect(decideBoth(inFinance, { subject: { type: 'User', id: 'alice', parents: [] } }, snap).outcome).toBe('deny');
    expect(snap.entities.get({ type: 'User', id: 'alice' })?.parents).toEqual([group('engineers')]);
  });

  it('keeps request parents in the step-up re-evaluation', () => {
    const sets = load('@id("finance-strong") permit (principal in Group::"finance", action, resource) when { context.authn.phishingResistant };');
    const stepUp = decideBoth(sets, { subject: bob([group('finance')]), authn: PASSWORD_ONLY });
    expect(stepUp.outcome).toBe('step-up');
    expect(codes(stepUp)[0]).toBe('step-up-required');
    expect(decideBoth(sets, { subject: bob(), authn: PASSWORD_ONLY }).outcome).toBe('deny');
  });

  it('denies malformed or cyclic request parents as an invalid request', () => {
    for (const subject of [bob([group('')]), bob([{ type: 'not a type', id: 'x' }]), bob([{ type: 'User', id: 'bob' }]), bob([group('cyclic')])]) {
      const decision = decideBoth(inFinance, { subject });
      expect(decision.outcome).toBe('deny');
      expect(codes(decision)).toEqual(['invalid-request']);
    }
    expect(codes(decideBoth(inFinance, { resource: { type: 'App', id: 'wiki', parents: [{ type: 'App', id: 'wiki' }] } }))).toEqual(['invalid-request']);
  });
});
