// Differential test of scope slicing and entity slicing: for random small policy sets and
// requests, decide() (which evaluates only the scope slice over only the entity slice) must give
// cedar-wasm's answer over the whole set and the whole store: same decision, same determining and
// erroring policies. The second case adds request-time parents (and properties) to the principal
// and resource, with both evaluators; the oracle gets them written into the whole store.
import { isAuthorized, type Context, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { decide } from '../decide.js';
import { loadPolicySet } from '../load-policy-set.js';
import { assessRisk } from '../risk/assess.js';
import { DEFAULT_ENGINE_SETTINGS } from '../settings.js';
import type { CedarEntity } from '../signals.js';
import { entityLookup, request as baseRequest, snapshot } from '../testdata/fixtures.js';
import type { AccessRequest, EntityRef, RequestEntity } from '../tuple.js';
import { buildContext } from './context.js';
import { entityKey } from './entity-key.js';

/** mulberry32: a tiny seeded PRNG, so every run checks the same cases. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENTITIES: CedarEntity[] = [
  { uid: { type: 'Group', id: 'g0' }, attrs: {}, parents: [] },
  { uid: { type: 'Group', id: 'g1' }, attrs: {}, parents: [{ type: 'Group', id: 'g0' }] },
  { uid: { type: 'Group', id: 'g2' }, attrs: {}, parents: [] },
  { uid: { type: 'User', id: 'u0' }, attrs: { level: 3 }, parents: [{ type: 'Group', id: 'g1' }] },
  { uid: { type: 'User', id: 'u1' }, attrs: { level: 1, manager: { __entity: { type: 'User', id: 'u0' } } }, parents: [{ type: 'Group', id: 'g2' }] },
  { uid: { type: 'User', id: 'u2' }, attrs: {}, parents: [{ type: 'Group', id: 'g0' }, { type: 'Group', id: 'g2' }] },
  { uid: { type: 'Folder', id: 'f0' }, attrs: { readers: { __entity: { type: 'Group', id: 'g1' } } }, parents: [] },
  { uid: { type: 'Folder', id: 'f1' }, attrs: {}, parents: [{ type: 'Folder', id: 'f0' }] },
  { uid: { type: 'Doc', id: 'd0' }, attrs: { owner: { __entity: { type: 'User', id: 'u0' } } }, parents: [{ type: 'Folder', id: 'f0' }] },
  { uid: { type: 'Doc', id: 'd1' }, attrs: { owner: { __entity: { type: 'User', id: 'u1' } } }, parents: [{ type: 'Folder', id: 'f1' }] },
  { uid: { type: 'Doc', id: 'd2' }, attrs: {}, parents: [] },
];
const PRINCIPALS = ['User::"u0"', 'User::"u1"', 'User::"u2"', 'User::"u9"', 'Group::"g1"'];
const ACTIONS = ['Action::"read"', 'Action::"write"', 'Action::"delete"'];
const RESOURCES = ['Doc::"d0"', 'Doc::"d1"', 'Doc::"d2"', 'Folder::"f1"', 'Doc::"d9"'];
const GROUPS = ['Group::"g0"', 'Group::"g1"', 'Group::"g2"'];
const FOLDERS = ['Folder::"f0"', 'Folder::"f1"'];
const CONDITIONS = [
  '',
  'when { true }',
  'when { principal.level > 2 }',
  'unless { principal has level && principal.level < 2 }',
  'when { context.flag }',
  'when { resource.owner == principal }',
  'when { principal in resource.readers }',
  'when { principal.manager.level >= 3 }',
  'when { resource in Folder::"f0" && Folder::"f0".readers == Group::"g1" }',
  'when { context.risk.score > 20 }',
  'when { context.device.known }',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

function randomScope(random: () => number, kind: 'principal' | 'resource'): string {
  const ones = kind === 'principal' ? PRINCIPALS : RESOURCES;
  const parents = kind === 'principal' ? GROUPS : FOLDERS;
  const type = kind === 'principal' ? pick(random, ['User', 'Group']) : pick(random, ['Doc', 'Folder']);
  switch (Math.floor(random() * 5)) {
    case 0:
      return kind;
    case 1:
      return `${kind} == ${pick(random, ones)}`;
    case 2:
      return `${kind} in ${pick(random, [...parents, ...ones])}`;
    case 3:
      return `${kind} is ${type}`;
    default:
      return `${kind} is ${type} in ${pick(random, parents)}`;
  }
}

function randomAction(random: () => number): string {
  switch (Math.floor(random() * 3)) {
    case 0:
      return 'action';
    case 1:
      return `action == ${pick(random, ACTIONS)}`;
    default:
      return `action in [${ACTIONS.filter(() => random() < 0.5).join(', ')}]`;
  }
}

function randomPolicies(random: () => number): string {
  const count = 1 + Math.floor(random() * 8);
  return Array.from({ length: count }, () => {
    const effect = random() < 0.65 ? 'permit' : 'forbid';
    return `${effect}(${randomScope(random, 'principal')}, ${randomAction(random)}, ${randomScope(random, 'resource')}) ${pick(random, CONDITIONS)};`;
  }).join('\n');
}

function parseRef(text: string): { type: string; id: string } {
  const [type, quoted] = text.split('::');
  return { type: type ?? '', id: JSON.parse(quoted ?? '""') as string };
}

describe('scope slicing preserves the Cedar answer', () => {
  it('agrees with cedar-wasm over the whole set and store on 600 random cases', () => {
    const random = prng(20_250_602);
    const settings = DEFAULT_ENGINE_SETTINGS;
    let evaluatedFewer = 0;
    for (let setIndex = 0; setIndex < 120; setIndex++) {
      const text = randomPolicies(random);
      const policySet = loadPolicySet({ policies: [{ file: `case-${setIndex}.cedar`, text }] });
      for (let requestIndex = 0; requestIndex < 5; requestIndex++) {
        const request: AccessRequest = {
          ...baseRequest(),
          subject: parseRef(pick(random, PRINCIPALS)),
          action: { name: parseRef(pick(random, ACTIONS)).id },
          resource: parseRef(pick(random, RESOURCES)),
          context: { flag: random() < 0.5 },
        };
        const signals = snapshot({ entities: entityLookup(ENTITIES), device: random() < 0.5 ? undefined : snapshot().device });
        const decision = decide(request, signals, policySet, settings);
        const whole = isAuthorized({
          principal: request.subject,
          action: { type: 'Action', id: request.action.name },
          resource: request.resource,
          context: buildContext(request, signals, assessRisk(request, signals, settings), settings) as Context,
          policies: { staticPolicies: Object.fromEntries(policySet.ids.map((id) => [id, policySet.policies.get(id)?.text ?? ''])) },
          entities: ENTITIES as unknown as Entities,
        });
        if (whole.type !== 'success') throw new Error(JSON.stringify(whole.errors));
        const label = `${text}\n-- ${JSON.stringify(request.subject)} ${request.action.name} ${JSON.stringify(request.resource)}`;
        expect(decision.outcome, label).toBe(whole.response.decision);
        expect([...decision.policies.determining].sort(), label).toEqual([...whole.response.diagnostics.reason].sort());
        expect(decision.policies.errored.map((e) => e.policyId).sort(), label).toEqual(whole.response.diagnostics.errors.map((e) => e.policyId).sort());
        if (decision.policies.evaluated < decision.policies.total) evaluatedFewer++;
      }
    }
    // The slicing must actually slice, or the test proves nothing.
    expect(evaluatedFewer).toBeGreaterThan(200);
  });

  it('agrees with cedar-wasm over the whole store with request parents written in, for both evaluators, on 400 random cases', () => {
    const random = prng(20_250_911);
    const settings = DEFAULT_ENGINE_SETTINGS;
    let withParents = 0;
    let evaluatedFewer = 0;
    let allowed = 0;
    /** Some of `pool` (never the entity itself), or no `parents` member at all. */
    const someParents = (pool: readonly string[], self: string): EntityRef[] | undefined => {
      if (random() < 0.2) return undefined;
      return pool.filter((key) => key !== self && random() < 0.4).map(parseRef);
    };
    /** The store as the request sees it: the entity's stored parents plus the request's, properties overlaid. */
    const written = (store: readonly CedarEntity[], entity: RequestEntity): CedarEntity[] => {
      const key = entityKey(entity);
      const stored = store.find((candidate) => entityKey(candidate.uid) === key);
      const parents = new Map([...(stored?.parents ?? []), ...(entity.parents ?? [])].map((ref) => [entityKey(ref), ref]));
      const merged: CedarEntity = { uid: { type: entity.type, id: entity.id }, attrs: { ...(stored?.attrs ?? {}), ...((entity.properties ?? {}) as CedarEntity['attrs']) }, parents: [...parents.values()] };
      return [...store.filter((candidate) => candidate !== stored), merged];
    };
    for (let setIndex = 0; setIndex < 80; setIndex++) {
      const text = randomPolicies(random);
      const source = { policies: [{ file: `parents-${setIndex}.cedar`, text }] };
      const sets = [loadPolicySet(source, { evaluator: 'compiled' }), loadPolicySet(source, { evaluator: 'wasm' })];
      for (let requestIndex = 0; requestIndex < 5; requestIndex++) {
        const subjectKey = pick(random, PRINCIPALS);
        const resourceKey = pick(random, RESOURCES);
        const subjectParents = someParents([...GROUPS, 'Group::"g9"'], subjectKey);
        const resourceParents = someParents([...FOLDERS, 'Folder::"f9"'], resourceKey);
        const subject: RequestEntity = {
          ...parseRef(subjectKey),
          ...(subjectParents === undefined ? {} : { parents: subjectParents }),
          ...(random() < 0.3 ? { properties: { level: Math.floor(random() * 5) } } : {}),
        };
        const resource: RequestEntity = { ...parseRef(resourceKey), ...(resourceParents === undefined ? {} : { parents: resourceParents }) };
        if ((subject.parents?.length ?? 0) + (resource.parents?.length ?? 0) > 0) withParents++;
        const request: AccessRequest = { ...baseRequest(), subject, action: { name: parseRef(pick(random, ACTIONS)).id }, resource, context: { flag: random() < 0.5 } };
        const signals = snapshot({ entities: entityLookup(ENTITIES), device: random() < 0.5 ? undefined : snapshot().device });
        const whole = isAuthorized({
          principal: { type: subject.type, id: subject.id },
          action: { type: 'Action', id: request.action.name },
          resource: { type: resource.type, id: resource.id },
          context: buildContext(request, signals, assessRisk(request, signals, settings), settings) as Context,
          policies: { staticPolicies: Object.fromEntries(sets[0]?.ids.map((id) => [id, sets[0]?.policies.get(id)?.text ?? '']) ?? []) },
          entities: written(written(ENTITIES, subject), resource) as unknown as Entities,
        });
        if (whole.type !== 'success') throw new Error(JSON.stringify(whole.errors));
        for (const policySet of sets) {
          const decision = decide(request, signals, policySet, settings);
          const label = `${text}\n-- ${JSON.stringify(subject)} ${request.action.name} ${JSON.stringify(resource)}`;
          expect(decision.outcome, label).toBe(whole.response.decision);
          expect([...decision.policies.determining].sort(), label).toEqual([...whole.response.diagnostics.reason].sort());
          expect(decision.policies.errored.map((e) => e.policyId).sort(), label).toEqual(whole.response.diagnostics.errors.map((e) => e.policyId).sort());
          if (decision.policies.evaluated < decision.policies.total) evaluatedFewer++;
          if (decision.outcome === 'allow') allowed++;
        }
      }
    }
    // The cases must exercise what they claim to.
    expect(withParents).toBeGreaterThan(250);
    expect(evaluatedFewer).toBeGreaterThan(200);
    expect(allowed).toBeGreaterThan(100);
  });
});
