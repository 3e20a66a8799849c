// First-line differential test: seeded random policy sets, schema-less entities, contexts and
// requests, answered by the compiled authorizer and by cedar-wasm's isAuthorized. Decision,
// determining ids and erroring ids must match exactly (as sets). The generator leans towards the
// corners where evaluators disagree: missing attributes, wrong types, overflow, entities absent
// from the data, short-circuiting, `has` paths, tags, `like` escapes and extension values.
// (The big generator lives in test/differential/; this one runs with the unit tests.)
import { isAuthorized, type Context, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './authorizer.js';
import { policiesFromWasm } from './compile/test-support.js';
import { contextFromJson, entityGraphFromJson } from './json/index.js';
import { EntityUid } from './value.js';
import { seededRandom } from '../../../testing/seeded-random.js';

type Random = () => number;


interface Ref {
  readonly type: string;
  readonly id: string;
}

const USERS: Ref[] = ['u0', 'u1', 'u2', 'u3', 'u4'].map((id) => ({ type: 'User', id }));
const GROUPS: Ref[] = ['g0', 'g1', 'g2', 'g3'].map((id) => ({ type: 'Group', id }));
const ACTIONS: Ref[] = ['view', 'edit', 'delete', 'read', 'write'].map((id) => ({ type: 'Action', id }));
const DOCS: Ref[] = ['d0', 'd1', 'd2', 'd3'].map((id) => ({ type: 'Doc', id }));
const FOLDERS: Ref[] = ['f0', 'f1', 'f2'].map((id) => ({ type: 'Folder', id }));
const STRINGS = ['', 'a', 'abc', 'a*c', 'x*', 'hello world', 'é'];
const IPS = ['10.0.0.1', '192.168.1.7', '::1', '10.2.0.0/16'];

class Generator {
  constructor(private readonly random: Random) {}

  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
  int(): number {
    return this.pick([0, 1, 2, 3, 5, -1, -7, 100, 4611686018427387, -4611686018427387]);
  }
  text(ref: Ref): string {
    return `${ref.type}::${JSON.stringify(ref.id)}`;
  }

  /** A schema-less attribute value (JSON), sometimes of an unexpected type. */
  value(depth = 0): unknown {
    const kind = this.pick(depth > 1 ? ['long', 'string', 'bool', 'entity'] : ['long', 'string', 'bool', 'entity', 'set', 'record', 'ip', 'long', 'string']);
    switch (kind) {
      case 'long':
        return this.int();
      case 'string':
        return this.pick(STRINGS);
      case 'bool':
        return this.chance(0.5);
      case 'entity':
        return { __entity: this.pick([...USERS, ...GROUPS, ...DOCS]) };
      case 'set':
        return Array.from({ length: Math.floor(this.random() * 4) }, () => this.value(depth + 1));
      case 'record':
        return this.attrs(depth + 1);
      default:
        return { __extn: { fn: 'ip', arg: this.pick(IPS) } };
    }
  }

  attrs(depth = 0): Record<string, unknown> {
    const attrs: Record<string, unknown> = {};
    for (const name of ['n', 's', 'b', 'owner', 'tags', 'rec', 'ip']) {
      if (!this.chance(0.7)) continue;
      // Mostly the "intended" type, sometimes anything (to provoke type errors).
      if (this.chance(0.8)) {
        attrs[name] =
          name === 'n' ? this.int()
          : name === 's' ? this.pick(STRINGS)
          : name === 'b' ? this.chance(0.5)
          : name === 'owner' ? { __entity: this.pick(USERS) }
          : name === 'tags' ? Array.from({ length: Math.floor(this.random() * 3) }, () => this.pick(STRINGS))
          : name === 'rec' ? (depth > 1 ? {} : this.attrs(depth + 1))
          : { __extn: { fn: 'ip', arg: this.pick(IPS) } };
      } else {
        attrs[name] = this.value(depth + 1);
      }
    }
    return attrs;
  }

  entities(): unknown[] {
    const entity = (uid: Ref, parents: readonly Ref[]): Record<string, unknown> => {
      const json: Record<string, unknown> = { uid, attrs: this.attrs(), parents: parents.filter(() => this.chance(0.6)) };
      if (this.chance(0.5)) json['tags'] = Object.fromEntries(['t', 'u'].filter(() => this.chance(0.6)).map((k) => [k, this.value(1)]));
      return json;
    };
    // Parents only point "up" the lists, so there are no cycles (Cedar rejects those outright).
    const all = [
      ...USERS.map((u, i) => entity(u, [...GROUPS, ...USERS.slice(i + 1, i + 2)])),
      ...GROUPS.map((g, i) => entity(g, GROUPS.slice(i + 1))),
      ...ACTIONS.map((a, i) => entity(a, ACTIONS.slice(Math.max(i + 1, 3)))),
      ...DOCS.map((d) => entity(d, FOLDERS)),
      ...FOLDERS.map((f, i) => entity(f, FOLDERS.slice(i + 1))),
    ];
    // Leave some entities out of the data entirely.
    return all.filter(() => this.chance(0.85)).filter((e, i, list) => list.findIndex((x) => JSON.stringify((x as { uid: Ref }).uid) === JSON.stringify((e as { uid: Ref }).uid)) === i);
  }

  operand(): string {
    const base = this.pick(['principal', 'resource', 'context', 'principal.owner', 'context.rec', 'principal.rec', this.text(this.pick(USERS))]);
    return base;
  }

  /** A boolean-ish Cedar expression (it may well be ill-typed: that is the point). */
  expr(depth = 0): string {
    if (depth > 2 || this.chance(0.3)) return this.atom();
    switch (this.pick(['!', '&&', '||', 'if', 'atom', 'atom'])) {
      case '!':
        return `!(${this.expr(depth + 1)})`;
      case '&&':
        return `(${this.expr(depth + 1)} && ${this.expr(depth + 1)})`;
      case '||':
        return `(${this.expr(depth + 1)} || ${this.expr(depth + 1)})`;
      case 'if':
        return `(if ${this.expr(depth + 1)} then ${this.expr(depth + 1)} else ${this.expr(depth + 1)})`;
      default:
        return this.atom();
    }
  }

  atom(): string {
    const e = this.operand();
    const attr = this.pick(['n', 's', 'b', 'owner', 'tags', 'rec', 'ip', 'zz']);
    switch (Math.floor(this.random() * 24)) {
      case 0:
        return this.pick(['true', 'false']);
      case 1:
        return `principal == ${this.text(this.pick(USERS))}`;
      case 2:
        return `principal in ${this.text(this.pick([...GROUPS, ...USERS]))}`;
      case 3:
        return `resource in ${this.text(this.pick([...FOLDERS, ...DOCS]))}`;
      case 4:
        return `${e} has ${attr}`;
      case 5:
        return `${e} has rec.${this.pick(['n', 'rec', 's', 'zz'])}`;
      case 6:
        return `${e}.${attr} == ${this.literal()}`;
      case 7:
        return `${e}.n ${this.pick(['<', '<=', '>', '>='])} ${this.int()}`;
      case 8:
        return `${e}.n ${this.pick(['+', '-', '*'])} ${this.pick(['1', '2', '2000', '4611686018427387', '-4611686018427387'])} ${this.pick(['>', '=='])} ${this.int()}`;
      case 9:
        return `${e}.s like ${this.pick(['"*"', '"a*"', '"*c"', '"a\\*c"', '"*b*"', '""', '"é"'])}`;
      case 10:
        return `${e}.tags.${this.pick(['contains', 'containsAll', 'containsAny'])}(${this.pick(['"a"', '["a", "abc"]', '[]', '1', `${e}.tags`])})`;
      case 11:
        return `${e}.tags.isEmpty()`;
      case 12:
        return `${this.pick(['principal', 'resource', 'principal.owner', 'context.rec'])}.hasTag(${this.pick(['"t"', '"u"', '1'])})`;
      case 13:
        return `${this.pick(['principal', 'resource', 'principal.owner'])}.getTag(${this.pick(['"t"', '"u"'])}) == ${this.literal()}`;
      case 14:
        return `${e} is ${this.pick(['User', 'Group', 'Doc'])}`;
      case 15:
        return `${e} is User in ${this.pick([this.text(this.pick(GROUPS)), `[${this.text(this.pick(GROUPS))}]`, 'context.rec'])}`;
      case 16:
        return `${e}.ip.isInRange(ip(${this.pick(['"10.0.0.0/8"', '"::/0"', '"bad"'])}))`;
      case 17:
        return `principal in [${this.text(this.pick(GROUPS))}, ${this.text(this.pick(USERS))}]`;
      case 18:
        return `principal in ${e}.tags`;
      case 19:
        return `${e}.owner in ${this.text(this.pick(GROUPS))}`;
      case 20:
        return `{a: ${e}.n} == {a: ${this.int()}}`;
      case 21:
        return `[${e}.s, ${this.literal()}].contains(${this.literal()})`;
      case 22:
        return `action in [${this.text(this.pick(ACTIONS))}, ${this.text(this.pick(ACTIONS))}]`;
      default:
        return `${e}.b`;
    }
  }

  literal(): string {
    return this.pick([String(this.int()), JSON.stringify(this.pick(STRINGS)), 'true', this.text(this.pick(USERS)), '[1, 2]', '{n: 1}', 'ip("10.0.0.1")']);
  }

  scope(): string {
    const principal = this.pick([
      'principal',
      `principal == ${this.text(this.pick(USERS))}`,
      `principal in ${this.text(this.pick(GROUPS))}`,
      'principal is User',
      `principal is User in ${this.text(this.pick(GROUPS))}`,
    ]);
    const action = this.pick(['action', `action == ${this.text(this.pick(ACTIONS))}`, `action in ${this.text(this.pick(ACTIONS))}`, `action in [${this.text(this.pick(ACTIONS))}, ${this.text(this.pick(ACTIONS))}]`]);
    const resource = this.pick(['resource', `resource == ${this.text(this.pick(DOCS))}`, `resource in ${this.text(this.pick(FOLDERS))}`, 'resource is Doc', `resource is Doc in ${this.text(this.pick(FOLDERS))}`]);
    return `${principal}, ${action}, ${resource}`;
  }

  policies(count: number): Record<string, string> {
    const texts: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const conditions = Array.from({ length: Math.floor(this.random() * 3) }, () => `${this.pick(['when', 'when', 'unless'])} { ${this.expr()} }`).join(' ');
      texts[`p${i}`] = `${this.pick(['permit', 'permit', 'forbid'])}(${this.scope()}) ${conditions};`;
    }
    return texts;
  }
}

