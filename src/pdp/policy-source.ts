// Reads the `policies` directory into the engine's PolicySource: every `*.cedar` file in name
// order (so default policy ids are stable), plus at most one schema, `*.cedarschema` (Cedar text)
// or `*.cedarschema.json` (Cedar JSON schema).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicySource } from '../engine/index.js';
import { TenetError } from '../errors.js';

export function readPolicySource(dir: string): PolicySource {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new TenetError('TENET_ERR_POLICY_UNREADABLE', `cannot read policy directory ${dir}`, [
      { path: dir, message: (error as Error).message, hint: 'the `policies` key names a directory of .cedar files' },
    ]);
  }
  const policies = names.filter((name) => name.endsWith('.cedar')).map((name) => ({ file: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
  const schemas = names.filter((name) => name.endsWith('.cedarschema') || name.endsWith('.cedarschema.json'));
  if (schemas.length > 1) {
    throw new TenetError('TENET_ERR_POLICY_INVALID', `more than one schema in ${dir}`, [
      { path: dir, message: `found ${schemas.join(', ')}`, hint: 'keep a single .cedarschema (or .cedarschema.json) file per policy directory' },
    ]);
  }
  if (policies.length === 0) {
    throw new TenetError('TENET_ERR_POLICY_INVALID', `no .cedar files in ${dir}`, [
      { path: dir, message: 'no policies: every request would be denied', hint: 'add at least one .cedar policy file' },
    ]);
  }
  const [schemaName] = schemas;
  if (schemaName === undefined) return { policies };
  const file = join(dir, schemaName);
  return { policies, schema: { file, text: readFileSync(file, 'utf8'), format: schemaName.endsWith('.json') ? 'json' : 'cedar' } };
}
