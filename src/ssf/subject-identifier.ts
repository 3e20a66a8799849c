// Subject identifiers for security event tokens (RFC 9493), the formats Tenet reads and writes.
// A transmitter names *who* an event is about with one of these; the receiver resolves it to
// Tenet's sessions, users and devices (an identifier that matches nothing is "unknown subject").
import { z } from 'zod';

const text = z.string().min(1).max(1024);

export const simpleSubjectIdentifierSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('email'), email: text }),
  z.object({ format: z.literal('iss_sub'), iss: text, sub: text }),
  z.object({ format: z.literal('opaque'), id: text }),
  z.object({ format: z.literal('phone_number'), phone_number: text }),
  z.object({ format: z.literal('account'), uri: text }),
  z.object({ format: z.literal('did'), url: text }),
  z.object({ format: z.literal('uri'), uri: text }),
  z.object({ format: z.literal('aliases'), identifiers: z.array(z.unknown()).min(1).max(16) }),
]);
export type SimpleSubjectIdentifier = z.infer<typeof simpleSubjectIdentifierSchema>;

/**
 * The CAEP / SSF "complex" subject (SSF 1.0 §3.2): members name the user, session, device… the
 * event is about; all given members must match. Tenet uses `user`, `session`, `device` and
 * `tenant`; other members are read and ignored.
 */
export const complexSubjectSchema = z
  .object({
    user: simpleSubjectIdentifierSchema.optional(),
    session: simpleSubjectIdentifierSchema.optional(),
    device: simpleSubjectIdentifierSchema.optional(),
    tenant: simpleSubjectIdentifierSchema.optional(),
    application: simpleSubjectIdentifierSchema.optional(),
    org_unit: simpleSubjectIdentifierSchema.optional(),
    group: simpleSubjectIdentifierSchema.optional(),
  })
  .refine((value) => Object.values(value).some((member) => member !== undefined), 'a complex subject needs at least one member');
export type ComplexSubject = z.infer<typeof complexSubjectSchema>;

export const subjectIdentifierSchema = z.union([simpleSubjectIdentifierSchema, complexSubjectSchema]);
export type SubjectIdentifier = z.infer<typeof subjectIdentifierSchema>;

/** What a subject identifier resolved to in Tenet's terms (every field given must match). */
export interface SubjectMatch {
  /** The Cedar principal (from `opaque` ids Tenet issued, or an email / iss_sub resolved through sessions). */
  readonly subject?: { readonly type: string; readonly id: string };
  readonly email?: string;
  /** An identity provider's issuer and `sub`. */
  readonly idp?: { readonly issuer: string; readonly sub: string };
  /** A session: the IdP session id (`sid`) when the issuer is a configured IdP, else a Tenet session id. */
  readonly session?: string;
  readonly deviceId?: string;
}
