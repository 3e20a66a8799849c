import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionLog, DecisionLogEntry } from '../audit/entry.js';
import { loadConfig } from '../config/load.js';
import type { AccessRequest } from '../engine/tuple.js';
import { TenetError } from '../errors.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/ports.js';
import { PolicyDecisionPoint } from './service.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const silent = pino({ level: 'silent' });

/** A decision log that keeps entries in memory, or refuses them when told to. */
class MemoryLog implements DecisionLog {
  readonly entries: DecisionLogEntry[] = [];
  failing = false;
  async record(entry: DecisionLogEntry): Promise<void> {
    if (this.failing) throw new TenetError('TENET_ERR_AUDIT_UNAVAILABLE', 'disk full');
    this.entries.push(entry);
  }
  async close(): Promise<void> {}
}

const allowedRequest: AccessRequest = {
  subject: { type: 'User', id: 'alice' },
  action: { name: 'read' },
  resource: { type: 'App', id: 'payroll' },
  deviceId: 'alice-laptop',
  environment: { ip: '192.0.2.10' },
  authn: { methods: ['hwk', 'webauthn'], phishingResistant: true, authenticatedAt: '2026-11-23T09:58:00Z' },
};

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function start(options: { failMode?: 'closed' | 'open' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-pdp-'));
  cpSync(resolve('examples/quickstart'), dir, { recursive: true });
  if (options.failMode) writeFileSync(join(dir, 'tenet.yaml'), `audit: { failMode: ${options.failMode} }\n`, { flag: 'a' });
  const store = await openSqliteStore({ path: ':memory:' });
  stores.push(store);
  const log = new MemoryLog();
  const pdp = await PolicyDecisionPoint.start({ loaded: loadConfig(join(dir, 'tenet.yaml')), store, log, logger: silent, clock: () => NOW });
  return { dir, store, log, pdp };
}

describe('PolicyDecisionPoint', () => {
  it('records every decision it returns, with the PEP and caller', async () => {
    const { pdp, log } = await start();
    const decision = await pdp.decide(allowedRequest, { pep: 'authzen', caller: 'gateway' });
    expect(decision.outcome).toBe('allow');
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({ pep: 'authzen', caller: 'gateway', decision: { id: decision.id } });
  });

  it('denies when the decision cannot be recorded and audit.failMode is closed (the default)', async () => {
    const { pdp, log } = await start();
    log.failing = true;
    const decision = await pdp.decide(allowedRequest, { pep: 'authzen' });
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons.map((reason) => reason.code)).toContain('audit-unavailable');
    expect(decision.obligations.cacheTtlSeconds).toBe(0);
  });

  it('answers anyway when audit.failMode is open', async () => {
    const { pdp, log } = await start({ failMode: 'open' });
    log.failing = true;
    expect((await pdp.decide(allowedRequest, { pep: 'authzen' })).outcome).toBe('allow');
  });

  it('denies a malformed client IP as an invalid request, and still records it', async () => {
    const { pdp, log } = await start();
    const decision = await pdp.decide({ ...allowedRequest, environment: { ip: '300.1.2.3' } }, { pep: 'authzen' });
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons.map((reason) => reason.code)).toEqual(['invalid-request']);
    expect(log.entries).toHaveLength(1);
  });

  it('sees store writes after refreshSignals', async () => {
    const { pdp, store } = await start();
    await store.threats.upsertMany([{ indicator: '192.0.2.10/32', category: 'c2', source: 'test', addedAt: NOW.toISOString() }]);
    expect((await pdp.decide(allowedRequest, { pep: 'test' })).outcome).toBe('allow');
    await pdp.refreshSignals();
    const decision = await pdp.decide(allowedRequest, { pep: 'test' });
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons.map((reason) => reason.detail)).toContain('ip-threat-listed');
  });

  it('refuses a reload whose policies do not parse, keeping the active set', async () => {
    const { pdp, dir } = await start();
    const before = pdp.policyVersion();
    writeFileSync(join(dir, 'policies', 'broken.cedar'), 'permit (principal, action, resource) when { principal.');
    const refused = await pdp.reload();
    expect(refused.ok).toBe(false);
    expect(refused.policyVersion).toBe(before);
    expect(refused.issues.some((issue) => issue.path.includes('broken.cedar'))).toBe(true);
    expect((await pdp.decide(allowedRequest, { pep: 'test' })).outcome).toBe('allow');

    writeFileSync(join(dir, 'policies', 'broken.cedar'), '@id("nobody-on-sundays")\nforbid (principal, action, resource) when { context.request.dayOfWeek == 0 };\n');
    const accepted = await pdp.reload();
    expect(accepted).toMatchObject({ ok: true, previousVersion: before });
    expect(accepted.policyVersion).not.toBe(before);
    expect(pdp.policyVersion()).toBe(accepted.policyVersion);
  });

  it('refuses a reload whose config became invalid', async () => {
    const { pdp, dir } = await start();
    writeFileSync(join(dir, 'tenet.yaml'), 'polices: ./policies\n');
    const result = await pdp.reload();
    expect(result.ok).toBe(false);
    expect(result.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining([expect.stringContaining('polices')]));
  });

  it('runs concurrent reloads one after the other', async () => {
    const { pdp } = await start();
    const results = await Promise.all([pdp.reload(), pdp.reload(), pdp.reload()]);
    expect(results.every((result) => result.ok)).toBe(true);
  });
});
