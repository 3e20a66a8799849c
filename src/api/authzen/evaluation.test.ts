// Conformance and mapping tests for POST /access/v1/evaluation (AuthZEN 1.0 §6, §10).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS, bearer, buildTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/access/v1/evaluation', headers: { 'content-type': 'application/json', ...bearer(TOKENS.pdp), ...headers }, payload: JSON.stringify(payload) });

describe('POST /access/v1/evaluation', () => {
  it('answers the spec example request (§10.1.4) with a boolean decision and echoes X-Request-ID', async () => {
    const response = await post(
      { subject: { type: 'user', id: 'alice@example.com' }, resource: { type: 'todo', id: '1' }, action: { name: 'can_read' }, context: { time: '1985-10-26T01:22-07:00' } },
      { 'x-request-id': 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716' },
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-request-id']).toBe('bfe9eb29-ab87-4ca3-be83-a1d5d8305716');
    const body = response.json();
    expect(body.decision).toBe(false);
    expect(body.context.outcome).toBe('deny');
    expect(body.context.reasons[0].code).toBe('no-applicable-policy');
  });

  it('sends an X-Request-ID even when the PEP did not', async () => {
    const response = await post({ subject: { type: 'user', id: 'a' }, action: { name: 'read' }, resource: { type: 'doc', id: 'allow-1' } });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows with decision true and a context carrying id, reasons, obligations and policy version', async () => {
    const response = await post({ subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'App::Doc', id: 'allow-1' } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.decision).toBe(true);
    expect(body.context).toMatchObject({
      outcome: 'allow',
      reason_user: { en: 'Allowed by policy.' },
      reasons: [{ code: 'policy-permit', effect: 'allow', policy_id: 'permit-readers' }],
      policies: { determining: ['permit-readers'], errored: [] },
      obligations: { cache_ttl_seconds: 30, reevaluate_after_seconds: 300 },
      policy_version: 'v1-abc',
    });
    expect(body.context.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.context.step_up).toBeUndefined();
  });

  it('maps deny reasons for both sides, and names errored policies without their error text', async () => {
    const body = (await post({ subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'deny-1' } })).json();
    expect(body.decision).toBe(false);
    expect(body.context.reason_user).toEqual({ en: 'Blocked by policy.' });
    expect(body.context.reasons.map((reason: { effect: string }) => reason.effect)).toEqual(['deny', 'allow']);
    expect(body.context.policies.errored).toEqual(['p-broken']);
    expect(JSON.stringify(body)).not.toContain('secret_attr');
  });

  it('turns step-up into decision false with outcome step-up and step_up details', async () => {
    const body = (await post({ subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'stepup-1' } })).json();
    expect(body.decision).toBe(false);
    expect(body.context.outcome).toBe('step-up');
    expect(body.context.step_up).toEqual({ phishing_resistant: true, max_age_seconds: 300 });
  });

  it('maps subject/resource verbatim, action.name, and lifts the reserved context keys into the tuple', async () => {
    await post({
      subject: { type: 'User', id: 'alice', properties: { department: 'Sales' } },
      action: { name: 'read', properties: { method: 'GET' } },
      resource: { type: 'App::Route', id: 'allow-r' },
      context: {
        device_id: 'laptop-7',
        ip: '198.51.100.7',
        user_agent: 'curl/8',
        method: 'GET',
        path: '/reports',
        domain: 'reports.example',
        time: '1985-10-26T01:22-07:00',
        authn: { methods: ['pwd', 'hwk'], phishing_resistant: true, authenticated_at: '2025-06-27T17:00:00Z', acr: 'urn:loa:3' },
        ticket: 'T-1',
      },
    });
    const call = t.decisionPoint.calls[0];
    expect(call?.meta).toEqual({ pep: 'authzen', caller: 'pep-gateway' });
    expect(call?.request).toEqual({
      subject: { type: 'User', id: 'alice', properties: { department: 'Sales' } },
      deviceId: 'laptop-7',
      action: { name: 'read', properties: { method: 'GET' } },
      resource: { type: 'App::Route', id: 'allow-r' },
      environment: { ip: '198.51.100.7', time: '1985-10-26T08:22:00.000Z', userAgent: 'curl/8', method: 'GET', path: '/reports', domain: 'reports.example' },
      authn: { methods: ['pwd', 'hwk'], phishingResistant: true, authenticatedAt: '2025-06-27T17:00:00.000Z', acr: 'urn:loa:3' },
      context: { ticket: 'T-1' },
    });
  });

  it('omits absent optional tuple members rather than setting them undefined', async () => {
    await post({ subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' } });
    const request = t.decisionPoint.calls[0]?.request;
    expect(request).toEqual({ subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' }, environment: {} });
    expect(Object.keys(request ?? {})).not.toContain('authn');
  });

  it('ignores unknown members (§10.1.1) but refuses a batch sent to the single endpoint', async () => {
    const ok = await post({ subject: { type: 'User', id: 'a', extra: 1 }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' }, vendor_ext: true });
    expect(ok.statusCode).toBe(200);
    const batch = await post({ subject: { type: 'User', id: 'a' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' }, evaluations: [] });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().error.issues[0].path).toBe('evaluations');
  });

  it('rejects invalid reserved context values with their paths', async () => {
    const response = await post({
      subject: { type: 'User', id: 'a' },
      action: { name: 'read' },
      resource: { type: 'Doc', id: 'allow-1' },
      context: { ip: 'not-an-ip', domain: 'https://evil.example/', time: 'yesterday', authn: { methods: 'pwd', phishingResistant: true } },
    });
    expect(response.statusCode).toBe(400);
    const paths = response.json().error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['context.ip', 'context.domain', 'context.time', 'context.authn.methods', 'context.authn.phishing_resistant', 'context.authn']));
    expect(t.decisionPoint.calls).toHaveLength(0);
  });
});
