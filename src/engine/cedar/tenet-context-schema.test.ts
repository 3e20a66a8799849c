import { readFileSync } from 'node:fs';
import { checkParseSchema } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { TENET_CONTEXT_SCHEMA } from './tenet-context-schema.js';

describe('Tenet context schema', () => {
  it('is the text of tenet-context.cedarschema', () => {
    expect(TENET_CONTEXT_SCHEMA).toBe(readFileSync(new URL('./tenet-context.cedarschema', import.meta.url), 'utf8'));
  });

  it('parses', () => {
    expect(checkParseSchema(TENET_CONTEXT_SCHEMA)).toEqual({ type: 'success' });
  });
});
