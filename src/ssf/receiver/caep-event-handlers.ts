// What each CAEP 1.0 event does, as a table: event type → payload check (CAEP 1.0 §3.x
// event-specific claims) → the SharedSignalSink call. A payload that does not conform to its
// event's definition is refused with invalid_request (RFC 8935 §2.4); event types not in the
// table are the caller's concern (refused as unknown).
import { z } from 'zod';
import { CAEP_EVENTS, type CaepEventType, type CaepRiskLevel } from '../caep-events.js';
import type { SharedSignalSink } from '../shared-signal-sink.js';
import type { SubjectMatch } from '../subject-identifier.js';
import { SetRefusal } from '../set/verify-set.js';

export interface CaepEventInput {
  readonly eventType: CaepEventType;
  readonly event: Readonly<Record<string, unknown>>;
  readonly match: SubjectMatch;
  /** `ssf:<transmitter id>`. */
  readonly source: string;
  /** The SET's iat (seconds), used when the event has no event_timestamp. */
  readonly iat: number;
}

type Handler = (input: CaepEventInput, sink: SharedSignalSink) => Promise<number>;

// CAEP 1.0 §2: reason_admin / reason_user are language-tagged strings ({"en": "…"}); older drafts sent a plain string.
const reasonText = z.union([z.string().max(2048), z.record(z.string(), z.string().max(2048))]).optional();
const common = z.object({
  event_timestamp: z.number().finite().nonnegative().optional(),
  initiating_entity: z.string().max(64).optional(),
  reason_admin: reasonText,
  reason_user: reasonText,
});

const handlers: Readonly<Record<CaepEventType, Handler>> = {
  [CAEP_EVENTS.sessionRevoked]: async (input, sink) => {
    const event = conform(common, input);
    return sink.revokeSessions(input.match, reasonOf(event, input, 'session revoked'));
  },
  [CAEP_EVENTS.credentialChange]: async (input, sink) => {
    const event = conform(
      common.extend({
        credential_type: z.string().min(1).max(64),
        change_type: z.enum(['create', 'revoke', 'update', 'delete']),
      }),
      input,
    );
    return sink.requireFreshLogin(input.match, reasonOf(event, input, `credential ${event.credential_type} ${event.change_type}`));
  },
  [CAEP_EVENTS.deviceComplianceChange]: async (input, sink) => {
    const event = conform(
      common.extend({
        previous_status: z.enum(['compliant', 'not-compliant']).optional(),
        current_status: z.enum(['compliant', 'not-compliant']),
      }),
      input,
    );
    return sink.deviceCompliance(input.match, event.current_status === 'compliant', observedAt(event, input), input.source);
  },
  [CAEP_EVENTS.assuranceLevelChange]: async (input, sink) => {
    const event = conform(
      common.extend({
        namespace: z.string().min(1).max(128),
        current_level: z.string().min(1).max(256),
        previous_level: z.string().max(256).optional(),
        change_direction: z.enum(['increase', 'decrease']).optional(),
      }),
      input,
    );
    // Namespace RFC8176 carries an authentication method (amr value) rather than a context class.
    const change = event.namespace === 'RFC8176' ? { acr: event.current_level, amr: [event.current_level] } : { acr: event.current_level };
    return sink.assuranceLevel(input.match, change, input.source);
  },
  [CAEP_EVENTS.tokenClaimsChange]: async (input, sink) => {
    const event = conform(common.extend({ claims: z.record(z.string(), z.unknown()) }), input);
    return sink.tokenClaims(input.match, event.claims, input.source);
  },
  [CAEP_EVENTS.riskLevelChange]: async (input, sink) => {
    // CAEP 1.0 §3.8.1 spells levels LOW / MEDIUM / HIGH; drafts used lower case. Both are read.
    const level = z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(['low', 'medium', 'high']));
    const event = conform(
      common.extend({
        current_level: level,
        previous_level: level.optional(),
        principal: z.string().max(64).optional(),
        risk_reason: z.string().max(2048).optional(),
      }),
      input,
    );
    const reason = event.risk_reason ?? reasonOf(event, input, `risk level ${event.current_level}`);
    return sink.subjectRiskLevel(input.match, event.current_level as CaepRiskLevel, reason, input.source, observedAt(event, input));
  },
};

export function isHandledEvent(eventType: string): eventType is CaepEventType {
  return Object.hasOwn(handlers, eventType);
}

/** Runs the event's handler; resolves to how many things the sink changed (0: the subject matched nothing). */
export function handleCaepEvent(input: CaepEventInput, sink: SharedSignalSink): Promise<number> {
  return handlers[input.eventType](input, sink);
}

function conform<T extends z.ZodTypeAny>(schema: T, input: CaepEventInput): z.infer<T> {
  const result = schema.safeParse(input.event);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SetRefusal('invalid_request', `event ${issue?.path.join('.') || '(payload)'} does not conform to ${input.eventType}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data as z.infer<T>;
}

function reasonOf(event: z.infer<typeof common>, input: CaepEventInput, fallback: string): string {
  const given = event.reason_admin ?? event.reason_user;
  const text = typeof given === 'string' ? given : given === undefined ? undefined : (given.en ?? Object.values(given)[0]);
  return `${input.source}: ${text ?? fallback}`;
}

function observedAt(event: z.infer<typeof common>, input: CaepEventInput): string {
  return new Date((event.event_timestamp ?? input.iat) * 1000).toISOString();
}
