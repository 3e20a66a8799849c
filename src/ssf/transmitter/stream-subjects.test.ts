// Subject matching (SSF 1.0 §8.1.3.1): identical simple subjects, complex ones member by member,
// canonical keys, and default_subjects ALL / NONE with additions and removals.
import { describe, expect, it } from 'vitest';
import type { SsfStreamRecord, SsfStreamSubject } from '../../store/ports.js';
import { userEventSubject } from './caep-subject.js';
import { streamWantsSubject, subjectKey } from './stream-subjects.js';

const stream = (defaultSubjects: 'ALL' | 'NONE') => ({ defaultSubjects }) as SsfStreamRecord;
const entry = (subject: Record<string, unknown>, included = true): SsfStreamSubject => ({ key: subjectKey(subject), subject, included });
const alice = userEventSubject({ subject: { type: 'User', id: 'alice' }, email: 'alice@example.com', idp: { issuer: 'https://idp', sub: 'a1' }, session: 's-9' }).members;

describe('stream subjects', () => {
  it('gives equal identifiers equal keys, whatever the member order or email case', () => {
    expect(subjectKey({ format: 'email', email: 'A@Example.com' })).toBe(subjectKey({ email: 'a@example.com', format: 'email' }));
    expect(subjectKey({ format: 'opaque', id: 'A' })).not.toBe(subjectKey({ format: 'opaque', id: 'a' }));
  });

  it('matches a simple subject naming any member by any of its identifiers', () => {
    for (const subject of [
      { format: 'email', email: 'alice@example.com' },
      { format: 'iss_sub', iss: 'https://idp', sub: 'a1' },
      { format: 'opaque', id: 'User::"alice"' },
      { format: 'opaque', id: 's-9' },
    ]) {
      expect(streamWantsSubject(stream('NONE'), [entry(subject)], alice)).toBe(true);
    }
    expect(streamWantsSubject(stream('NONE'), [entry({ format: 'email', email: 'bob@example.com' })], alice)).toBe(false);
    expect(streamWantsSubject(stream('NONE'), [], alice)).toBe(false);
  });

  it('matches a complex subject only when every shared member is identical, and at least one is shared', () => {
    const user = { format: 'email', email: 'alice@example.com' };
    expect(streamWantsSubject(stream('NONE'), [entry({ format: 'complex', user, tenant: { format: 'opaque', id: 't' } })], alice)).toBe(true);
    expect(streamWantsSubject(stream('NONE'), [entry({ format: 'complex', user, session: { format: 'opaque', id: 'other' } })], alice)).toBe(false);
    expect(streamWantsSubject(stream('NONE'), [entry({ format: 'complex', tenant: { format: 'opaque', id: 't' } })], alice)).toBe(false);
  });

  it('with ALL, wants everyone except removed subjects; a removal wins over an addition', () => {
    expect(streamWantsSubject(stream('ALL'), [], alice)).toBe(true);
    const removed = entry({ format: 'iss_sub', iss: 'https://idp', sub: 'a1' }, false);
    expect(streamWantsSubject(stream('ALL'), [removed], alice)).toBe(false);
    expect(streamWantsSubject(stream('NONE'), [entry({ format: 'email', email: 'alice@example.com' }), removed], alice)).toBe(false);
  });
});
