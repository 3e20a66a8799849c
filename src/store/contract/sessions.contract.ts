// Contract tests for SessionStore: sessions (create, read, touch, revocation by id, login and
// identity provider, listing, purge), single-use login states and single-use hand-off codes.
// Times are passed explicitly, so expiry is tested without waiting.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LoginState, SessionHandoff, SessionRecord } from '../../sessions/session.js';
import { useFreshStore, type OpenStore } from './harness.js';

const hex = (label: string): string => createHash('sha256').update(label).digest('hex');

const T0 = '2025-03-01T10:00:00.000Z';
const LATER = '2025-03-01T11:00:00.000Z';
const END = '2025-03-01T22:00:00.000Z';

/** A session of `user` (sub `sub-<user>`) at provider `corp`, valid T0 → END. */
function session(label: string, overrides: Partial<SessionRecord> = {}, user = 'alice'): SessionRecord {
  return {
    id: hex(label),
    loginId: `login-${label}`,
    host: 'app.example.com',
    identity: { providerId: 'corp', idpSubject: `sub-${user}`, subject: { type: 'User', id: `${user}@example.com` }, parents: [], attributes: {}, groups: [] },
    authn: { methods: ['pwd'], phishingResistant: false },
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: END,
    ...overrides,
  };
}

const full: SessionRecord = {
  ...session('full'),
  identity: {
    providerId: 'corp',
    idpSubject: '248289761001',
    idpSessionId: '08a5019c-17e1-4977-8f42-65a12843ea02',
    subject: { type: 'User', id: 'alice@example.com' },
    parents: [{ type: 'Group', id: 'eng' }],
    attributes: { department: 'eng', level: 3, mfa: true, roles: ['dev', 'oncall'] },
    email: 'alice@example.com',
    name: 'Alice Example',
    groups: ['eng'],
  },
  authn: { methods: ['hwk', 'pwd'], phishingResistant: true, authenticatedAt: T0, acr: 'phr' },
  idToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyNDgyODk3NjEwMDEifQ.c2ln',
};

function loginState(label: string, overrides: Partial<LoginState> = {}): LoginState {
  return {
    id: hex(`state-${label}`),
    providerId: 'corp',
    nonce: `nonce-${label}`,
    codeVerifier: `verifier-${label}`,
    returnTo: 'https://app.example.com/reports?q=1',
    browserBinding: hex(`binding-${label}`),
    createdAt: T0,
    expiresAt: '2025-03-01T10:10:00.000Z',
    ...overrides,
  };
}

function handoff(label: string, sessionId: string, overrides: Partial<SessionHandoff> = {}): SessionHandoff {
  return { id: hex(`code-${label}`), sessionId, host: 'wiki.example.com:8443', returnTo: 'https://wiki.example.com:8443/', expiresAt: '2025-03-01T10:01:00.000Z', ...overrides };
}

