// Differential tests: parseEntitiesWithSchema must accept exactly the entity JSON that cedar-wasm's
// checkParseEntities accepts, over seeded random schemas and entity lists (valid and mutated), and
// produce the same values as a schema-less parse of the fully escaped JSON.
import { checkParseEntities, checkParseSchema, schemaToText, type Entities, type Schema } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { RecordValue, valueKey } from '../value.js';
import { mutate, randomEntities, randomSchemaJson, seededRng, type Rng } from './differential-generators.js';
import { loadSchema } from './load-schema.js';
import { parseEntitiesWithSchema } from './parse-entities.js';
import { parseSchemalessValue } from './parse-value.js';
import type { CedarSchema } from './types.js';

function mine(entities: unknown, schema: CedarSchema): { ok: boolean; error?: string; parsed?: ReturnType<typeof parseEntitiesWithSchema> } {
  try {
    return { ok: true, parsed: parseEntitiesWithSchema(entities, schema) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function cedar(entities: unknown, schema: Schema): { ok: boolean; error?: string } {
  const answer = checkParseEntities({ entities: entities as Entities, schema });
  return answer.type === 'success' ? { ok: true } : { ok: false, error: answer.errors.map((e) => e.message).join(' | ') };
}

function schemaInput(rng: Rng): Schema {
  const json = randomSchemaJson(rng) as Schema;
  if (rng() < 0.3) {
    const text = schemaToText(json);
    if (text.type === 'success') return text.text;
  }
  return json;
}

describe('parseEntitiesWithSchema agrees with cedar-wasm checkParseEntities', () => {
  it('on 120 random schemas, each with a valid entity list and 5 mutations of it', () => {
    const disagreements: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (let seed = 1; seed <= 120; seed += 1) {
      const rng = seededRng(seed);
      const input = schemaInput(rng);
      expect(checkParseSchema(input).type, `seed ${seed}: generated schema`).toBe('success');
      const schema = loadSchema(input);
      const generated = randomEntities(rng, schema);
      const variants: { label: string; json: unknown }[] = [{ label: 'valid', json: generated.loose }];
      for (let m = 0; m < 5; m += 1) {
        const copy = structuredClone(generated.loose);
        mutate(rng, copy, schema);
        if (rng() < 0.3) mutate(rng, copy, schema);
        variants.push({ label: `mutation ${m}`, json: copy });
      }
      for (const { label, json } of variants) {
        const expected = cedar(json, input);
        const actual = mine(json, schema);
        if (expected.ok) accepted += 1;
        else rejected += 1;
        if (expected.ok !== actual.ok) {
          disagreements.push(`seed ${seed} ${label}: cedar ${expected.ok ? 'accepts' : `rejects (${expected.error})`}, ours ${actual.ok ? 'accepts' : `rejects (${actual.error})`}\n schema: ${JSON.stringify(input)}\n entities: ${JSON.stringify(json)}`);
        }
        if (label === 'valid' && expected.ok && actual.parsed !== undefined) {
          for (const entity of actual.parsed) {
            const escaped = generated.escaped.find((e) => e.key === entity.uid.key);
            if (escaped === undefined) continue;
            expect(valueKey(new RecordValue(entity.attrs)), `seed ${seed} ${entity.uid.key} attrs`).toBe(valueKey(parseSchemalessValue(escaped.attrs, 'attrs')));
            expect(valueKey(new RecordValue(entity.tags)), `seed ${seed} ${entity.uid.key} tags`).toBe(valueKey(parseSchemalessValue(escaped.tags, 'tags')));
          }
        }
      }
    }
    expect(disagreements.slice(0, 5).join('\n\n')).toBe('');
    // The generator must exercise both outcomes in earnest.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(300);
  }, 120_000);
});
