// Subject risk through the real decision point: reported risk levels from the SubjectSignalStore,
// behaviour baselines built from a real SQLite decision log (AuditLog), a denial burst across
// resources that turns a medium-sensitivity allow into a deny with the reason, the alert it
// raises, and both Cedar evaluators agreeing on a policy that reads the behaviour factors.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/index.js';
import { behaviourSchema } from '../config/behaviour-schema.js';
import { loadConfig } from '../config/load.js';
import type { Decision } from '../engine/decision.js';
import type { AccessRequest } from '../engine/tuple.js';
import { startBehaviour, type BehaviourService } from '../signals/behaviour/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { PolicyDecisionPoint } from './service.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const APPS = ['docs', 'git', 'hr', 'vault', 'billing', 'crm'];

function configDir(options: { evaluator?: 'compiled' | 'wasm'; guard?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-subject-risk-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'access.cedar'), [
    '@id("employees-read")',
    'permit (principal in Group::"employees", action == Action::"read", resource);',
    ...(options.guard === true ? ['@id("no-probers-in-vault")', 'forbid (principal, action, resource == App::"vault") when { context.risk.factors.contains("behaviour-denial-burst") };'] : []),
  ].join('\n'));
  writeFileSync(join(dir, 'entities.json'), JSON.stringify([
    { uid: { type: 'Group', id: 'employees' }, attrs: {}, parents: [] },
    { uid: { type: 'User', id: 'alice' }, attrs: {}, parents: [{ type: 'Group', id: 'employees' }] },
    ...APPS.map((id) => ({ uid: { type: 'App', id }, attrs: {}, parents: [] })),
  ]));
  writeFileSync(join(dir, 'tenet.yaml'), [
    'policies: ./policies',
    'entities: [./entities.json]',
    'resources:',
    '  - { type: App, id: docs, sensitivity: medium }',
    `engine: { evaluator: ${options.evaluator ?? 'compiled'} }`,
  ].join('\n'));
  return join(dir, 'tenet.yaml');
}

function request(fields: { action?: string; app?: string; deviceId?: string; ip?: string } = {}): AccessRequest {
  return {
    subject: { type: 'User', id: 'alice' },
    action: { name: fields.action ?? 'read' },
    resource: { type: 'App', id: fields.app ?? 'docs' },
    environment: fields.ip === undefined ? {} : { ip: fields.ip },
    // Fresh phishing-resistant MFA: the only factor of a normal request is device-unknown (30).
    authn: { methods: ['hwk', 'webauthn'], phishingResistant: true, authenticatedAt: new Date(T0 - 10 * MINUTE).toISOString() },
    ...(fields.deviceId === undefined ? {} : { deviceId: fields.deviceId }),
  };
}

/** A log sink that keeps the JSON lines (to find the alert). */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function setup(options: { evaluator?: 'compiled' | 'wasm'; guard?: boolean; behaviour?: boolean } = {}) {
  let now = T0;
  const clock = () => new Date(now);
  const store = await openSqliteStore({ path: ':memory:' });
  cleanup.push(() => store.close());
  const log = await AuditLog.open({ store: store.audit, clock, checkpointIntervalMs: 0 });
  cleanup.push(() => log.close());
  const { logger, lines } = capturingLogger();
  const loaded = loadConfig(configDir(options));
  const service: BehaviourService | undefined = options.behaviour === false ? undefined : await startBehaviour({ config: behaviourSchema.parse({}), baseDir: loaded.baseDir, audit: store.audit, logger, clock });
  const pdp = await PolicyDecisionPoint.start({ loaded, store, log, logger, clock, ...(service === undefined ? {} : { behaviour: service.analytics }) });
  return { store, log, pdp, lines, setNow: (ms: number) => void (now = ms) };
}

const factorNames = (decision: Decision) => decision.risk.factors.map((factor) => factor.name);

