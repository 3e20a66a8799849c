// zod schema for Cedar's entity JSON format (https://docs.cedarpolicy.com/auth/entities-syntax.html):
// an array of `{uid, attrs, parents, tags?}`, where a reference is `{type, id}` or the escaped
// `{"__entity": {type, id}}`. Stricter than Cedar where Cedar would fail later anyway (numbers
// must be 64-bit-safe integers, no null), so a bad file is rejected at import with a path.
import * as z from 'zod';
import type { CedarJsonValue } from '../../engine/signals.js';
import { CEDAR_TYPE_NAME } from '../entity-ref-text.js';
import { IMPORT_LIMITS } from '../limits.js';
import { checkCedarValue } from './cedar-value.js';

const tooLong = `at most ${IMPORT_LIMITS.maxIdLength} characters`;

const plainRef = z.strictObject({
  type: z.string().max(IMPORT_LIMITS.maxIdLength, tooLong).regex(CEDAR_TYPE_NAME, 'not a Cedar entity type name (expected e.g. User or App::Route)'),
  id: z.string().max(IMPORT_LIMITS.maxIdLength, tooLong),
});

/** `{type, id}` or `{"__entity": {type, id}}`, always read as `{type, id}`. */
export const entityRefSchema = z.preprocess((value) => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && '__entity' in value) {
    return (value as { __entity: unknown }).__entity;
  }
  return value;
}, plainRef);

/** A record of Cedar values (attrs, tags), each value checked by checkCedarValue. */
const cedarRecord = z
  .record(z.string(), z.unknown())
  .superRefine((record, ctx) => {
    const keys = Object.keys(record);
    if (keys.length > IMPORT_LIMITS.maxKeysPerRecord) {
      ctx.addIssue({ code: 'custom', message: `${keys.length} keys, over the limit of ${IMPORT_LIMITS.maxKeysPerRecord}` });
      return;
    }
    for (const key of keys) {
      for (const problem of checkCedarValue(record[key])) ctx.addIssue({ code: 'custom', message: problem.message, path: [key, ...problem.path] });
    }
  })
  .transform((record) => record as Readonly<Record<string, CedarJsonValue>>);

export const cedarEntitySchema = z.strictObject({
  uid: entityRefSchema,
  attrs: cedarRecord.default({}),
  parents: z.array(entityRefSchema).max(IMPORT_LIMITS.maxParents, `at most ${IMPORT_LIMITS.maxParents} parents`).default([]),
  tags: cedarRecord.optional(),
});
