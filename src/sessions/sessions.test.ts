// Sessions over a real SQLite store (and over the API tests' in-memory store, which the login
// endpoint tests use), with an injected clock: rotation, idle and absolute expiry, host binding,
// revocation and its listeners, hand-offs, and the cookie header as an attacker would write it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../api/testing/memory-store.js';
import type { Authentication } from '../engine/tuple.js';
import type { SessionStore, Store } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SessionIdentity } from './session.js';
import { MAX_COOKIE_HEADER_LENGTH, Sessions, normalizeHost, randomSecret, sameDigest, sha256Hex, type SessionSettings } from './sessions.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const settings: SessionSettings = { cookieName: '__Host-tenet_session', idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 12 * 3600 };
const APP = 'app.example.com';
const WIKI = 'wiki.example.com:8443';

const alice: SessionIdentity = {
  providerId: 'corp',
  idpSubject: 'sub-alice',
  idpSessionId: 'sid-1',
  subject: { type: 'User', id: 'alice@example.com' },
  parents: [{ type: 'Group', id: 'eng' }],
  attributes: { department: 'eng' },
  email: 'alice@example.com',
  groups: ['eng'],
};
const bob: SessionIdentity = { ...alice, idpSubject: 'sub-bob', idpSessionId: 'sid-2', subject: { type: 'User', id: 'bob@example.com' }, email: 'bob@example.com' };
const authn: Authentication = { methods: ['hwk'], phishingResistant: true, authenticatedAt: '2025-03-01T10:00:00.000Z' };

const stores: readonly (readonly [string, () => Promise<Store>])[] = [
  ['sqlite', () => openSqliteStore({ path: ':memory:' })],
  ['in-memory test store', async () => memoryStore()],
];

