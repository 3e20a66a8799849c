// The threat index the PDP builds from the store covers domains as well as networks: a request
// for a listed domain is denied by Cedar `context.network.threatListed` (the quickstart's
// deny-threat-listed-ip guardrail), once a feed update has been announced and the indexes rebuilt.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionLog } from '../audit/entry.js';
import { loadConfig } from '../config/load.js';
import type { AccessRequest } from '../engine/tuple.js';
import { startThreatFeeds } from '../signals/threat-intel/index.js';
import type { Store } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { PolicyDecisionPoint } from './service.js';
import { buildSignalIndexes } from './signal-indexes.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const silent = pino({ level: 'silent' });
const log: DecisionLog = { record: async () => undefined, close: async () => undefined };

const request: AccessRequest = {
  subject: { type: 'User', id: 'alice' },
  action: { name: 'read' },
  resource: { type: 'App', id: 'payroll' },
  deviceId: 'alice-laptop',
  environment: { ip: '192.0.2.10', domain: 'payroll.corp.example' },
  authn: { methods: ['hwk', 'webauthn'], phishingResistant: true, authenticatedAt: '2026-11-23T09:58:00Z' },
};

let store: Store | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('threat index in the PDP', () => {
  it('builds domain and network indicators from the store', async () => {
    store = await openSqliteStore({ path: ':memory:' });
    await store.threats.upsertMany([
      { indicator: '*.corp.example', category: 'compromised', source: 'f', addedAt: NOW.toISOString() },
      { indicator: '192.0.2.0/24', category: 'scanner', source: 'f', addedAt: NOW.toISOString() },
    ]);
    const indexes = await buildSignalIndexes(store, []);
    expect(indexes.threats.matches({ ip: '192.0.2.10', domain: 'Payroll.Corp.Example.' }, NOW).map((m) => m.indicator)).toEqual(['192.0.2.0/24', '*.corp.example']);
  });

  it('denies a request for a domain a feed lists (context.network.threatListed), after the change is announced', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenet-pdp-domain-'));
    cpSync(resolve('examples/quickstart'), dir, { recursive: true });
    store = await openSqliteStore({ path: ':memory:' });
    const pdp = await PolicyDecisionPoint.start({ loaded: loadConfig(join(dir, 'tenet.yaml')), store, log, logger: silent, clock: () => NOW });
    expect((await pdp.decide(request, { pep: 'test' })).outcome).toBe('allow');

    writeFileSync(join(dir, 'domains.txt'), '# compromised hosts\n*.corp.example\n');
    const feeds = startThreatFeeds({
      feeds: [{ source: 'domains', file: 'domains.txt', allowInsecureHttp: false, category: 'compromised', timeout: '30s', maxBytes: 1000 }],
      baseDir: dir,
      store,
      logger: silent,
      clock: () => NOW,
      // What the lead wires: rebuild the indexes, then publish to the SignalChanges bus.
      onChanged: () => pdp.refreshSignals(),
    });
    expect(await feeds.refreshNow()).toMatchObject([{ status: 'updated', added: 1 }]);
    feeds.stop();

    const decision = await pdp.decide(request, { pep: 'test' });
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons.map((reason) => reason.policyId)).toContain('deny-threat-listed-ip');
    // The same request for a host outside the listed domain is still allowed.
    expect((await pdp.decide({ ...request, environment: { ip: '192.0.2.10', domain: 'corp.example' } }, { pep: 'test' })).outcome).toBe('allow');
  });
});
