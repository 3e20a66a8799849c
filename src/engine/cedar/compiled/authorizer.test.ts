import { isAuthorized, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../errors.js';
import { compilePolicySet, type AuthorizationRequest } from './authorizer.js';
import { policiesFromWasm, policyFromWasm } from './compile/test-support.js';
import { InMemoryEntityGraph } from './entity-graph.js';
import type { TemplateLink } from './est.js';
import { entityGraphFromJson } from './json/index.js';
import { EntityUid, RecordValue } from './value.js';

const uid = (type: string, id: string): EntityUid => EntityUid.of(type, id);
const request = (principal: EntityUid, action: EntityUid, resource: EntityUid): AuthorizationRequest => ({ principal, action, resource, context: new RecordValue(new Map()) });
const alice = uid('User', 'alice');
const view = uid('Action', 'view');
const doc = uid('Doc', 'd1');

const entitiesJson = [
  { uid: { type: 'User', id: 'alice' }, attrs: { level: 3 }, parents: [{ type: 'Group', id: 'eng' }] },
  { uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [{ type: 'Group', id: 'all' }] },
  { uid: { type: 'Action', id: 'view' }, attrs: {}, parents: [{ type: 'Action', id: 'read' }] },
  { uid: { type: 'Doc', id: 'd1' }, attrs: {}, parents: [{ type: 'Folder', id: 'f1' }] },
];
const graph = entityGraphFromJson(entitiesJson);

describe('authorize: Cedar authorization algorithm', () => {
  it('denies with nothing determining when no policy applies', () => {
    expect(compilePolicySet([]).authorize(request(alice, view, doc), graph)).toEqual({ decision: 'deny', determining: [], errored: [] });
  });

  it('allows with every satisfied permit determining, sorted', () => {
    const set = compilePolicySet(
      policiesFromWasm({
        'p-b': 'permit(principal in Group::"all", action, resource);',
        'p-a': 'permit(principal, action == Action::"view", resource in Folder::"f1");',
        'p-c': 'permit(principal, action, resource) when { false };',
      }),
    );
    expect(set.authorize(request(alice, view, doc), graph)).toEqual({ decision: 'allow', determining: ['p-a', 'p-b'], errored: [] });
  });

  it('lets a satisfied forbid override permits; only satisfied forbids determine', () => {
    const set = compilePolicySet(
      policiesFromWasm({
        allow: 'permit(principal, action, resource);',
        f2: 'forbid(principal, action, resource) when { principal.level > 2 };',
        f1: 'forbid(principal is User, action in Action::"read", resource);',
        f3: 'forbid(principal, action, resource) when { principal.level > 5 };',
      }),
    );
    expect(set.authorize(request(alice, view, doc), graph)).toEqual({ decision: 'deny', determining: ['f1', 'f2'], errored: [] });
  });

  it('skips erroring policies and reports them, whatever their effect', () => {
    const set = compilePolicySet(
      policiesFromWasm({
        ok: 'permit(principal, action, resource);',
        'bad-forbid': 'forbid(principal, action, resource) when { principal.nope };',
        'bad-permit': 'permit(principal, action, resource) when { resource.nope };',
      }),
    );
    const response = set.authorize(request(alice, view, doc), graph);
    expect(response.decision).toBe('allow');
    expect(response.determining).toEqual(['ok']);
    expect(response.errored.map((e) => e.policyId)).toEqual(['bad-forbid', 'bad-permit']);
    expect(response.errored[0]?.message).toMatch(/does not have the attribute `nope`/);
  });

  it('evaluates only the given policy ids when a slice is passed', () => {
    const set = compilePolicySet(policiesFromWasm({ a: 'permit(principal, action, resource);', b: 'forbid(principal, action, resource);' }));
    expect(set.authorize(request(alice, view, doc), graph, ['a']).decision).toBe('allow');
    expect(set.authorize(request(alice, view, doc), graph, ['a', 'b']).decision).toBe('deny');
    expect(() => set.authorize(request(alice, view, doc), graph, ['zz'])).toThrow(TenetError);
  });

  it('lets a non-Cedar failure propagate so the engine fails closed', () => {
    const throwing = { get: (): never => { throw new Error('store down'); } };
    const set = compilePolicySet(policiesFromWasm({ a: 'permit(principal, action, resource) when { principal.level > 1 };' }));
    expect(() => set.authorize(request(alice, view, doc), throwing)).toThrow('store down');
  });
});

describe('templates and links', () => {
  const template = policyFromWasm('t', 'permit(principal == ?principal, action, resource in ?resource) when { principal.level > 1 };', true);
  const links: TemplateLink[] = [
    { templateId: 't', newId: 'link-alice', values: { '?principal': { type: 'User', id: 'alice' }, '?resource': { type: 'Folder', id: 'f1' } } },
    { templateId: 't', newId: 'link-bob', values: { '?principal': { type: 'User', id: 'bob' }, '?resource': { type: 'Folder', id: 'f1' } } },
  ];

  it('applies links, never the template itself, as cedar-wasm does', () => {
    const set = compilePolicySet([template], links);
    expect(set.policyIds).toEqual(['link-alice', 'link-bob']);
    const ours = set.authorize(request(alice, view, doc), graph);
    const answer = isAuthorized({
      principal: { type: 'User', id: 'alice' },
      action: { type: 'Action', id: 'view' },
      resource: { type: 'Doc', id: 'd1' },
      context: {},
      entities: entitiesJson as unknown as Entities,
      policies: { templates: { t: template.text }, templateLinks: links.map((l) => ({ templateId: l.templateId, newId: l.newId, values: l.values as Record<string, { type: string; id: string }> })) },
    });
    if (answer.type === 'failure') throw new Error('cedar-wasm failed');
    expect(ours.decision).toBe(answer.response.decision);
    expect(ours.determining).toEqual(answer.response.diagnostics.reason);
    expect(compilePolicySet([template]).authorize(request(alice, view, doc), graph).decision).toBe('deny');
  });

  it('rejects links that do not fit their template, and duplicate ids', () => {
    const bad = (link: TemplateLink): (() => unknown) => () => compilePolicySet([template], [link]);
    expect(bad({ templateId: 'nope', newId: 'x', values: {} })).toThrow(/no template/);
    expect(bad({ templateId: 't', newId: 'x', values: { '?principal': { type: 'User', id: 'a' } } })).toThrow(/no value for \?resource/);
    const onlyPrincipal = policyFromWasm('t1', 'permit(principal in ?principal, action, resource);', true);
    expect(() => compilePolicySet([onlyPrincipal], [{ templateId: 't1', newId: 'x', values: { '?principal': { type: 'G', id: 'a' }, '?resource': { type: 'D', id: 'b' } } }])).toThrow(/has no slot \?resource/);
    expect(() => compilePolicySet([template], [{ ...links[0]!, newId: 't' }])).toThrow(/used more than once/);
    expect(() => compilePolicySet([...policiesFromWasm({ a: 'permit(principal, action, resource);' }), ...policiesFromWasm({ a: 'forbid(principal, action, resource);' })])).toThrow(TenetError);
  });

  it('resolves `is … in ?slot`', () => {
    const isIn = policyFromWasm('t2', 'permit(principal is User in ?principal, action, resource);', true);
    const set = compilePolicySet([isIn], [{ templateId: 't2', newId: 'l', values: { '?principal': { type: 'Group', id: 'all' } } }]);
    expect(set.authorize(request(alice, view, doc), graph).determining).toEqual(['l']);
    expect(set.authorize(request(uid('Group', 'eng'), view, doc), graph).determining).toEqual([]);
  });
});

describe('scope index', () => {
  function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
  }

  it('selects exactly the policies whose scope matches (randomised against a full scan)', () => {
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const users = ['u0', 'u1', 'u2', 'u3'].map((id) => uid('User', id));
    const groups = ['g0', 'g1', 'g2'].map((id) => uid('Group', id));
    const actions = ['a0', 'a1', 'a2', 'all'].map((id) => uid('Action', id));
    const docs = ['d0', 'd1', 'd2'].map((id) => uid('Doc', id));
    const folders = ['f0', 'f1'].map((id) => uid('Folder', id));
    const entityText = (e: EntityUid): string => `${e.type}::${JSON.stringify(e.id)}`;
    const principalScope = (): string =>
      pick([
        'principal',
        `principal == ${entityText(pick(users))}`,
        `principal in ${entityText(pick(groups))}`,
        `principal in ${entityText(pick(users))}`,
        'principal is User',
        'principal is Group',
        `principal is User in ${entityText(pick(groups))}`,
      ]);
    const resourceScope = (): string =>
      pick(['resource', `resource == ${entityText(pick(docs))}`, `resource in ${entityText(pick(folders))}`, 'resource is Doc', `resource is Doc in ${entityText(pick(folders))}`]);
    const actionScope = (): string =>
      pick(['action', `action == ${entityText(pick(actions))}`, `action in ${entityText(pick(actions))}`, `action in [${entityText(pick(actions))}, ${entityText(pick(actions))}]`]);
    const texts: Record<string, string> = {};
    for (let i = 0; i < 300; i++) texts[`p${String(i).padStart(3, '0')}`] = `permit(${principalScope()}, ${actionScope()}, ${resourceScope()});`;
    const set = compilePolicySet(policiesFromWasm(texts));
    const all = set.policyIds;

    const g = new InMemoryEntityGraph([
      ...users.map((u, i) => ({ uid: u, attrs: new Map(), tags: new Map(), parents: i === 3 ? [] : [groups[i % 3] as EntityUid] })),
      { uid: groups[0] as EntityUid, attrs: new Map(), tags: new Map(), parents: [groups[1] as EntityUid] },
      ...actions.slice(0, 3).map((a) => ({ uid: a, attrs: new Map(), tags: new Map(), parents: [actions[3] as EntityUid] })),
      ...docs.map((d, i) => ({ uid: d, attrs: new Map(), tags: new Map(), parents: i === 2 ? [] : [folders[i] as EntityUid] })),
    ]);
    for (let i = 0; i < 200; i++) {
      const req = request(pick([...users, ...groups, uid('User', 'stranger')]), pick(actions), pick([...docs, ...folders]));
      const fullScan = set.authorize(req, g, all);
      const indexed = set.authorize(req, g);
      expect(indexed).toEqual(fullScan);
      const selected = set.scopeMatches(req, g);
      expect(selected.every((id) => fullScan.determining.includes(id))).toBe(true);
      expect(selected).toEqual(fullScan.determining);
    }
  });
});
