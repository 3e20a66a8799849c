// The Tenet sink over a real SQLite store and real Sessions: CAEP events end the right sessions
// (by IdP iss_sub, sid, email, principal), record device posture, set reported risk, change a
// login's assurance — and announce each change on the SignalChanges bus.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignalChanges, type SignalChange } from '../../continuous/signal-change.js';
import type { Authentication } from '../../engine/tuple.js';
import type { SessionIdentity } from '../../sessions/session.js';
import { Sessions } from '../../sessions/sessions.js';
import type { Store, SubjectSignalRecord } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tenetSharedSignalSink } from './tenet-sink.js';

const IDP = 'https://idp.example';
const alice: SessionIdentity = {
  providerId: 'corp',
  idpSubject: 'sub-alice',
  idpSessionId: 'sid-1',
  subject: { type: 'User', id: 'alice@example.com' },
  parents: [],
  attributes: {},
  email: 'alice@example.com',
  groups: [],
};
const bob: SessionIdentity = { ...alice, idpSubject: 'sub-bob', idpSessionId: 'sid-2', subject: { type: 'User', id: 'bob@example.com' }, email: 'bob@example.com' };
const authn: Authentication = { methods: ['hwk'], phishingResistant: true, authenticatedAt: '2025-03-01T10:00:00.000Z', acr: 'phr' };

describe('tenetSharedSignalSink', () => {
  let store: Store;
  let sessions: Sessions;
  let changes: SignalChange[];
  let risks: SubjectSignalRecord[];
  let sink: ReturnType<typeof tenetSharedSignalSink>;

  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    sessions = new Sessions(store.sessions, { cookieName: '__Host-t', idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 43_200 });
    changes = [];
    risks = [];
    const bus = new SignalChanges((error) => {
      throw error;
    });
    bus.subscribe((change) => {
      changes.push(change);
    });
    sink = tenetSharedSignalSink({
      sessions,
      devices: store.devices,
      // The subject-signal store is another part's; a faithful recorder of put() stands in here.
      subjectSignals: {
        put: async (record) => {
          risks.push(record);
          return true;
        },
      },
      changes: bus,
      identityProviders: [{ id: 'corp', issuer: IDP }],
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const live = async () => (await sessions.listActive()).map((record) => record.identity.idpSubject).sort();

  it('ends the sessions of an IdP user named by iss_sub, on every host, and no one else\'s', async () => {
    await sessions.start({ identity: alice, authn, host: 'a.example.com' });
    await sessions.start({ identity: alice, authn, host: 'b.example.com' });
    await sessions.start({ identity: bob, authn, host: 'a.example.com' });
    expect(await sink.revokeSessions({ idp: { issuer: IDP, sub: 'sub-alice' } }, 'ssf:idp: revoked')).toBe(2);
    expect(await live()).toEqual(['sub-bob']);
    expect(changes).toEqual([{ kind: 'sessions', sessionIds: expect.any(Array), reason: 'ssf:idp: revoked' }]);
    // An issuer that is not a configured IdP matches nothing.
    expect(await sink.revokeSessions({ idp: { issuer: 'https://other.example', sub: 'sub-bob' } }, 'x')).toBe(0);
    expect(await live()).toEqual(['sub-bob']);
  });

  it('ends sessions by email (case-insensitively), by IdP sid, by Tenet session id and by principal', async () => {
    await sessions.start({ identity: alice, authn, host: 'a.example.com' });
    const bobs = await sessions.start({ identity: bob, authn, host: 'a.example.com' });
    expect(await sink.requireFreshLogin({ email: 'ALICE@example.com' }, 'credential changed')).toBe(1);
    expect(await live()).toEqual(['sub-bob']);
    expect(await sink.revokeSessions({ idp: { issuer: IDP, sub: 'sub-bob' }, session: 'sid-other' }, 'x')).toBe(0);
    expect(await sink.revokeSessions({ session: bobs.record.id }, 'x')).toBe(1);
    await sessions.start({ identity: bob, authn, host: 'b.example.com' });
    expect(await sink.revokeSessions({ idp: { issuer: IDP, sub: 'sub-bob' }, session: 'sid-2' }, 'x')).toBe(1);
    await sessions.start({ identity: bob, authn, host: 'c.example.com' });
    expect(await sink.tokenClaims({ subject: { type: 'User', id: 'bob@example.com' } }, { groups: [] }, 'ssf:idp')).toBe(1);
    expect(await live()).toEqual([]);
    // A match naming only a device ends no session.
    expect(await sink.revokeSessions({ deviceId: 'laptop-7' }, 'x')).toBe(0);
  });

  it('records device compliance as a posture report from the transmitter and announces it', async () => {
    await store.devices.upsertMany([{ id: 'laptop-7', managed: true, status: 'active' }]);
    expect(await sink.deviceCompliance({ deviceId: 'laptop-7' }, false, '2025-03-01T10:00:00.000Z', 'ssf:idp')).toBe(1);
    expect((await store.devices.get('laptop-7'))?.posture).toMatchObject({ compliant: false, source: 'ssf:idp', observedAt: '2025-03-01T10:00:00.000Z' });
    expect(changes).toEqual([{ kind: 'device', deviceId: 'laptop-7', reason: 'ssf:idp: device not compliant' }]);
    expect(await sink.deviceCompliance({ deviceId: 'unknown' }, true, '2025-03-01T10:00:00.000Z', 'ssf:idp')).toBe(0);
    expect(await sink.deviceCompliance({ email: 'alice@example.com' }, true, '2025-03-01T10:00:00.000Z', 'ssf:idp')).toBe(0);
  });

  it('records the reported risk level for the principals behind the match', async () => {
    await sessions.start({ identity: alice, authn, host: 'a.example.com' });
    expect(await sink.subjectRiskLevel({ email: 'alice@example.com' }, 'high', 'breach', 'ssf:idp', '2025-03-01T10:00:00.000Z')).toBe(1);
    expect(risks).toEqual([{ subject: 'User::"alice@example.com"', source: 'ssf:idp', riskLevel: 'high', reason: 'breach', observedAt: '2025-03-01T10:00:00.000Z' }]);
    expect(changes).toEqual([{ kind: 'subject', subject: alice.subject, reason: 'ssf:idp: risk level high' }]);
    expect(await sink.subjectRiskLevel({ subject: { type: 'User', id: 'carol' } }, 'low', 'ok', 'ssf:idp')).toBe(1);
    expect(await sink.subjectRiskLevel({ email: 'nobody@example.com' }, 'low', 'ok', 'ssf:idp')).toBe(0);
  });

  it('replaces the assurance of the matching logins', async () => {
    const started = await sessions.start({ identity: alice, authn, host: 'a.example.com' });
    expect(await sink.assuranceLevel({ idp: { issuer: IDP, sub: 'sub-alice' } }, { acr: 'pwd-only', amr: ['pwd'] }, 'ssf:idp')).toBe(1);
    expect((await store.sessions.get(started.record.id))?.authn).toMatchObject({ acr: 'pwd-only', methods: ['pwd'], phishingResistant: false });
    expect(changes).toEqual([{ kind: 'subject', subject: alice.subject, reason: 'ssf:idp: assurance level now pwd-only' }]);
  });
});
