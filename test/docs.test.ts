// Docs that are generated from code must stay in step with it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/schema.js';
import { configReference } from '../src/config/schema-keys.js';
import { REASON_CODES, RISK_FACTORS } from '../src/engine/reasons.js';

describe('documentation', () => {
  it('docs/configuration.md lists every config key of the schema', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    for (const entry of configReference(configSchema)) expect(doc, entry.key).toContain(`| \`${entry.key}\` |`);
  });

  it('docs/reasons.md documents every reason code and risk factor', () => {
    const doc = readFileSync('docs/reasons.md', 'utf8');
    for (const code of [...Object.values(REASON_CODES), ...Object.values(RISK_FACTORS)]) expect(doc, code).toContain(`| \`${code}\` |`);
  });
});
