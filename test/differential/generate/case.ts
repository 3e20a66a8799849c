// One random differential case: a schema model, then — from one seed — the batch line (policies,
// entities, schema in text or JSON form or none, requests) that both evaluators will answer.
import { randomEntities, randomUniverse } from './entities.js';
import type { DataOptions, Json } from './data-values.js';
import { randomPolicySet } from './policies.js';
import { Prng } from './prng.js';
import { randomRequests } from './requests.js';
import { randomSchema } from './schema-model.js';
import { schemaJson, schemaText } from './schema-render.js';

export interface GeneratedCase {
  readonly seed: number;
  /** The batch input line (one JSON object, no newline). */
  readonly line: string;
}

export function generateCase(seed: number): GeneratedCase {
  const rng = new Prng(seed);
  const schema = randomSchema(rng);
  const universe = randomUniverse(rng, schema);
  const schemaGiven = rng.chance(0.65);
  const options: DataOptions = { rng, universe, schemaGiven, wrong: rng.chance(0.25) ? 0.04 : 0 };
  const policies = randomPolicySet(rng, schema, universe);
  const entities = randomEntities(rng, schema, universe, options);
  const requests = randomRequests(rng, schema, universe, options);
  const line: { [key: string]: Json } = { policies, entities: entities as Json, requests };
  if (schemaGiven) line.schema = rng.chance(0.7) ? schemaText(schema) : (schemaJson(schema) as { [key: string]: Json });
  return { seed, line: JSON.stringify(line) };
}