export function sessionContract(open: OpenStore): void {
  describe('sessions', () => {
    const store = useFreshStore(open);
    const sessions = () => store().sessions;

    it('round-trips a session with every optional field, and a minimal one without them', async () => {
      const minimal = session('minimal');
      await sessions().create(full);
      await sessions().create(minimal);
      expect(await sessions().get(full.id)).toEqual(full);
      const read = await sessions().get(minimal.id);
      expect(read).toEqual(minimal);
      expect(read !== undefined && ('idToken' in read || 'revokedAt' in read)).toBe(false);
      expect(read !== undefined && 'idpSessionId' in read.identity).toBe(false);
      expect(await sessions().get(hex('unknown'))).toBeUndefined();
    });

    it('refuses a second session with the same id and keeps the first', async () => {
      await sessions().create(session('a'));
      await expect(sessions().create(session('a', { host: 'evil.example.com' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      expect((await sessions().get(hex('a')))?.host).toBe('app.example.com');
    });

    it('refuses a session whose times are not ISO 8601 instants, writing nothing', async () => {
      await expect(sessions().create(session('a', { expiresAt: 'tomorrow' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      await expect(sessions().create(session('b', { createdAt: '2025-03-01T10:00:00' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect(await sessions().get(hex('a'))).toBeUndefined();
      expect(await sessions().get(hex('b'))).toBeUndefined();
    });

    it('rejects an `at` that is not an ISO 8601 instant', async () => {
      await expect(sessions().listActive('now')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
      await expect(sessions().revoke(hex('a'), '')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
      await expect(sessions().takeLoginState(hex('a'), 'soon')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
    });

    it('touch moves lastSeenAt forward only, and ignores unknown ids', async () => {
      await sessions().create(session('a'));
      await sessions().touch(hex('a'), LATER);
      expect((await sessions().get(hex('a')))?.lastSeenAt).toBe(LATER);
      // A slower instance reporting an older use must not shorten the session's idle window.
      await sessions().touch(hex('a'), '2025-03-01T10:30:00.000Z');
      expect((await sessions().get(hex('a')))?.lastSeenAt).toBe(LATER);
      // Compared as instants, not text: 12:30+02:00 is 10:30Z, earlier than LATER.
      await sessions().touch(hex('a'), '2025-03-01T12:30:00.000+02:00');
      expect((await sessions().get(hex('a')))?.lastSeenAt).toBe(LATER);
      await expect(sessions().touch(hex('ghost'), LATER)).resolves.toBeUndefined();
      expect(await sessions().get(hex('ghost'))).toBeUndefined();
    });

    it('revokes a session once and keeps the first revocation time', async () => {
      await sessions().create(session('a'));
      expect(await sessions().revoke(hex('a'), LATER)).toBe(true);
      expect(await sessions().revoke(hex('a'), END)).toBe(false);
      expect(await sessions().revoke(hex('ghost'), LATER)).toBe(false);
      // Revoked sessions are still returned, carrying revokedAt, so callers refuse them explicitly.
      expect((await sessions().get(hex('a')))?.revokedAt).toBe(LATER);
    });

    it('revokeLogin ends every active session of the login on every host, and nothing else', async () => {
      await sessions().create(session('app', { loginId: 'L1' }));
      await sessions().create(session('wiki', { loginId: 'L1', host: 'wiki.example.com' }));
      await sessions().create(session('gone', { loginId: 'L1', host: 'old.example.com' }));
      await sessions().create(session('expired', { loginId: 'L1', host: 'x.example.com', expiresAt: '2025-03-01T10:30:00.000Z' }));
      await sessions().create(session('other', { loginId: 'L2' }));
      await sessions().revoke(hex('gone'), T0);

      const revoked = await sessions().revokeLogin('L1', LATER);
      expect(revoked).toEqual([hex('app'), hex('wiki')].sort());
      expect((await sessions().get(hex('app')))?.revokedAt).toBe(LATER);
      expect((await sessions().get(hex('wiki')))?.revokedAt).toBe(LATER);
      expect((await sessions().get(hex('gone')))?.revokedAt).toBe(T0);
      expect((await sessions().get(hex('expired')))?.revokedAt).toBeUndefined();
      expect((await sessions().get(hex('other')))?.revokedAt).toBeUndefined();
      expect(await sessions().revokeLogin('L1', END)).toEqual([]);
      expect(await sessions().revokeLogin('no-such-login', LATER)).toEqual([]);
    });

    describe('updateLoginAuthn (a step-up strengthens the whole login)', () => {
      const passkey = { methods: ['hwk', 'mfa'], phishingResistant: true, authenticatedAt: LATER, acr: 'phr' } as const;

      it('replaces the authentication of every active session of the login on every host, and nothing else', async () => {
        await sessions().create(session('app', { loginId: 'L1' }));
        await sessions().create(session('wiki', { loginId: 'L1', host: 'wiki.example.com' }));
        await sessions().create(session('gone', { loginId: 'L1', host: 'old.example.com' }));
        await sessions().create(session('expired', { loginId: 'L1', host: 'x.example.com', expiresAt: '2025-03-01T10:30:00.000Z' }));
        await sessions().create(session('other', { loginId: 'L2' }));
        await sessions().revoke(hex('gone'), T0);

        expect(await sessions().updateLoginAuthn('L1', passkey, LATER)).toEqual([hex('app'), hex('wiki')].sort());
        expect((await sessions().get(hex('app')))?.authn).toEqual(passkey);
        expect((await sessions().get(hex('wiki')))?.authn).toEqual(passkey);
        // A revoked or expired session is left as it ended: strengthening never revives one.
        for (const label of ['gone', 'expired', 'other']) expect((await sessions().get(hex(label)))?.authn).toEqual(session(label).authn);
        expect(await sessions().updateLoginAuthn('no-such-login', passkey, LATER)).toEqual([]);
      });

      it('keeps everything but the authentication, and round-trips an authentication without optional fields', async () => {
        await sessions().create({ ...full, loginId: 'L9' });
        const minimal = { methods: ['hwk'], phishingResistant: true };
        expect(await sessions().updateLoginAuthn('L9', minimal, LATER)).toEqual([full.id]);
        const read = await sessions().get(full.id);
        expect(read).toEqual({ ...full, loginId: 'L9', authn: minimal });
        expect(read !== undefined && ('authenticatedAt' in read.authn || 'acr' in read.authn)).toBe(false);
      });

      it('rejects an `at` that is not an ISO 8601 instant, changing nothing', async () => {
        await sessions().create(session('app', { loginId: 'L1' }));
        await expect(sessions().updateLoginAuthn('L1', passkey, 'now')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
        expect((await sessions().get(hex('app')))?.authn).toEqual(session('app').authn);
      });
    });

    describe('revokeByIdp (back-channel logout)', () => {
      async function seed(): Promise<void> {
        const withSid = (label: string, user: string, sid: string | undefined, providerId = 'corp'): SessionRecord => {
          const base = session(label, {}, user);
          const identity = { ...base.identity, providerId, ...(sid === undefined ? {} : { idpSessionId: sid }) };
          return { ...base, identity };
        };
        await sessions().create(withSid('alice-1', 'alice', 'sid-1'));
        await sessions().create(withSid('alice-2', 'alice', 'sid-2'));
        await sessions().create(withSid('alice-nosid', 'alice', undefined));
        await sessions().create(withSid('bob-1', 'bob', 'sid-1'));
        await sessions().create(withSid('alice-partner', 'alice', 'sid-1', 'partner'));
      }

      it('lists active sessions by IdP user or by email (any case), skipping revoked ones', async () => {
        await seed();
        const withEmail = { ...session('carol-1', {}, 'carol'), identity: { ...session('carol-1', {}, 'carol').identity, email: 'Carol@Example.com' } };
        await sessions().create(withEmail);
        expect((await sessions().listActiveByIdentity(LATER, { providerId: 'corp', idpSubject: 'sub-alice' })).map((s) => s.id).sort()).toEqual([hex('alice-1'), hex('alice-2'), hex('alice-nosid')].sort());
        expect((await sessions().listActiveByIdentity(LATER, { providerId: 'partner', idpSubject: 'sub-alice' })).map((s) => s.id)).toEqual([hex('alice-partner')]);
        expect((await sessions().listActiveByIdentity(LATER, { email: 'carol@example.COM' })).map((s) => s.id)).toEqual([hex('carol-1')]);
        expect(await sessions().listActiveByIdentity(LATER, { email: 'nobody@example.com' })).toEqual([]);
        await sessions().revoke(hex('alice-1'), LATER);
        expect((await sessions().listActiveByIdentity(LATER, { providerId: 'corp', idpSubject: 'sub-alice' })).map((s) => s.id).sort()).toEqual([hex('alice-2'), hex('alice-nosid')].sort());
      });

      it('by subject only: every session of that user at that provider', async () => {
        await seed();
        expect(await sessions().revokeByIdp('corp', { idpSubject: 'sub-alice' }, LATER)).toEqual([hex('alice-1'), hex('alice-2'), hex('alice-nosid')].sort());
        expect((await sessions().get(hex('bob-1')))?.revokedAt).toBeUndefined();
        expect((await sessions().get(hex('alice-partner')))?.revokedAt).toBeUndefined();
      });

      it('by session id only: the sessions carrying that sid at that provider', async () => {
        await seed();
        expect(await sessions().revokeByIdp('corp', { idpSessionId: 'sid-1' }, LATER)).toEqual([hex('alice-1'), hex('bob-1')].sort());
        expect((await sessions().get(hex('alice-2')))?.revokedAt).toBeUndefined();
        expect((await sessions().get(hex('alice-nosid')))?.revokedAt).toBeUndefined();
        expect((await sessions().get(hex('alice-partner')))?.revokedAt).toBeUndefined();
      });

      it('by both: only sessions matching subject and session id', async () => {
        await seed();
        expect(await sessions().revokeByIdp('corp', { idpSubject: 'sub-alice', idpSessionId: 'sid-1' }, LATER)).toEqual([hex('alice-1')]);
        expect(await sessions().revokeByIdp('corp', { idpSubject: 'sub-bob', idpSessionId: 'sid-2' }, LATER)).toEqual([]);
        expect((await sessions().listActive(LATER)).map((s) => s.id).sort()).toEqual([hex('alice-2'), hex('alice-nosid'), hex('bob-1'), hex('alice-partner')].sort());
      });

      it('skips sessions already revoked (keeping their time) or expired, and refuses an empty match', async () => {
        await seed();
        await sessions().revoke(hex('alice-1'), T0);
        await sessions().create({ ...session('alice-old', { expiresAt: '2025-03-01T10:30:00.000Z' }), identity: { ...session('x').identity, idpSessionId: 'sid-1' } });
        expect(await sessions().revokeByIdp('corp', { idpSessionId: 'sid-1' }, LATER)).toEqual([hex('bob-1')]);
        expect((await sessions().get(hex('alice-1')))?.revokedAt).toBe(T0);
        await expect(sessions().revokeByIdp('corp', {}, LATER)).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
        expect((await sessions().get(hex('alice-2')))?.revokedAt).toBeUndefined();
      });
    });

    it('lists active sessions newest first, optionally for one subject', async () => {
      await sessions().create(session('first', { createdAt: '2025-03-01T09:00:00.000Z' }));
      // 11:30+02:00 is 09:30Z: between the others, whatever its text says.
      await sessions().create(session('second', { createdAt: '2025-03-01T11:30:00.000+02:00' }, 'bob'));
      await sessions().create(session('third', { createdAt: T0 }));
      await sessions().create(session('revoked'));
      await sessions().revoke(hex('revoked'), T0);
      await sessions().create(session('expired', { expiresAt: '2025-03-01T10:30:00.000Z' }));
      await sessions().create(session('expires-at-now', { expiresAt: LATER }));

      expect((await sessions().listActive(LATER)).map((s) => s.id)).toEqual([hex('third'), hex('second'), hex('first')]);
      expect((await sessions().listActive(LATER, 'User::"alice@example.com"')).map((s) => s.id)).toEqual([hex('third'), hex('first')]);
      expect(await sessions().listActive(LATER, 'User::"nobody"')).toEqual([]);
      expect((await sessions().listActive(T0)).map((s) => s.id)).toContain(hex('expires-at-now'));
    });

    it('purges sessions that expired or were revoked before the cut-off, with their hand-offs', async () => {
      await sessions().create(session('active'));
      await sessions().create(session('expired', { expiresAt: '2025-03-01T10:30:00.000Z' }));
      await sessions().create(session('revoked-early'));
      await sessions().create(session('revoked-late'));
      await sessions().revoke(hex('revoked-early'), '2025-03-01T10:15:00.000Z');
      await sessions().revoke(hex('revoked-late'), '2025-03-01T12:00:00.000Z');
      await sessions().putHandoff(handoff('of-expired', hex('expired'), { expiresAt: END }));
      await sessions().putHandoff(handoff('of-active', hex('active'), { expiresAt: END }));

      expect(await sessions().purge(LATER)).toBe(2);
      expect(await sessions().get(hex('expired'))).toBeUndefined();
      expect(await sessions().get(hex('revoked-early'))).toBeUndefined();
      expect(await sessions().get(hex('active'))).toBeDefined();
      expect((await sessions().get(hex('revoked-late')))?.revokedAt).toBeDefined();
      expect(await sessions().takeHandoff(hex('code-of-expired'), T0)).toBeUndefined();
      expect(await sessions().takeHandoff(hex('code-of-active'), T0)).toBeDefined();
      expect(await sessions().purge(LATER)).toBe(0);
    });

    it('purges abandoned login states and hand-offs that expired before the cut-off', async () => {
      await sessions().create(session('a'));
      await sessions().putLoginState(loginState('old'));
      await sessions().putLoginState(loginState('fresh', { expiresAt: END }));
      await sessions().putHandoff(handoff('old', hex('a')));
      await sessions().purge(LATER);
      // Read with an early `at`, so only a deleted row explains an undefined result.
      expect(await sessions().takeLoginState(hex('state-old'), T0)).toBeUndefined();
      expect(await sessions().takeLoginState(hex('state-fresh'), T0)).toBeDefined();
      expect(await sessions().takeHandoff(hex('code-old'), T0)).toBeUndefined();
    });
  });

  describe('login states', () => {
    const store = useFreshStore(open);
    const sessions = () => store().sessions;

    it('returns a login state once (single use), with and without step-up', async () => {
      const plain = loginState('plain');
      const stepUp = loginState('step-up', { stepUp: { maxAgeSeconds: 300, phishingResistant: true } });
      await sessions().putLoginState(plain);
      await sessions().putLoginState(stepUp);
      const read = await sessions().takeLoginState(plain.id, T0);
      expect(read).toEqual(plain);
      expect(read !== undefined && 'stepUp' in read).toBe(false);
      expect(await sessions().takeLoginState(plain.id, T0)).toBeUndefined();
      expect(await sessions().takeLoginState(stepUp.id, T0)).toEqual(stepUp);
      expect(await sessions().takeLoginState(hex('unknown'), T0)).toBeUndefined();
    });

    it('gives exactly one of two concurrent takers the state', async () => {
      await sessions().putLoginState(loginState('race'));
      const results = await Promise.all([sessions().takeLoginState(hex('state-race'), T0), sessions().takeLoginState(hex('state-race'), T0)]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('refuses an expired state, and consumes it all the same', async () => {
      await sessions().putLoginState(loginState('late'));
      expect(await sessions().takeLoginState(hex('state-late'), '2025-03-01T10:10:00.000Z')).toBeUndefined();
      expect(await sessions().takeLoginState(hex('state-late'), T0)).toBeUndefined();
    });

    it('refuses a second state with the same id and keeps the first', async () => {
      await sessions().putLoginState(loginState('dup'));
      await expect(sessions().putLoginState({ ...loginState('dup'), returnTo: 'https://evil.example/' })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      expect((await sessions().takeLoginState(hex('state-dup'), T0))?.returnTo).toBe('https://app.example.com/reports?q=1');
    });
  });

  describe('hand-offs', () => {
    const store = useFreshStore(open);
    const sessions = () => store().sessions;

    it('returns a hand-off once (single use)', async () => {
      await sessions().create(session('src'));
      const h = handoff('one', hex('src'));
      await sessions().putHandoff(h);
      expect(await sessions().takeHandoff(h.id, T0)).toEqual(h);
      expect(await sessions().takeHandoff(h.id, T0)).toBeUndefined();
      expect(await sessions().takeHandoff(hex('unknown'), T0)).toBeUndefined();
    });

    it('gives exactly one of two concurrent takers the hand-off', async () => {
      await sessions().create(session('src'));
      await sessions().putHandoff(handoff('race', hex('src')));
      const results = await Promise.all([sessions().takeHandoff(hex('code-race'), T0), sessions().takeHandoff(hex('code-race'), T0)]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('refuses an expired hand-off, and consumes it all the same', async () => {
      await sessions().create(session('src'));
      await sessions().putHandoff(handoff('late', hex('src')));
      expect(await sessions().takeHandoff(hex('code-late'), '2025-03-01T10:01:00.000Z')).toBeUndefined();
      expect(await sessions().takeHandoff(hex('code-late'), T0)).toBeUndefined();
    });

    it('refuses a duplicate code and a hand-off of an unknown session', async () => {
      await sessions().create(session('src'));
      await sessions().putHandoff(handoff('dup', hex('src')));
      await expect(sessions().putHandoff(handoff('dup', hex('src'), { host: 'evil.example.com' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      await expect(sessions().putHandoff(handoff('orphan', hex('ghost')))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect((await sessions().takeHandoff(hex('code-dup'), T0))?.host).toBe('wiki.example.com:8443');
      expect(await sessions().takeHandoff(hex('code-orphan'), T0)).toBeUndefined();
    });
  });
}