describe.each(stores)('Sessions over the %s', (_name, openStore) => {
  let store: Store;
  let now: number;
  let sessions: Sessions;
  const advance = (seconds: number): void => {
    now += seconds * 1000;
  };

  beforeEach(async () => {
    store = await openStore();
    now = T0;
    sessions = new Sessions(store.sessions, settings, () => new Date(now));
  });
  afterEach(async () => {
    await store.close();
  });

  describe('start', () => {
    it('creates a session keyed by the SHA-256 of a fresh 256-bit secret, bound to the lower-cased host', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn, host: 'App.Example.COM', idToken: 'id.token.sig' });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
      expect(record.id).toBe(sha256Hex(secret));
      expect(record).toMatchObject({ host: APP, identity: alice, authn, idToken: 'id.token.sig', createdAt: '2025-03-01T10:00:00.000Z', lastSeenAt: '2025-03-01T10:00:00.000Z', expiresAt: '2025-03-01T22:00:00.000Z' });
      const stored = await store.sessions.get(record.id);
      expect(stored).toEqual(record);
      // The secret itself is stored nowhere.
      expect(JSON.stringify(stored)).not.toContain(secret);
    });

    it('rotates: every login gets a new secret and, unless given, a new login id', async () => {
      const first = await sessions.start({ identity: alice, authn, host: APP });
      const second = await sessions.start({ identity: alice, authn, host: APP });
      expect(second.secret).not.toBe(first.secret);
      expect(second.record.id).not.toBe(first.record.id);
      expect(second.record.loginId).not.toBe(first.record.loginId);
      const third = await sessions.start({ identity: alice, authn, host: WIKI, loginId: first.record.loginId });
      expect(third.record.loginId).toBe(first.record.loginId);
    });

    it('refuses a host that is not a host name with an optional port', async () => {
      for (const host of ['', 'evil.example.com/path', 'a b', 'app.example.com@evil', 'app.example.com\r\nX: y', 'x'.repeat(300)]) {
        await expect(sessions.start({ identity: alice, authn, host })).rejects.toMatchObject({ code: 'TENET_ERR_REQUEST_INVALID_HOST' });
      }
      expect(await store.sessions.listActive('2025-03-01T10:00:00.000Z')).toEqual([]);
    });
  });

  describe('resume', () => {
    it('returns the session on its host, compared case-insensitively', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn, host: APP });
      expect(await sessions.resume(secret, APP)).toEqual(record);
      expect(await sessions.resume(secret, 'APP.example.com')).toEqual(record);
    });

    it('refuses the cookie on another host, even a sibling or another port', async () => {
      const { secret } = await sessions.start({ identity: alice, authn, host: APP });
      for (const host of ['wiki.example.com', 'app.example.com:8443', 'evil.app.example.com', 'example.com', 'app.example.com.', 'not a host']) {
        expect(await sessions.resume(secret, host)).toBeUndefined();
      }
    });

    it('refuses unknown and malformed secrets', async () => {
      const { secret } = await sessions.start({ identity: alice, authn, host: APP });
      expect(await sessions.resume(randomSecret(), APP)).toBeUndefined();
      expect(await sessions.resume(`${secret}A`, APP)).toBeUndefined();
      expect(await sessions.resume(secret.slice(1), APP)).toBeUndefined();
      expect(await sessions.resume('', APP)).toBeUndefined();
      // The store key is not a cookie: presenting the hash must not work.
      expect(await sessions.resume(sha256Hex(secret), APP)).toBeUndefined();
    });

    it('expires a session left idle for the idle timeout', async () => {
      const { secret } = await sessions.start({ identity: alice, authn, host: APP });
      advance(3599);
      expect(await sessions.resume(secret, APP)).toBeDefined();
      // That use restarted the idle window.
      advance(3599);
      expect(await sessions.resume(secret, APP)).toBeDefined();
      advance(3600);
      expect(await sessions.resume(secret, APP)).toBeUndefined();
    });

    it('keeps a session in use alive when the idle timeout is shorter than the touch interval', async () => {
      const short = new Sessions(store.sessions, { ...settings, idleTimeoutSeconds: 2 }, () => new Date(now));
      const { secret } = await short.start({ identity: alice, authn, host: APP });
      for (let use = 0; use < 6; use += 1) {
        advance(1.5);
        expect(await short.resume(secret, APP), `use ${use}`).toBeDefined();
      }
      advance(2);
      expect(await short.resume(secret, APP)).toBeUndefined();
    });

    it('reuses a record for a second: revocations through Sessions apply at once, ones made elsewhere within that second', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn, host: APP });
      expect(await sessions.resume(secret, APP)).toBeDefined();
      // Another process revokes it in the store: this one may still serve it, for at most RECORD_REUSE_MS.
      await store.sessions.revoke(record.id, new Date(now).toISOString());
      expect(await sessions.resume(secret, APP)).toBeDefined();
      advance(1);
      expect(await sessions.resume(secret, APP)).toBeUndefined();

      const other = await sessions.start({ identity: alice, authn, host: APP });
      expect(await sessions.resume(other.secret, APP)).toBeDefined();
      await sessions.revoke(other.record.id);
      expect(await sessions.resume(other.secret, APP)).toBeUndefined();
    });

    it('writes lastSeenAt at most once every 10 seconds', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn, host: APP });
      advance(9);
      expect((await sessions.resume(secret, APP))?.lastSeenAt).toBe(record.createdAt);
      expect((await store.sessions.get(record.id))?.lastSeenAt).toBe(record.createdAt);
      advance(1);
      expect((await sessions.resume(secret, APP))?.lastSeenAt).toBe('2025-03-01T10:00:10.000Z');
      expect((await store.sessions.get(record.id))?.lastSeenAt).toBe('2025-03-01T10:00:10.000Z');
    });

    it('expires a session at its absolute timeout however active it is', async () => {
      const { secret } = await sessions.start({ identity: alice, authn, host: APP });
      for (let minutes = 30; minutes < 12 * 60; minutes += 30) {
        advance(30 * 60);
        expect(await sessions.resume(secret, APP)).toBeDefined();
      }
      advance(30 * 60 - 1);
      expect(await sessions.resume(secret, APP)).toBeDefined();
      advance(1);
      expect(await sessions.resume(secret, APP)).toBeUndefined();
    });

    it('refuses a revoked session', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn, host: APP });
      expect(await sessions.revoke(record.id)).toBe(true);
      expect(await sessions.resume(secret, APP)).toBeUndefined();
      expect(await sessions.revoke(record.id)).toBe(false);
      expect(await sessions.revoke(sha256Hex('unknown'))).toBe(false);
    });
  });

  describe('ending sessions', () => {
    it('endLogin ends every host\'s session of the login, and only those', async () => {
      const app = await sessions.start({ identity: alice, authn, host: APP });
      const code = await sessions.issueHandoff(app.record, WIKI, `https://${WIKI}/`);
      const wiki = await sessions.redeemHandoff(code, WIKI);
      if (wiki === undefined) throw new Error('hand-off failed');
      const otherLogin = await sessions.start({ identity: alice, authn, host: APP });
      const heard: string[][] = [];
      sessions.onRevoked((ids) => heard.push([...ids]));

      const ended = await sessions.endLogin(wiki.record.id);
      expect(ended).toEqual([app.record.id, wiki.record.id].sort());
      expect(heard).toEqual([ended]);
      expect(await sessions.resume(app.secret, APP)).toBeUndefined();
      expect(await sessions.resume(wiki.secret, WIKI)).toBeUndefined();
      expect(await sessions.resume(otherLogin.secret, APP)).toBeDefined();
      expect(await sessions.endLogin(app.record.id)).toEqual([]);
      expect(await sessions.endLogin(sha256Hex('unknown'))).toEqual([]);
      expect(heard).toHaveLength(1);
    });

    it('endByIdp revokes by sub, by sid, and by both', async () => {
      const a1 = await sessions.start({ identity: alice, authn, host: APP });
      const a2 = await sessions.start({ identity: { ...alice, idpSessionId: 'sid-9' }, authn, host: APP });
      const b = await sessions.start({ identity: bob, authn, host: APP });
      expect(await sessions.endByIdp('corp', { idpSubject: 'sub-alice', idpSessionId: 'sid-2' })).toEqual([]);
      expect(await sessions.endByIdp('other-provider', { idpSubject: 'sub-alice' })).toEqual([]);
      expect(await sessions.endByIdp('corp', { idpSessionId: 'sid-9' })).toEqual([a2.record.id]);
      expect(await sessions.endByIdp('corp', { idpSubject: 'sub-alice' })).toEqual([a1.record.id]);
      expect(await sessions.resume(b.secret, APP)).toBeDefined();
      await expect(sessions.endByIdp('corp', {})).rejects.toMatchObject({ code: 'TENET_ERR_REQUEST_INVALID_LOGOUT' });
      expect(await sessions.resume(b.secret, APP)).toBeDefined();
    });

    it('tells every revocation listener, until it unsubscribes', async () => {
      const first = await sessions.start({ identity: alice, authn, host: APP });
      const second = await sessions.start({ identity: bob, authn, host: APP });
      const heard: string[] = [];
      const unsubscribe = sessions.onRevoked((ids) => heard.push(...ids));
      await sessions.revoke(first.record.id);
      expect(heard).toEqual([first.record.id]);
      unsubscribe();
      await sessions.revoke(second.record.id);
      expect(heard).toEqual([first.record.id]);
    });

    it('calls every listener when one throws, then reports the failure; the revocation stands', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn, host: APP });
      const heard: string[] = [];
      sessions.onRevoked(() => {
        throw new Error('cache broken');
      });
      sessions.onRevoked((ids) => heard.push(...ids));
      await expect(sessions.revoke(record.id)).rejects.toMatchObject({ code: 'TENET_ERR_INTERNAL_REVOCATION_LISTENER' });
      expect(heard).toEqual([record.id]);
      expect(await sessions.resume(secret, APP)).toBeUndefined();
    });
  });

  describe('strengthening a login (passkey step-up)', () => {
    const weak: Authentication = { methods: ['pwd'], phishingResistant: false, authenticatedAt: '2025-03-01T10:00:00.000Z', acr: 'pwd' };
    const strong: Authentication = { methods: ['hwk', 'mfa'], phishingResistant: true, authenticatedAt: '2025-03-01T10:05:00.000Z', acr: 'pwd' };

    it('changes every live session of the login on every host at once (the reused record is dropped), tells listeners, and leaves other logins alone', async () => {
      const app = await sessions.start({ identity: alice, authn: weak, host: APP });
      const wiki = await sessions.redeemHandoff(await sessions.issueHandoff(app.record, WIKI, `https://${WIKI}/`), WIKI);
      if (wiki === undefined) throw new Error('hand-off failed');
      const other = await sessions.start({ identity: alice, authn: weak, host: APP });
      // Read once, so the record is reused for the next second: strengthening must not wait for that.
      expect((await sessions.resume(app.secret, APP))?.authn).toEqual(weak);
      const heard: string[][] = [];
      sessions.onAuthnChanged((ids) => heard.push([...ids]));

      const changed = await sessions.strengthenLogin(app.record.loginId, strong);
      expect(changed).toEqual([app.record.id, wiki.record.id].sort());
      expect(heard).toEqual([changed]);
      expect((await sessions.resume(app.secret, APP))?.authn).toEqual(strong);
      expect((await sessions.resume(wiki.secret, WIKI))?.authn).toEqual(strong);
      expect((await sessions.resume(other.secret, APP))?.authn).toEqual(weak);
    });

    it('does not revive an ended login, and tells nobody when nothing changed', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn: weak, host: APP });
      await sessions.endLogin(record.id);
      const heard: string[] = [];
      const unsubscribe = sessions.onAuthnChanged((ids) => heard.push(...ids));
      expect(await sessions.strengthenLogin(record.loginId, strong)).toEqual([]);
      expect(await sessions.resume(secret, APP)).toBeUndefined();
      expect(heard).toEqual([]);
      unsubscribe();
      const next = await sessions.start({ identity: alice, authn: weak, host: APP });
      expect(await sessions.strengthenLogin(next.record.loginId, strong)).toEqual([next.record.id]);
      expect(heard).toEqual([]);
    });

    it('calls every listener when one throws, then reports the failure; the change stands', async () => {
      const { secret, record } = await sessions.start({ identity: alice, authn: weak, host: APP });
      const heard: string[] = [];
      sessions.onAuthnChanged(() => {
        throw new Error('cache broken');
      });
      sessions.onAuthnChanged((ids) => heard.push(...ids));
      await expect(sessions.strengthenLogin(record.loginId, strong)).rejects.toMatchObject({ code: 'TENET_ERR_INTERNAL_AUTHN_LISTENER' });
      expect(heard).toEqual([record.id]);
      expect((await sessions.resume(secret, APP))?.authn).toEqual(strong);
    });
  });

  describe('hand-off', () => {
    it('moves the login to a new session on the target host', async () => {
      const source = await sessions.start({ identity: alice, authn, host: APP, idToken: 'id.token.sig' });
      advance(120);
      const code = await sessions.issueHandoff(source.record, 'WIKI.example.com:8443', `https://${WIKI}/page`);
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      advance(59);
      const moved = await sessions.redeemHandoff(code, WIKI);
      expect(moved?.returnTo).toBe(`https://${WIKI}/page`);
      expect(moved?.secret).not.toBe(source.secret);
      expect(moved?.record).toMatchObject({
        id: sha256Hex(moved?.secret ?? ''),
        loginId: source.record.loginId,
        host: WIKI,
        identity: alice,
        authn,
        idToken: 'id.token.sig',
        createdAt: '2025-03-01T10:02:59.000Z',
        expiresAt: source.record.expiresAt,
      });
      expect(await sessions.resume(moved?.secret ?? '', WIKI)).toBeDefined();
      expect(await sessions.resume(moved?.secret ?? '', APP)).toBeUndefined();
      expect(await sessions.resume(source.secret, APP)).toBeDefined();
    });

    it('is single use', async () => {
      const source = await sessions.start({ identity: alice, authn, host: APP });
      const code = await sessions.issueHandoff(source.record, WIKI, '/');
      expect(await sessions.redeemHandoff(code, WIKI)).toBeDefined();
      expect(await sessions.redeemHandoff(code, WIKI)).toBeUndefined();
    });

    it('is bound to its host, and a try on another host burns it', async () => {
      const source = await sessions.start({ identity: alice, authn, host: APP });
      const code = await sessions.issueHandoff(source.record, WIKI, '/');
      expect(await sessions.redeemHandoff(code, 'evil.example.com')).toBeUndefined();
      expect(await sessions.redeemHandoff(code, WIKI)).toBeUndefined();
    });

    it('expires after 60 seconds', async () => {
      const source = await sessions.start({ identity: alice, authn, host: APP });
      const code = await sessions.issueHandoff(source.record, WIKI, '/');
      advance(60);
      expect(await sessions.redeemHandoff(code, WIKI)).toBeUndefined();
    });

    it('fails when the source session was revoked or went idle', async () => {
      const revoked = await sessions.start({ identity: alice, authn, host: APP });
      const code = await sessions.issueHandoff(revoked.record, WIKI, '/');
      await sessions.revoke(revoked.record.id);
      expect(await sessions.redeemHandoff(code, WIKI)).toBeUndefined();

      const idle = await sessions.start({ identity: alice, authn, host: APP });
      advance(3590);
      const late = await sessions.issueHandoff(idle.record, WIKI, '/');
      advance(10);
      expect(await sessions.redeemHandoff(late, WIKI)).toBeUndefined();
      expect(await store.sessions.listActive(new Date(now).toISOString())).toHaveLength(1);
    });

    it('refuses malformed and unknown codes', async () => {
      expect(await sessions.redeemHandoff('', WIKI)).toBeUndefined();
      expect(await sessions.redeemHandoff('not a code', WIKI)).toBeUndefined();
      expect(await sessions.redeemHandoff(randomSecret(), WIKI)).toBeUndefined();
    });
  });
});

