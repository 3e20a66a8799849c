// zod schema for one device in a JSON inventory file: the DeviceRecord shape, with the owner
// given either as `{type, id}` or in Cedar's text form `User::"alice"`.
import * as z from 'zod';
import { CEDAR_TYPE_NAME, parseEntityRefText } from '../entity-ref-text.js';
import { isoTimeWithOffset } from '../iso-time.js';
import { IMPORT_LIMITS } from '../limits.js';

const tooLong = `at most ${IMPORT_LIMITS.maxIdLength} characters`;
const text = z.string().min(1, 'must not be empty').max(IMPORT_LIMITS.maxIdLength, tooLong);

export const ownerSchema = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    const ref = parseEntityRefText(value);
    if (ref === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" is not an entity reference; expected User::"alice" or {"type": "User", "id": "alice"}`, input: value });
      return z.NEVER;
    }
    return ref;
  },
  z.strictObject({
    type: z.string().max(IMPORT_LIMITS.maxIdLength, tooLong).regex(CEDAR_TYPE_NAME, 'not a Cedar entity type name (expected e.g. User)'),
    id: z.string().max(IMPORT_LIMITS.maxIdLength, tooLong),
  }),
);

const keyLimited = (what: string) =>
  z.record(z.string(), z.unknown()).refine((r) => Object.keys(r).length <= IMPORT_LIMITS.maxKeysPerRecord, `at most ${IMPORT_LIMITS.maxKeysPerRecord} ${what}`);

export const deviceStatusSchema = z.enum(['active', 'quarantined', 'revoked'], { error: 'expected one of active, quarantined, revoked' });

export const deviceJsonSchema = z.strictObject({
  id: text,
  owner: ownerSchema.optional(),
  managed: z.boolean({ error: 'expected true or false' }),
  status: deviceStatusSchema,
  posture: z
    .strictObject({
      facts: keyLimited('facts').default({}),
      compliant: z.boolean({ error: 'expected true or false' }).optional(),
      observedAt: isoTimeWithOffset,
      // Absent: the importing source (the `source` argument) reported it.
      source: text.optional(),
    })
    .optional(),
  attributes: keyLimited('attributes').optional(),
});

export type DeviceJson = z.output<typeof deviceJsonSchema>;
