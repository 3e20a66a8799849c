// The stream configuration as the SSF 1.0 management API speaks it (§8.1.1): what a receiver may
// send (zod schemas: create, update, replace, status, subjects, verification) and the JSON Tenet
// answers with. Transmitter-supplied members a receiver echoes back must match (§8.1.1.3–4).
import { z } from 'zod';
import { CAEP_EVENTS } from '../caep-events.js';
import { subjectIdentifierSchema } from '../subject-identifier.js';
import type { SsfStreamRecord } from '../../store/ports.js';

/** Delivery method URIs (SSF 1.0 §6.1). */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

/** The events Tenet transmits (CAEP 1.0 §3): what `events_requested` is intersected with. */
export const EVENTS_SUPPORTED: readonly string[] = [CAEP_EVENTS.sessionRevoked, CAEP_EVENTS.deviceComplianceChange, CAEP_EVENTS.riskLevelChange];

const text = (max: number) => z.string().min(1).max(max);
const streamId = text(128);

const pushEndpoint = z
  .string()
  .max(2048)
  .url()
  .refine((value) => /^https?:\/\//i.test(value), { message: 'expected an http:// or https:// URL' });

const delivery = z.discriminatedUnion('method', [
  z.object({
    method: z.literal(PUSH_DELIVERY),
    endpoint_url: pushEndpoint,
    // Sent verbatim as the Authorization header of every push (SSF 1.0 §6.1.1).
    authorization_header: text(4096).optional(),
  }),
  // endpoint_url of a poll stream is transmitter-supplied: whatever the receiver sends is ignored.
  z.object({ method: z.literal(POLL_DELIVERY), endpoint_url: z.string().max(2048).optional() }),
]);

const audience = z.union([text(1024), z.array(text(1024)).min(1).max(8)]);

/** Receiver-supplied members (§8.1.1), plus transmitter-supplied ones that must match when echoed. */
const receiverSupplied = {
  delivery: delivery.optional(),
  events_requested: z.array(text(512)).max(64).optional(),
  description: z.string().max(1024).optional(),
};
const echoed = {
  iss: z.string().optional(),
  events_supported: z.array(z.string()).optional(),
  events_delivered: z.array(z.string()).optional(),
  min_verification_interval: z.number().optional(),
};

/**
 * POST: a new stream. `aud` is transmitter-supplied in SSF; Tenet lets the receiver name the
 * audience it validates (its own identifier) at creation, and fixes it thereafter.
 */
export const createStreamSchema = z.object({ ...receiverSupplied, aud: audience.optional(), ...echoed });
/** PATCH: stream_id plus the members to change. */
export const updateStreamSchema = z.object({ stream_id: streamId, ...receiverSupplied, aud: audience.optional(), ...echoed });
/** PUT: stream_id plus every receiver-supplied member (missing ones are deleted). */
export const replaceStreamSchema = updateStreamSchema;

export const streamIdQuerySchema = z.object({ stream_id: streamId });
export const optionalStreamIdQuerySchema = z.object({ stream_id: streamId.optional() });

export const statusUpdateSchema = z.object({
  stream_id: streamId,
  status: z.enum(['enabled', 'paused', 'disabled']),
  reason: z.string().max(1024).optional(),
});

export const addSubjectSchema = z.object({ stream_id: streamId, subject: subjectIdentifierSchema, verified: z.boolean().optional() });
export const removeSubjectSchema = z.object({ stream_id: streamId, subject: subjectIdentifierSchema });
export const verificationSchema = z.object({ stream_id: streamId, state: z.string().max(1024).optional() });

export type CreateStreamBody = z.infer<typeof createStreamSchema>;
export type UpdateStreamBody = z.infer<typeof updateStreamSchema>;

/** events_requested ∩ events_supported, in the supported order (§8.1.1 events_delivered). */
export function eventsDelivered(requested: readonly string[]): string[] {
  return EVENTS_SUPPORTED.filter((event) => requested.includes(event));
}

/** The stream configuration object (§8.1.1). The push authorization header is never echoed. */
export function streamJson(stream: SsfStreamRecord, issuer: string, pollUrl: (streamId: string) => string): Record<string, unknown> {
  return {
    stream_id: stream.id,
    iss: issuer,
    aud: stream.audience.length === 1 ? stream.audience[0] : [...stream.audience],
    delivery:
      stream.deliveryMethod === 'push'
        ? { method: PUSH_DELIVERY, endpoint_url: stream.endpointUrl }
        : { method: POLL_DELIVERY, endpoint_url: pollUrl(stream.id) },
    events_supported: [...EVENTS_SUPPORTED],
    events_requested: [...stream.eventsRequested],
    events_delivered: eventsDelivered(stream.eventsRequested),
    ...(stream.description === undefined ? {} : { description: stream.description }),
  };
}
