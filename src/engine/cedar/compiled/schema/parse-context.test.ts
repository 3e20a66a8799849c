// Differential tests: parseContextWithSchema must accept exactly the contexts cedar-wasm accepts —
// `checkParseContext` when validating (the default), `isAuthorized` with a schema and
// `validateRequest: false` when only parsing — and give the values a schema-less parse of the fully
// escaped JSON gives.
import { checkParseContext, isAuthorized, type Context, type Schema } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { valueKey } from '../value.js';
import { mutate, pick, randomSchemaJson, randomValue, seededRng } from './differential-generators.js';
import { loadSchema } from './load-schema.js';
import { parseContextWithSchema } from './parse-context.js';
import { parseSchemalessValue } from './parse-value.js';

function outcome(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('parseContextWithSchema agrees with cedar-wasm', () => {
  it('on 80 random schemas, a valid context and 5 mutations each, validating and parse-only', () => {
    const disagreements: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (let seed = 1; seed <= 80; seed += 1) {
      const rng = seededRng(10_000 + seed);
      const input = randomSchemaJson(rng) as Schema;
      const schema = loadSchema(input);
      const action = pick(rng, [...schema.actions.values()]);
      const actionJson = { type: action.uid.type, id: action.uid.id };
      const generated = randomValue(rng, action.context, schema);
      for (let m = 0; m <= 5; m += 1) {
        const context = structuredClone(generated.loose) as Context;
        if (m > 0) mutate(rng, context, schema);
        const checked = checkParseContext({ context, schema: input, action: actionJson });
        const ours = outcome(() => parseContextWithSchema(context, schema, action.uid));
        if (checked.type === 'success') accepted += 1;
        else rejected += 1;
        if ((checked.type === 'success') !== (ours === undefined)) {
          disagreements.push(`seed ${seed} m${m} validating: cedar ${checked.type === 'success' ? 'accepts' : checked.errors[0]?.message}, ours ${ours ?? 'accepts'}\n ${JSON.stringify({ input, actionJson, context })}`);
        }
        // Parse-only: what isAuthorized does with a schema when validateRequest is false.
        const answer = isAuthorized({
          principal: { type: 'Unchecked', id: 'p' },
          action: actionJson,
          resource: { type: 'Unchecked', id: 'r' },
          context,
          schema: input,
          validateRequest: false,
          policies: { staticPolicies: 'permit(principal, action, resource);' },
          entities: [],
        });
        const parsedOnly = outcome(() => parseContextWithSchema(context, schema, action.uid, { validate: false }));
        if ((answer.type === 'success') !== (parsedOnly === undefined)) {
          disagreements.push(`seed ${seed} m${m} parse-only: cedar ${answer.type === 'success' ? 'accepts' : answer.errors[0]?.message}, ours ${parsedOnly ?? 'accepts'}\n ${JSON.stringify({ input, actionJson, context })}`);
        }
        if (m === 0 && checked.type === 'success') {
          expect(valueKey(parseContextWithSchema(context, schema, action.uid)), `seed ${seed} values`).toBe(valueKey(parseSchemalessValue(generated.escaped, 'context')));
        }
      }
    }
    expect(disagreements.slice(0, 5).join('\n\n')).toBe('');
    expect(accepted).toBeGreaterThan(80);
    expect(rejected).toBeGreaterThan(150);
  }, 120_000);
});
