// Random Cedar policy sets as text: every scope form (`==`, `in`, `is`, `is … in`, action lists and
// groups), `when`/`unless` conditions from expressions.ts, `@id` and other annotations, comments,
// and rarely a template or an unparsable policy (both make the whole batch line an error).
import { ExpressionGenerator, cedarString, entityLiteral } from './expressions.js';
import type { Prng } from './prng.js';
import type { SchemaModel } from './schema-model.js';
import type { Universe } from './data-values.js';

export function randomPolicySet(rng: Prng, schema: SchemaModel, universe: Universe): string {
  const count = rng.range(1, 6);
  const ids = new Set<string>();
  const texts: string[] = [];
  for (let i = 0; i < count; i++) texts.push(randomPolicy(rng, schema, universe, ids));
  if (rng.chance(0.01)) texts.push('permit(principal == ?principal, action, resource);');
  if (rng.chance(0.01)) texts.push(rng.pick(['permit(principal, action, resource) when { 1 / 2 == 0 };', 'permit(principal, action);', 'permit(principal, action, resource) when { 9223372036854775808 == 0 };']));
  return texts.join(rng.pick(['\n', '\n\n', ' ', '\n// a comment\n']));
}

function randomPolicy(rng: Prng, schema: SchemaModel, universe: Universe, ids: Set<string>): string {
  const principalTypes = schema.actions.flatMap((a) => a.appliesTo?.principals ?? []);
  const resourceTypes = schema.actions.flatMap((a) => a.appliesTo?.resources ?? []);
  const principalType = principalTypes.length === 0 ? undefined : rng.pick(principalTypes);
  const resourceType = resourceTypes.length === 0 ? undefined : rng.pick(resourceTypes);
  const action = rng.pick(schema.actions);
  const annotations: string[] = [];
  if (rng.chance(0.3)) {
    // Unique ids that never collide with Cedar's defaults; collisions are tested by the CLI test.
    const id = rng.pick(['allow-admins', 'deny banned', 'rule.1', 'ünï', 'r']) + ids.size;
    ids.add(id);
    annotations.push(`@id(${cedarString(id)})`);
  }
  if (rng.chance(0.1)) annotations.push('@advice("read the docs")');
  const scope = [scopeConstraint(rng, 'principal', principalType, universe), actionConstraint(rng, schema), scopeConstraint(rng, 'resource', resourceType, universe)];
  const generator = new ExpressionGenerator(rng, schema, universe, { principalType, resourceType, context: action.appliesTo?.context ?? [] });
  const conditions = Array.from({ length: rng.weighted([[3, 0], [5, 1], [2, 2]]) }, () => `${rng.chance(0.75) ? 'when' : 'unless'} { ${generator.condition()} }`);
  const effect = rng.chance(0.65) ? 'permit' : 'forbid';
  return `${annotations.map((a) => `${a}\n`).join('')}${effect}(${scope.join(', ')})${conditions.map((c) => `\n  ${c}`).join('')};`;
}

function someEntity(rng: Prng, universe: Universe, preferType: string | undefined): string {
  const types = [...universe.keys()];
  const type = preferType !== undefined && rng.chance(0.7) ? preferType : types.length > 0 ? rng.pick(types) : (preferType ?? 'User');
  const ids = universe.get(type) ?? [];
  return entityLiteral(type, ids.length === 0 || rng.chance(0.1) ? 'nobody' : rng.pick(ids));
}

function scopeConstraint(rng: Prng, variable: 'principal' | 'resource', type: string | undefined, universe: Universe): string {
  const anyType = [...universe.keys()];
  return rng.weighted<() => string>([
    [6, () => variable],
    [2, () => `${variable} == ${someEntity(rng, universe, type)}`],
    [2, () => `${variable} in ${someEntity(rng, universe, undefined)}`],
    [1, () => `${variable} is ${type !== undefined && rng.chance(0.7) ? type : anyType.length > 0 ? rng.pick(anyType) : 'User'}`],
    [1, () => `${variable} is ${type ?? 'User'} in ${someEntity(rng, universe, undefined)}`],
  ])();
}

function actionConstraint(rng: Prng, schema: SchemaModel): string {
  const uid = (id: string): string => entityLiteral(schema.actionType, id);
  const ids = schema.actions.map((a) => a.id);
  return rng.weighted<() => string>([
    [6, () => 'action'],
    [3, () => `action == ${uid(rng.pick(ids))}`],
    [3, () => `action in ${uid(rng.pick(ids))}`],
    [2, () => `action in [${rng.some(ids, 3).map(uid).join(', ')}]`],
  ])();
}
