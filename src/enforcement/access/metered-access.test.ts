import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { routesSchema } from '../../config/enforcement-schema.js';
import type { HttpAccess, HttpRequestFacts, Verdict } from './http-access.js';
import { meteredAccess } from './metered-access.js';

const facts: HttpRequestFacts = { method: 'GET', scheme: 'https', host: 'a.test', path: '/', clientIp: '192.0.2.1' };

describe('meteredAccess', () => {
  it('counts verdicts by PEP and kind, and passes them through unchanged', async () => {
    const answers: Verdict[] = [{ kind: 'no-route', browser: false }, { kind: 'no-route', browser: true }];
    const inner: HttpAccess = { authorize: async () => answers.shift() ?? { kind: 'no-route', browser: false } };
    const registry = new Registry();
    const access = meteredAccess(inner, registry);
    expect(await access.authorize(facts, 'proxy')).toEqual({ kind: 'no-route', browser: false });
    await access.authorize(facts, 'proxy');
    await access.authorize(facts, 'forward-auth');
    const [route] = routesSchema.parse([{ name: 'vault', host: 'vault.test', resource: { type: 'App', id: 'vault' }, clientCertificate: 'required' }]);
    if (route === undefined) throw new Error('no route');
    const device: HttpAccess = { authorize: async () => ({ kind: 'device-required', route, problem: 'no client certificate', browser: false }) };
    await meteredAccess(device, registry).authorize(facts, 'ext-authz');
    const text = await registry.metrics();
    expect(text).toContain('tenet_enforcement_verdicts_total{pep="proxy",verdict="no-route",cached="false"} 2');
    expect(text).toContain('tenet_enforcement_verdicts_total{pep="forward-auth",verdict="no-route",cached="false"} 1');
    expect(text).toContain('tenet_enforcement_verdicts_total{pep="ext-authz",verdict="device-required",cached="false"} 1');
    // A second wrapper on the same registry shares the counter instead of failing to register it.
    meteredAccess(inner, registry);
  });
});
