// Differential tests: validateRequest (after parseEntitiesWithSchema) must refuse exactly the
// requests cedar-wasm's isAuthorized answers `failure` for with `validateRequest: true`.
import { isAuthorized, type Context, type Entities, type Schema } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { EntityUid } from '../value.js';
import { mutate, pick, randomEntities, randomSchemaJson, randomValue, seededRng, type Rng } from './differential-generators.js';
import { loadSchema } from './load-schema.js';
import { parseEntitiesWithSchema } from './parse-entities.js';
import type { CedarSchema } from './types.js';
import { validateRequest } from './validate-request.js';

/** A principal or resource: usually of an allowed type, sometimes any declared type or an enum id out of range. */
function randomUid(rng: Rng, schema: CedarSchema, preferred: ReadonlySet<string>): { type: string; id: string } {
  const names = rng() < 0.75 && preferred.size > 0 ? [...preferred] : [...schema.entityTypes.keys(), 'Undeclared'];
  const type = pick(rng, names);
  const enumIds = schema.entityTypes.get(type)?.enumIds;
  return { type, id: enumIds !== undefined && rng() < 0.8 ? pick(rng, [...enumIds]) : pick(rng, ['x', 'zz']) };
}

describe('validateRequest agrees with cedar-wasm isAuthorized({validateRequest: true})', () => {
  it('on 100 random schemas with 6 requests each', () => {
    const disagreements: string[] = [];
    let failures = 0;
    let decisions = 0;
    for (let seed = 1; seed <= 100; seed += 1) {
      const rng = seededRng(20_000 + seed);
      const input = randomSchemaJson(rng) as Schema;
      const schema = loadSchema(input);
      const entities = randomEntities(rng, schema).loose;
      // isAuthorized also answers `failure` when the entities do not parse (e.g. a cyclic hierarchy).
      let entitiesParse = true;
      try {
        parseEntitiesWithSchema(entities, schema);
      } catch {
        entitiesParse = false;
      }
      for (let r = 0; r < 6; r += 1) {
        const action = pick(rng, [...schema.actions.values()]);
        const principal = randomUid(rng, schema, action.principalTypes);
        const resource = randomUid(rng, schema, action.resourceTypes);
        const actionJson = rng() < 0.1 ? { type: action.uid.type, id: 'undeclared' } : { type: action.uid.type, id: action.uid.id };
        const context = randomValue(rng, action.context, schema).loose as Context;
        if (rng() < 0.4) mutate(rng, context, schema);
        const answer = isAuthorized({
          principal,
          action: actionJson,
          resource,
          context,
          schema: input,
          validateRequest: true,
          policies: { staticPolicies: 'permit(principal, action, resource);' },
          entities: entities as unknown as Entities,
        });
        const issues = validateRequest(schema, {
          principal: EntityUid.of(principal.type, principal.id),
          action: EntityUid.of(actionJson.type, actionJson.id),
          resource: EntityUid.of(resource.type, resource.id),
          context,
        });
        if (answer.type === 'failure') failures += 1;
        else decisions += 1;
        if ((answer.type === 'failure') !== (issues.length > 0 || !entitiesParse)) {
          disagreements.push(`seed ${seed} r${r}: cedar ${answer.type === 'failure' ? answer.errors[0]?.message : 'decides'}, ours ${entitiesParse ? JSON.stringify(issues) : 'entities rejected'}\n ${JSON.stringify({ input, principal, actionJson, resource, context })}`);
        }
      }
    }
    expect(disagreements.slice(0, 5).join('\n\n')).toBe('');
    expect(failures).toBeGreaterThan(100);
    expect(decisions).toBeGreaterThan(100);
  }, 120_000);
});

const SCHEMA = `
namespace NS {
  entity User;
  entity Color enum ["Red", "Blue"];
  entity Doc;
  action view appliesTo { principal: [User, Color], resource: [Doc], context: { ip: ipaddr, n?: Long } };
  action group;
}`;

const REQUEST_CASES: readonly { name: string; principal: [string, string]; action: string; resource: [string, string]; context: Record<string, unknown>; valid: boolean }[] = [
  { name: 'a valid request', principal: ['NS::User', 'u'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4' }, valid: true },
  { name: 'principal type not in appliesTo', principal: ['NS::Doc', 'd'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4' }, valid: false },
  { name: 'resource type not in appliesTo', principal: ['NS::User', 'u'], action: 'view', resource: ['NS::User', 'u'], context: { ip: '1.2.3.4' }, valid: false },
  { name: 'principal type not declared', principal: ['Zz', 'u'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4' }, valid: false },
  { name: 'action not declared', principal: ['NS::User', 'u'], action: 'nope', resource: ['NS::Doc', 'd'], context: {}, valid: false },
  { name: 'an action without appliesTo applies to nothing', principal: ['NS::User', 'u'], action: 'group', resource: ['NS::Doc', 'd'], context: {}, valid: false },
  { name: 'enum principal with a declared id', principal: ['NS::Color', 'Red'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4' }, valid: true },
  { name: 'enum principal with an undeclared id', principal: ['NS::Color', 'Green'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4' }, valid: false },
  { name: 'context missing a required attribute', principal: ['NS::User', 'u'], action: 'view', resource: ['NS::Doc', 'd'], context: {}, valid: false },
  { name: 'context with an undeclared attribute', principal: ['NS::User', 'u'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4', z: 1 }, valid: false },
  { name: 'context with a wrong leaf type', principal: ['NS::User', 'u'], action: 'view', resource: ['NS::Doc', 'd'], context: { ip: '1.2.3.4', n: 'x' }, valid: false },
];

describe('request validation: Cedar 4 rules', () => {
  const schema = loadSchema(SCHEMA);
  it.each(REQUEST_CASES)('$name', ({ principal, action, resource, context, valid }) => {
    const answer = isAuthorized({
      principal: { type: principal[0], id: principal[1] },
      action: { type: 'NS::Action', id: action },
      resource: { type: resource[0], id: resource[1] },
      context: context as Context,
      schema: SCHEMA,
      validateRequest: true,
      policies: { staticPolicies: 'permit(principal, action, resource);' },
      entities: [],
    });
    // An invalid request gets no decision from cedar-wasm: `{type: "failure", errors}`.
    expect(answer.type).toBe(valid ? 'success' : 'failure');
    const issues = validateRequest(schema, {
      principal: EntityUid.of(...principal),
      action: EntityUid.of('NS::Action', action),
      resource: EntityUid.of(...resource),
      context,
    });
    expect(issues.length === 0).toBe(valid);
  });
});
