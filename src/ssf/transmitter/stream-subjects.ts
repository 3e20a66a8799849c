// Which streams want an event about which subject (SSF 1.0 §8.1.3): receivers add and remove RFC
// 9493 identifiers; an event names its subject by every identifier Tenet knows for it (a user by
// IdP iss_sub, email and opaque principal; a device and a session by opaque id). Simple subjects
// match when identical; complex ones member by member (§8.1.3.1).
import { simpleSubjectIdentifierSchema, type SubjectIdentifier } from '../subject-identifier.js';
import type { SsfStreamRecord, SsfStreamSubject } from '../../store/ports.js';

type Identifier = Readonly<Record<string, unknown>>;

/** An event's subject: for each complex-subject member it concerns, the identifiers that name it. */
export interface EventSubjectMembers {
  readonly user?: readonly Identifier[];
  readonly session?: readonly Identifier[];
  readonly device?: readonly Identifier[];
}

/** Canonical text of an identifier: keys sorted, emails lower-cased, so equal identifiers have equal keys. */
export function subjectKey(identifier: Identifier): string {
  return JSON.stringify(canonical(identifier));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(record).sort()) {
    const member = record[name];
    if (member === undefined) continue;
    out[name] = name === 'email' && typeof member === 'string' && record['format'] === 'email' ? member.toLowerCase() : canonical(member);
  }
  return out;
}

/** The identifier as stored: a complex subject gets its `format: "complex"` back (the schema drops it). */
export function normaliseSubject(subject: SubjectIdentifier): Identifier {
  if (simpleSubjectIdentifierSchema.safeParse(subject).success) return subject as Identifier;
  return { format: 'complex', ...(subject as Identifier) };
}

function matches(streamSubject: Identifier, event: EventSubjectMembers): boolean {
  const members: Record<string, readonly Identifier[] | undefined> = { user: event.user, session: event.session, device: event.device };
  if (streamSubject['format'] !== 'complex') {
    const key = subjectKey(streamSubject);
    return Object.values(members).some((alternatives) => alternatives?.some((one) => subjectKey(one) === key) ?? false);
  }
  // Complex: every member both sides define must be identical (§8.1.3.1). Tenet also requires at
  // least one shared member, so `{tenant: …}` does not match every event Tenet sends.
  let shared = 0;
  for (const [name, wanted] of Object.entries(streamSubject)) {
    if (name === 'format' || wanted === null || typeof wanted !== 'object') continue;
    const alternatives = members[name];
    if (alternatives === undefined) continue;
    if (!alternatives.some((one) => subjectKey(one) === subjectKey(wanted as Identifier))) return false;
    shared += 1;
  }
  return shared > 0;
}

/** Whether the stream's receiver wants events about this subject (default_subjects, then its additions and removals). */
export function streamWantsSubject(stream: SsfStreamRecord, subjects: readonly SsfStreamSubject[], event: EventSubjectMembers): boolean {
  const removed = subjects.some((entry) => !entry.included && matches(entry.subject, event));
  if (removed) return false;
  if (stream.defaultSubjects === 'ALL') return true;
  return subjects.some((entry) => entry.included && matches(entry.subject, event));
}
