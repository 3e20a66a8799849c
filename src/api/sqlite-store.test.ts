// The API over the real SQLite store (`:memory:`) and the real signal importers: token
// authentication against stored hashes, an entity import round trip, and a threat-list import.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDevices } from '../signals/devices/index.js';
import { parseEntities } from '../signals/identity/index.js';
import { parseThreatIndicators } from '../signals/threat-intel/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/ports.js';
import type { FastifyInstance } from 'fastify';
import { sha256Hex } from './auth-token.js';
import { buildApiServer } from './server.js';
import { FakeDecisionPoint } from './testing/fake-decision-point.js';

let store: Store;
let app: FastifyInstance;
const decisionPoint = new FakeDecisionPoint();
const auth = { authorization: 'Bearer sqlite-admin-token' };

beforeAll(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  await store.apiTokens.create({ id: 'a1', name: 'ops', tokenHash: sha256Hex('sqlite-admin-token'), scopes: ['admin', 'pdp'], createdAt: '2025-01-01T00:00:00.000Z' });
  await store.apiTokens.create({ id: 'a2', name: 'gone', tokenHash: sha256Hex('sqlite-revoked'), scopes: ['admin'], createdAt: '2025-01-01T00:00:00.000Z' });
  await store.apiTokens.revoke('a2', '2025-02-01T00:00:00.000Z');
  app = await buildApiServer({
    decisionPoint,
    store,
    auth: { mode: 'token', staticTokens: [] },
    limits: { bodyBytes: 1024 * 1024, maxEvaluations: 100 },
    logger: pino({ level: 'silent' }),
    importers: { parseEntities, parseDevices, parseThreatIndicators },
    policies: { policyIds: () => [] },
    publicBaseUrl: 'https://pdp.example.com',
  });
});

afterAll(async () => {
  await app.close();
  await store.close();
});

describe('API over SQLite', () => {
  it('authenticates stored tokens and refuses revoked ones', async () => {
    expect((await app.inject({ method: 'GET', url: '/admin/v1/entities', headers: auth })).statusCode).toBe(200);
    const revoked = await app.inject({ method: 'GET', url: '/admin/v1/entities', headers: { authorization: 'Bearer sqlite-revoked' } });
    expect(revoked.json().error.code).toBe('TENET_ERR_AUTH_TOKEN_REVOKED');
  });

  it('imports entities all or nothing and lists them back', async () => {
    const good = [{ uid: { type: 'User', id: 'alice' }, attrs: { department: 'Sales' }, parents: [{ type: 'Group', id: 'staff' }] }];
    const put = await app.inject({ method: 'PUT', url: '/admin/v1/entities', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(good) });
    expect(put.json()).toEqual({ imported: 1 });
    const bad = await app.inject({ method: 'PUT', url: '/admin/v1/entities', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify([{ uid: { type: 'User', id: 'bob' }, attrs: {}, parents: [] }, { uid: { type: 'User' } }]) });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.issues.length).toBeGreaterThan(0);
    const list = (await app.inject({ method: 'GET', url: '/admin/v1/entities', headers: auth })).json();
    expect(list.entities.map((entity: { uid: { id: string } }) => entity.uid.id)).toEqual(['alice']);
  });

  it('replaces a threat feed from a text list', async () => {
    const put = await app.inject({ method: 'PUT', url: '/admin/v1/indicators?source=feed-a&category=botnet', headers: { ...auth, 'content-type': 'text/plain' }, payload: '203.0.113.9\n198.51.100.0/24\n' });
    expect(put.json()).toEqual({ imported: 2, source: 'feed-a' });
    const list = (await app.inject({ method: 'GET', url: '/admin/v1/indicators', headers: auth })).json();
    expect(list.indicators.map((item: { indicator: string }) => item.indicator).sort()).toEqual(['198.51.100.0/24', '203.0.113.9/32']);
    const removed = await app.inject({ method: 'DELETE', url: '/admin/v1/indicators?indicator=203.0.113.9', headers: auth });
    expect(removed.json()).toEqual({ removed: 1 });
  });
});