describe('subject risk in decisions', () => {
  it('a burst of denials across resources turns a medium-sensitivity allow into a deny, with the reason and an alert', async () => {
    const { pdp, lines, setNow } = await setup();
    const before = await pdp.decide(request(), { pep: 'test' });
    expect(before.outcome).toBe('allow');
    expect(factorNames(before)).toEqual(['device-unknown']);
    // Probing: writes on five apps, twice each, all denied (no policy permits write).
    for (let i = 0; i < 10; i += 1) {
      setNow(T0 + (i + 1) * 5_000);
      expect((await pdp.decide(request({ action: 'write', app: APPS[i % 5] as string }), { pep: 'test' })).outcome).toBe('deny');
    }
    setNow(T0 + 60_000);
    const after = await pdp.decide(request(), { pep: 'test' });
    expect(after.outcome).toBe('deny');
    expect(after.risk).toMatchObject({ score: 70, threshold: { sensitivity: 'medium', maxScore: 60 } });
    expect(after.reasons).toContainEqual({ code: 'risk-factor', effect: 'deny', detail: 'behaviour-denial-burst', message: 'denial burst: 10 denials across 5 resources in the last 5m (threshold 10 across 5)' });
    expect(after.reasons.map((reason) => reason.code)).toContain('risk-too-high');
    const alerts = lines.filter((line) => line['msg'] === 'behaviour alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.['alert']).toMatchObject({ subject: 'User::"alice"', factor: 'behaviour-denial-burst', decisionId: expect.any(String) as string });
    // Six minutes on, the burst is outside the window: allowed again.
    setNow(T0 + 7 * MINUTE);
    expect((await pdp.decide(request(), { pep: 'test' })).outcome).toBe('allow');
  });

  it('builds baselines from the SQLite decision log at start: new device and unusual hour', async () => {
    const first = await setup({ behaviour: false });
    // Forty days ago, from a device since forgotten; then ten office days from laptop-7.
    for (let i = 0; i < 5; i += 1) {
      first.setNow(T0 - 40 * DAY + i * MINUTE);
      await first.pdp.decide(request({ deviceId: 'ancient-pc' }), { pep: 'test' });
    }
    for (let day = 0; day < 10; day += 1) {
      for (let hour = 0; hour < 8; hour += 1) {
        for (let i = 0; i < 2; i += 1) {
          first.setNow(T0 + day * DAY + hour * HOUR + i * 20 * MINUTE);
          await first.pdp.decide(request({ deviceId: 'laptop-7' }), { pep: 'test' });
        }
      }
    }
    await first.log.close();
    const now = Date.parse('2026-03-12T03:10:00Z');
    const { logger, lines } = capturingLogger();
    const service = await startBehaviour({ config: behaviourSchema.parse({}), baseDir: '.', audit: first.store.audit, logger, clock: () => new Date(now) });
    expect(service?.analytics.subjects()).toBe(1);
    expect(lines.find((line) => line['msg'] === 'behaviour baselines built from the decision log')).toMatchObject({ records: 160, subjects: 1, geoip: false });
    expect(lines.some((line) => String(line['msg']).includes('impossible-travel detection is off'))).toBe(true);
    const signals = (deviceId: string) => service?.analytics.assess(request({ deviceId }), new Date(now)).map((signal) => signal.factor);
    expect(signals('ancient-pc')).toEqual(['behaviour-new-device', 'behaviour-unusual-hour']);
    const usual = service?.analytics.assess(request({ deviceId: 'laptop-7' }), new Date(Date.parse('2026-03-12T10:10:00Z')));
    expect(usual).toEqual([]);
  });

  it('weighs a reported risk level from the subject-signal store after refreshSignals', async () => {
    const { pdp, store } = await setup({ behaviour: false });
    await store.subjectSignals.put({ subject: 'User::"alice"', source: 'ssf:idp', riskLevel: 'medium', reason: 'unfamiliar sign-in', observedAt: new Date(T0 - HOUR).toISOString() });
    expect(factorNames(await pdp.decide(request(), { pep: 'test' }))).toEqual(['device-unknown']); // not yet refreshed
    await pdp.refreshSignals();
    const medium = await pdp.decide(request(), { pep: 'test' });
    expect(medium.risk).toMatchObject({ score: 60 });
    expect(medium.outcome).toBe('allow');
    await store.subjectSignals.put({ subject: 'User::"alice"', source: 'ssf:idp', riskLevel: 'high', reason: 'credentials found in a breach', observedAt: new Date(T0).toISOString() });
    await pdp.refreshSignals();
    const high = await pdp.decide(request(), { pep: 'test' });
    expect(high.outcome).toBe('deny');
    expect(high.reasons).toContainEqual({ code: 'risk-factor', effect: 'deny', detail: 'subject-risk-reported', message: 'ssf:idp reports high risk: credentials found in a breach' });
  });

  it.each(['compiled', 'wasm'] as const)('lets policies read behaviour factors in context.risk.factors (%s evaluator)', async (evaluator) => {
    const { pdp, setNow } = await setup({ evaluator, guard: true });
    expect((await pdp.decide(request({ app: 'vault' }), { pep: 'test' })).outcome).toBe('allow');
    for (let i = 0; i < 10; i += 1) {
      setNow(T0 + (i + 1) * 1000);
      await pdp.decide(request({ action: 'write', app: APPS[i % 5] as string }), { pep: 'test' });
    }
    const denied = await pdp.decide(request({ app: 'vault' }), { pep: 'test' });
    expect(denied.outcome).toBe('deny');
    expect(denied.policies.determining).toEqual(['no-probers-in-vault']);
    // vault has no sensitivity: the forbid alone decides, on the factor.
    expect(denied.reasons.map((reason) => reason.code)).toContain('policy-forbid');
  });
});
