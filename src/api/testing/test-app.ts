// Builds an API server for the tests: in-memory store, fake decision point, bearer-token auth with
// tokens for each scope (one revoked, one static from "config"), and a log capture so tests can
// assert that secrets never reach the log.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { sha256Hex } from '../auth-token.js';
import type { ApiAuthSettings, ApiDeps } from '../deps.js';
import { buildApiServer } from '../server.js';
import { FakeDecisionPoint } from './fake-decision-point.js';
import { fakeImporters } from './fake-importers.js';
import { memoryStore, type MemoryStore } from './memory-store.js';

export const TOKENS = {
  pdp: 'pdp-token-0123456789',
  admin: 'admin-token-0123456789',
  revoked: 'revoked-token-0123456789',
  static: 'static-config-token-0123456789',
} as const;

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: MemoryStore;
  readonly decisionPoint: FakeDecisionPoint;
  readonly registry: Registry;
  /** Every log line written so far. */
  readonly logs: string[];
}

export interface TestAppOptions {
  readonly auth?: ApiAuthSettings;
  readonly limits?: Partial<ApiDeps['limits']>;
  readonly tls?: ApiDeps['tls'];
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const store = memoryStore();
  const createdAt = '2025-01-01T00:00:00.000Z';
  await store.apiTokens.create({ id: 't1', name: 'pep-gateway', tokenHash: sha256Hex(TOKENS.pdp), scopes: ['pdp'], createdAt });
  await store.apiTokens.create({ id: 't2', name: 'ops', tokenHash: sha256Hex(TOKENS.admin), scopes: ['admin'], createdAt });
  await store.apiTokens.create({ id: 't3', name: 'old-pep', tokenHash: sha256Hex(TOKENS.revoked), scopes: ['pdp', 'admin'], createdAt, revokedAt: '2025-02-01T00:00:00.000Z' });

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const decisionPoint = new FakeDecisionPoint();
  const registry = new Registry();
  const app = await buildApiServer({
    decisionPoint,
    store,
    auth: options.auth ?? { mode: 'token', staticTokens: [{ name: 'config-pep', sha256: sha256Hex(TOKENS.static), scopes: ['pdp'] }] },
    limits: { bodyBytes: 64 * 1024, maxEvaluations: 10, ...options.limits },
    logger: pino({ level: 'debug' }, sink),
    importers: fakeImporters,
    policies: { policyIds: () => ['forbid-contractors', 'permit-readers'] },
    publicBaseUrl: 'https://pdp.example.com/',
    metricsRegistry: registry,
    now: () => new Date('2025-06-27T18:00:00.000Z'),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  return { app, store, decisionPoint, registry, logs };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