/** The port's methods bound to `store`, as a plain object whose methods can be replaced. */
function bound(store: SessionStore): SessionStore {
  return {
    create: (record) => store.create(record),
    get: (id) => store.get(id),
    touch: (id, at) => store.touch(id, at),
    revoke: (id, at) => store.revoke(id, at),
    updateLoginAuthn: (loginId, authn, at) => store.updateLoginAuthn(loginId, authn, at),
    revokeLogin: (loginId, at) => store.revokeLogin(loginId, at),
    revokeByIdp: (providerId, match, at) => store.revokeByIdp(providerId, match, at),
    listActive: (at, subject) => store.listActive(at, subject),
    listActiveByIdentity: (at, match) => store.listActiveByIdentity(at, match),
    purge: (before) => store.purge(before),
    putLoginState: (state) => store.putLoginState(state),
    takeLoginState: (id, at) => store.takeLoginState(id, at),
    putHandoff: (handoff) => store.putHandoff(handoff),
    takeHandoff: (id, at) => store.takeHandoff(id, at),
  };
}

describe('Sessions: a logout racing a hand-off', () => {
  it('revokes the copy when the login was ended between reading the source and creating the copy', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // The store is real; only the timing of the concurrent logout is arranged, by running it just
      // before the copy is written (after the source was read as valid).
      const race: { loginToEnd?: string } = {};
      const create: SessionStore['create'] = async (record) => {
        if (race.loginToEnd !== undefined) await store.sessions.revokeLogin(race.loginToEnd, '2025-03-01T10:00:00.000Z');
        return store.sessions.create(record);
      };
      const racing: SessionStore = { ...bound(store.sessions), create };
      const sessions = new Sessions(racing, settings, () => new Date(T0));
      const source = await sessions.start({ identity: alice, authn, host: APP });
      const code = await sessions.issueHandoff(source.record, WIKI, '/');
      race.loginToEnd = source.record.loginId;
      expect(await sessions.redeemHandoff(code, WIKI)).toBeUndefined();
      expect(await store.sessions.listActive('2025-03-01T10:00:00.000Z')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('Sessions: store failures', () => {
  it('rejects (fail closed) instead of answering "no session" when the store is unavailable', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const sessions = new Sessions(store.sessions, settings);
    const { secret } = await sessions.start({ identity: alice, authn, host: APP });
    await store.close();
    await expect(sessions.resume(secret, APP)).rejects.toMatchObject({ code: 'TENET_ERR_STORE_UNAVAILABLE' });
  });
});

describe('Sessions: cookies', () => {
  const sessions = new Sessions(memoryStore().sessions, settings, () => new Date(T0));
  const secret = randomSecret();
  const name = settings.cookieName;

  it('reads our cookie among others, ignoring malformed foreign cookies', () => {
    expect(sessions.readCookie(`${name}=${secret}`)).toBe(secret);
    expect(sessions.readCookie(`theme=dark; ${name}=${secret}; _ga=GA1.2.3`)).toBe(secret);
    expect(sessions.readCookie(`garbage; =x; q="a b"; ${name}=${secret};;`)).toBe(secret);
    expect(sessions.readCookie(`  ${name}=${secret}  `)).toBe(secret);
  });

  it('finds nothing when the cookie is absent', () => {
    expect(sessions.readCookie(undefined)).toBeUndefined();
    expect(sessions.readCookie('')).toBeUndefined();
    expect(sessions.readCookie('theme=dark')).toBeUndefined();
    // Names are case-sensitive and matched whole.
    expect(sessions.readCookie(`__host-tenet_session=${secret}`)).toBeUndefined();
    expect(sessions.readCookie(`x${name}=${secret}`)).toBeUndefined();
    expect(sessions.readCookie(`${name}x=${secret}`)).toBeUndefined();
    expect(sessions.readCookie(`tenet_session=${secret}`)).toBeUndefined();
  });

  it('refuses several cookies of our name (cookie tossing), whatever their values', () => {
    const other = randomSecret();
    expect(sessions.readCookie(`${name}=${secret}; ${name}=${other}`)).toBeUndefined();
    expect(sessions.readCookie(`${name}=${secret}; ${name}=${secret}`)).toBeUndefined();
    expect(sessions.readCookie(`${name}=${secret}; ${name}=`)).toBeUndefined();
    expect(sessions.readCookie(`${name}=junk; a=b; ${name}=${secret}`)).toBeUndefined();
  });

  it('refuses values outside base64url or of the wrong length', () => {
    const bad = [
      '',
      secret.slice(1),
      `${secret}A`,
      `${secret.slice(1)}+`,
      `${secret.slice(1)}/`,
      `${secret.slice(1)}=`,
      `"${secret.slice(2)}"`,
      `${secret.slice(1)}é`,
      `${secret.slice(0, 20)} ${secret.slice(21)}`,
      `${secret.slice(1)}\u0000`,
      `${secret}%00`,
      'A'.repeat(4096),
    ];
    for (const value of bad) expect(sessions.readCookie(`${name}=${value}`)).toBeUndefined();
  });

  it('refuses an overlong Cookie header, even with a valid cookie in it', () => {
    const padding = `pad=${'x'.repeat(MAX_COOKIE_HEADER_LENGTH)}`;
    expect(sessions.readCookie(`${name}=${secret}; ${padding}`)).toBeUndefined();
    expect(sessions.readCookie(`${name}=${secret}; pad=${'x'.repeat(MAX_COOKIE_HEADER_LENGTH - 100)}`)).toBe(secret);
  });

  it('sets a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, Max-Age to the absolute expiry', async () => {
    let now = T0;
    const clocked = new Sessions(memoryStore().sessions, settings, () => new Date(now));
    const { secret: fresh, record } = await clocked.start({ identity: alice, authn, host: APP });
    expect(clocked.setCookie(fresh, record)).toBe(`__Host-tenet_session=${fresh}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=43200`);
    now += 3600_500;
    expect(clocked.setCookie(fresh, record)).toMatch(/; Max-Age=39599$/);
    now = Date.parse(record.expiresAt) + 1000;
    expect(clocked.setCookie(fresh, record)).toMatch(/; Max-Age=0$/);
    expect(clocked.setCookie(fresh, record)).not.toMatch(/Domain/i);
  });

  it('refuses to put anything but a session secret into Set-Cookie (header injection)', async () => {
    const { record } = await sessions.start({ identity: alice, authn, host: APP });
    expect(() => sessions.setCookie(`${secret}\r\nSet-Cookie: admin=1`, record)).toThrow(expect.objectContaining({ code: 'TENET_ERR_INTERNAL_INVALID_SESSION_SECRET' }));
    expect(() => sessions.setCookie('x; Domain=example.com', record)).toThrow(expect.objectContaining({ code: 'TENET_ERR_INTERNAL_INVALID_SESSION_SECRET' }));
  });

  it('clears the cookie with the attributes a __Host- cookie needs', () => {
    expect(sessions.clearCookie()).toBe('__Host-tenet_session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0');
  });
});

describe('Sessions: settings and helpers', () => {
  it('refuses an invalid cookie name or timeout', () => {
    const store = memoryStore().sessions;
    for (const bad of [
      { ...settings, cookieName: 'bad name' },
      { ...settings, cookieName: 'a=b' },
      { ...settings, cookieName: '' },
      { ...settings, idleTimeoutSeconds: 0 },
      { ...settings, absoluteTimeoutSeconds: -1 },
      { ...settings, idleTimeoutSeconds: 1.5 },
    ]) {
      expect(() => new Sessions(store, bad)).toThrow(expect.objectContaining({ code: 'TENET_ERR_CONFIG_INVALID_SESSION' }));
    }
  });

  it('makes distinct 256-bit secrets and hex SHA-256 keys', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => randomSecret()));
    expect(secrets.size).toBe(100);
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares digests exactly', () => {
    expect(sameDigest(sha256Hex('a'), sha256Hex('a'))).toBe(true);
    expect(sameDigest(sha256Hex('a'), sha256Hex('b'))).toBe(false);
    expect(sameDigest(sha256Hex('a'), sha256Hex('a').slice(1))).toBe(false);
    expect(sameDigest('', sha256Hex('a'))).toBe(false);
  });

  it('normalizes hosts and refuses what is not one', () => {
    expect(normalizeHost('App.Example.COM:8443')).toBe('app.example.com:8443');
    expect(normalizeHost('[::1]:8080')).toBe('[::1]:8080');
    expect(normalizeHost('127.0.0.1:3000')).toBe('127.0.0.1:3000');
    expect(normalizeHost('my_app:8080')).toBe('my_app:8080');
    for (const bad of ['', 'a/b', 'a b', 'user@host', 'host:', 'host:123456', '-lead.example.com', 'a..b', 'x'.repeat(300)]) expect(normalizeHost(bad)).toBeUndefined();
  });
});