describe('compiled authorizer vs cedar-wasm (seeded random cases)', () => {
  // cedar-wasm parses the policy text on every call (~10 ms), so the cases are split in blocks.
  const BLOCKS = 6;
  const CASES_PER_BLOCK = 10;
  const REQUESTS_PER_CASE = 6;

  it.each(Array.from({ length: BLOCKS }, (_, i) => i))(`block %i: ${CASES_PER_BLOCK} random policy sets × ${REQUESTS_PER_CASE} requests agree`, (block) => {
    const gen = new Generator(seededRandom(0x7e4e7 + block));
    const outcomes = { allow: 0, deny: 0, errored: 0 };
    for (let c = 0; c < CASES_PER_BLOCK; c++) {
      const texts = gen.policies(10);
      const entities = gen.entities();
      const set = compilePolicySet(policiesFromWasm(texts));
      const graph = entityGraphFromJson(entities);
      for (let r = 0; r < REQUESTS_PER_CASE; r++) {
        const principal = gen.pick([...USERS, ...GROUPS]);
        const action = gen.pick(ACTIONS);
        const resource = gen.pick([...DOCS, ...FOLDERS]);
        const context = gen.attrs();
        const answer = isAuthorized({ principal, action, resource, context: context as Context, entities: entities as Entities, policies: { staticPolicies: texts } });
        if (answer.type === 'failure') throw new Error(`cedar-wasm failed: ${answer.errors.map((e) => e.message).join('; ')}`);
        const ours = set.authorize(
          { principal: EntityUid.of(principal.type, principal.id), action: EntityUid.of(action.type, action.id), resource: EntityUid.of(resource.type, resource.id), context: contextFromJson(context) },
          graph,
        );
        const expected = {
          decision: answer.response.decision,
          determining: [...answer.response.diagnostics.reason].sort(),
          errored: answer.response.diagnostics.errors.map((e) => e.policyId).sort(),
        };
        const actual = { decision: ours.decision, determining: ours.determining, errored: ours.errored.map((e) => e.policyId) };
        expect(actual, `block ${block} case ${c} request ${r}\npolicies: ${JSON.stringify(texts, null, 1)}\nentities: ${JSON.stringify(entities)}\nrequest: ${JSON.stringify({ principal, action, resource, context })}`).toEqual(expected);
        outcomes[ours.decision]++;
        if (ours.errored.length > 0) outcomes.errored++;
      }
    }
    // The generator must exercise all three outcomes, or the comparison proves little.
    expect(outcomes.allow).toBeGreaterThan(3);
    expect(outcomes.deny).toBeGreaterThan(3);
    expect(outcomes.errored).toBeGreaterThan(3);
  });
});
