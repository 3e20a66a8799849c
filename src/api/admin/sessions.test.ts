// Admin session revocation over the real API server (in-memory test store, real Sessions writing
// it): list active sessions without secrets or ID tokens; revoke by session, by user (every active
// session of the principal) and by device (through device identity; 409 without it); every session
// revocation is published as a `sessions` SignalChange before the answer; malformed requests are
// refused with the problem named.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalChange } from '../../continuous/signal-change.js';
import { Sessions } from '../../sessions/sessions.js';
import { sha256Hex } from '../auth-token.js';
import type { ApiDeps, DeviceAdministration } from '../deps.js';
import { buildApiServer } from '../server.js';
import { FakeDecisionPoint } from '../testing/fake-decision-point.js';
import { fakeImporters } from '../testing/fake-importers.js';
import { memoryStore, type MemoryStore } from '../testing/memory-store.js';

const ADMIN_TOKEN = 'admin-token-0123456789';

let store: MemoryStore;
let sessions: Sessions;
let published: SignalChange[];
let statusChanges: { deviceId: string; status: string }[];
let apps: Awaited<ReturnType<typeof buildApiServer>>[];

async function api(options: { devices?: boolean } = {}) {
  const devices = {
    setStatus: async (deviceId: string, status: string) => {
      statusChanges.push({ deviceId, status });
    },
  } as unknown as DeviceAdministration;
  const deps: ApiDeps = {
    decisionPoint: new FakeDecisionPoint(),
    store,
    auth: { mode: 'token', staticTokens: [{ name: 'ops', sha256: sha256Hex(ADMIN_TOKEN), scopes: ['admin'] }] },
    limits: { bodyBytes: 64 * 1024, maxEvaluations: 10 },
    logger: pino({ level: 'silent' }),
    importers: fakeImporters,
    policies: { policyIds: () => [] },
    publicBaseUrl: 'https://pdp.example.com/',
    metricsRegistry: new Registry(),
    signalChanges: {
      publish: async (change) => {
        // Resolves a turn later, as a verifier re-checking connections would: the answer must wait.
        await new Promise((resolve) => setImmediate(resolve));
        published.push(change);
      },
    },
    ...(options.devices === false ? {} : { devices }),
  };
  const app = await buildApiServer(deps);
  apps.push(app);
  return (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.inject({ method, url: `/admin/v1${url}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
}

async function login(user: string, host = 'app.test'): Promise<string> {
  const { record } = await sessions.start({
    identity: { providerId: 'dev', idpSubject: user, subject: { type: 'User', id: user }, parents: [], attributes: {}, groups: ['staff'], email: `${user}@example.com` },
    authn: { methods: ['pwd'], phishingResistant: false, authenticatedAt: new Date().toISOString() },
    host,
    idToken: 'eyJ.secret-id-token.sig',
  });
  return record.id;
}

beforeEach(() => {
  store = memoryStore();
  sessions = new Sessions(store.sessions, { cookieName: '__Host-tenet_session', idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 7200 });
  published = [];
  statusChanges = [];
  apps = [];
});

afterEach(async () => {
  for (const app of apps) await app.close();
});

describe('admin sessions API', () => {
  it('lists active sessions, optionally one principal\'s, never with the ID token', async () => {
    const call = await api();
    const aliceA = await login('alice');
    const aliceB = await login('alice', 'other.test');
    await login('bob');
    const all = await call('GET', '/sessions');
    expect(all.statusCode).toBe(200);
    expect(all.json().count).toBe(3);
    expect(all.body).not.toContain('secret-id-token');
    const alice = await call('GET', `/sessions?subject=${encodeURIComponent('User::"alice"')}`);
    expect(alice.json().sessions.map((session: { id: string }) => session.id).sort()).toEqual([aliceA, aliceB].sort());
    expect(alice.json().sessions[0]).toMatchObject({ subject: 'User::"alice"', provider: 'dev', email: 'alice@example.com', groups: ['staff'] });
    const bad = await call('GET', '/sessions?subject=alice');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('TENET_ERR_REQUEST_INVALID_QUERY');
  });

  it('revokes one session and publishes it before answering; an unknown one is 404, a revoked one revokes nothing', async () => {
    const call = await api();
    const id = await login('alice');
    const other = await login('alice', 'other.test');
    const answer = await call('POST', '/sessions/revoke', { session: id });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ revoked: [id], count: 1 });
    expect(published).toEqual([{ kind: 'sessions', sessionIds: [id], reason: 'revoked by an administrator' }]);
    expect((await store.sessions.get(id))?.revokedAt).toBeDefined();
    expect((await store.sessions.get(other))?.revokedAt).toBeUndefined();

    expect((await call('POST', '/sessions/revoke', { session: id })).json()).toEqual({ revoked: [], count: 0 });
    expect(published).toHaveLength(1);
    const unknown = await call('POST', '/sessions/revoke', { session: 'f'.repeat(64) });
    expect(unknown.statusCode).toBe(404);
  });

  it('revokes every active session of a user, on every host, and no one else\'s', async () => {
    const call = await api();
    const ids = [await login('alice'), await login('alice', 'other.test')];
    const bob = await login('bob');
    const answer = await call('POST', '/sessions/revoke', { user: 'User::"alice"' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().revoked.sort()).toEqual([...ids].sort());
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ kind: 'sessions' });
    expect((await call('GET', '/sessions')).json().sessions.map((session: { id: string }) => session.id)).toEqual([bob]);
  });

  it('revokes a device through device identity, and says why it cannot without it', async () => {
    const call = await api();
    const answer = await call('POST', '/sessions/revoke', { device: 'laptop-7' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ device: 'laptop-7', status: 'revoked' });
    expect(statusChanges).toEqual([{ deviceId: 'laptop-7', status: 'revoked' }]);

    const without = await api({ devices: false });
    const refused = await without('POST', '/sessions/revoke', { device: 'laptop-7' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('devices.pki');
  });

  it('refuses a body naming zero or several targets, or a malformed one', async () => {
    const call = await api();
    for (const body of [{}, { session: 'a'.repeat(64), user: 'User::"alice"' }, { session: 'not-hex' }, { user: 'alice' }, { everyone: true }]) {
      const answer = await call('POST', '/sessions/revoke', body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(answer.json().error.code).toBe('TENET_ERR_REQUEST_INVALID');
    }
    expect(published).toEqual([]);
  });
});
