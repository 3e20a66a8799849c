// Validation of an access request written as Tenet's NIST tuple (the format of `tenet check
// --request` and of golden decision tables). The AuthZEN API has its own wire format and mapping
// (src/api/authzen); both end in the same AccessRequest.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { AccessRequest } from '../engine/tuple.js';
import { TenetError } from '../errors.js';

const properties = z.record(z.string(), z.unknown());
const entity = z.strictObject({ type: z.string().min(1), id: z.string().min(1), properties: properties.optional() });
const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time');

export const accessRequestSchema = z.strictObject({
  subject: entity,
  action: z.strictObject({ name: z.string().min(1), properties: properties.optional() }),
  resource: entity,
  deviceId: z.string().min(1).optional(),
  environment: z
    .strictObject({
      ip: z.string().refine((value) => isIP(value) !== 0, 'expected an IPv4 or IPv6 address').optional(),
      time: isoTime.optional(),
      userAgent: z.string().optional(),
      method: z.string().optional(),
      path: z.string().optional(),
    })
    .default({}),
  authn: z
    .strictObject({
      methods: z.array(z.string().min(1)),
      phishingResistant: z.boolean(),
      authenticatedAt: isoTime.optional(),
      acr: z.string().optional(),
    })
    .optional(),
  context: properties.optional(),
});

/** Parses a tuple; throws TENET_ERR_REQUEST_INVALID naming every bad path. `where` prefixes the paths. */
export function parseAccessRequest(input: unknown, where = 'request'): AccessRequest {
  const parsed = accessRequestSchema.safeParse(input);
  if (parsed.success) return stripUndefined(parsed.data) as AccessRequest;
  throw new TenetError(
    'TENET_ERR_REQUEST_INVALID',
    `${where} is not a valid access request`,
    parsed.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}

/** zod leaves absent optionals as missing keys already; this also drops explicit `undefined`s (exactOptionalPropertyTypes). */
function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined).map(([key, inner]) => [key, stripUndefined(inner)]));
  }
  return value;
}
