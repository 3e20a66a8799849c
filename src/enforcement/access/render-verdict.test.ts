import { describe, expect, it } from 'vitest';
import { fakeDecision } from '../../api/testing/fake-decision-point.js';
import type { RouteConfig } from '../../config/enforcement-schema.js';
import { renderVerdict } from './render-verdict.js';

const route: RouteConfig = { name: 'wiki', host: 'wiki.test', pathPrefix: '/', preserveHost: false, resource: { type: 'App', id: 'wiki' }, actions: { GET: 'read', POST: 'write' }, api: false, headers: {}, websockets: true, timeout: '30s', clientCertificate: 'optional' };

describe('renderVerdict', () => {
  it('redirects browsers to login and gives API clients 401 JSON with a Bearer challenge', () => {
    const browser = renderVerdict({ kind: 'unauthenticated', route, browser: true, loginUrl: 'https://tenet.test/.tenet/login?rd=x', problem: 'no session' });
    expect(browser).toMatchObject({ status: 302, headers: { location: 'https://tenet.test/.tenet/login?rd=x', 'cache-control': 'no-store' } });
    const api = renderVerdict({ kind: 'unauthenticated', route, browser: false, loginUrl: 'https://tenet.test/.tenet/login?rd=x', problem: 'no session' });
    expect(api.status).toBe(401);
    expect(api.headers['www-authenticate']).toBe('Bearer realm="tenet"');
    expect(JSON.parse(api.body)).toMatchObject({ error: 'unauthenticated' });
  });

  it('answers step-up for APIs with an RFC 9470 challenge naming max_age', () => {
    const decision = fakeDecision('step-up', 'v1');
    const api = renderVerdict({ kind: 'step-up', route, decision, browser: false, stepUpUrl: 'https://tenet.test/.tenet/login?step_up=1' });
    expect(api.status).toBe(401);
    expect(api.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", error_description="stronger or more recent authentication required", max_age="300"');
    expect(JSON.parse(api.body)).toMatchObject({ error: 'step_up_required', decision_id: decision.id, requirement: { phishing_resistant: true, max_age_seconds: 300 } });
    expect(renderVerdict({ kind: 'step-up', route, decision, browser: true, stepUpUrl: 'https://s' })).toMatchObject({ status: 302, headers: { location: 'https://s' } });
  });

  it('names deny reasons and the decision id, escaped, without policy ids or other internals', () => {
    const base = fakeDecision('deny', 'v1');
    const decision = { ...base, reasons: [...base.reasons, { code: 'risk-too-high' as const, effect: 'deny' as const, message: '<script>alert(1)</script>' }] };
    const page = renderVerdict({ kind: 'deny', route, decision, browser: true });
    expect(page.status).toBe(403);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain(decision.id);
    expect(page.body).toContain('Blocked by policy.');
    expect(page.body).toContain('&#60;script&#62;');
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain('forbid-contractors');
    expect(page.body).not.toContain('secret_attr');
    const api = JSON.parse(renderVerdict({ kind: 'deny', route, decision, browser: false }).body);
    expect(api).toEqual({ error: 'access_denied', decision_id: decision.id, reasons: [{ code: 'policy-forbid', message: 'Blocked by policy.' }, { code: 'risk-too-high', message: '<script>alert(1)</script>' }] });
  });

  it('answers 403 for a missing device certificate: a page pointing at enrollment for browsers, JSON naming the problem for APIs', () => {
    const page = renderVerdict({ kind: 'device-required', route, problem: 'the client certificate has been <revoked>', browser: true });
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('tenet agent enroll');
    expect(page.body).toContain('docs/devices.md');
    expect(page.body).toContain('has been &#60;revoked&#62;');
    expect(page.body).not.toContain('<revoked>');
    const api = renderVerdict({ kind: 'device-required', route, problem: 'no client certificate', browser: false });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toEqual({ error: 'device_certificate_required', problem: 'no client certificate' });
  });

  it('answers 404 for no route and 405 with Allow for unmapped methods', () => {
    expect(renderVerdict({ kind: 'no-route', browser: false }).status).toBe(404);
    const answer = renderVerdict({ kind: 'method-not-allowed', route, browser: false });
    expect(answer.status).toBe(405);
    expect(answer.headers['allow']).toBe('GET, POST');
  });
});
