// Bad and forged inputs: every one gets a JSON error naming the problem, nothing reaches the
// decision point, nothing leaks, and the server keeps serving.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS, bearer, buildTestApp, type TestApp } from './testing/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ limits: { bodyBytes: 2048 } });
});
afterEach(async () => {
  await t.app.close();
});

const raw = (payload: string, contentType: string | null = 'application/json') =>
  t.app.inject({
    method: 'POST',
    url: '/access/v1/evaluation',
    headers: { ...bearer(TOKENS.pdp), ...(contentType === null ? {} : { 'content-type': contentType }) },
    payload,
  });

const valid = { subject: { type: 'User', id: 'a' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' } };

function expectErrorShape(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String), issues: expect.any(Array) } });
}

describe('hostile and malformed input', () => {
  it('malformed JSON → 400 TENET_ERR_REQUEST_MALFORMED_JSON', async () => {
    const response = await raw('{"subject": ');
    expect(response.statusCode).toBe(400);
    expectErrorShape(response.json(), 'TENET_ERR_REQUEST_MALFORMED_JSON');
  });

  it('empty JSON body → 400', async () => {
    const response = await raw('');
    expect(response.statusCode).toBe(400);
  });

  it('a JSON value that is not an object → 400', async () => {
    for (const payload of ['[]', '"x"', 'null', '42']) {
      const response = await raw(payload);
      expect(response.statusCode).toBe(400);
      expectErrorShape(response.json(), 'TENET_ERR_REQUEST_INVALID');
    }
  });

  it('wrong types, a missing subject.id, a non-object context: every problem listed with its path', async () => {
    const response = await raw(JSON.stringify({ subject: { type: 'User' }, action: { name: 7 }, resource: { type: 'not a cedar type', id: 'x' }, context: ['a'] }));
    expect(response.statusCode).toBe(400);
    const issues = response.json().error.issues as { path: string; message: string; hint?: string }[];
    expect(issues.map((issue) => issue.path).sort()).toEqual(['action.name', 'context', 'resource.type', 'subject.id']);
    expect(issues.find((issue) => issue.path === 'subject.id')).toMatchObject({ message: 'missing', hint: 'this member is required' });
    expect(t.decisionPoint.calls).toHaveLength(0);
  });

  it('properties must be objects; null members are refused rather than guessed', async () => {
    const response = await raw(JSON.stringify({ ...valid, subject: { type: 'User', id: 'a', properties: 'x' }, context: null }));
    expect(response.json().error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['context', 'subject.properties']);
  });

  it('an oversized body → 413 with the JSON error shape', async () => {
    const response = await raw(JSON.stringify({ ...valid, context: { pad: 'x'.repeat(4096) } }));
    expect(response.statusCode).toBe(413);
    expectErrorShape(response.json(), 'TENET_ERR_REQUEST_BODY_TOO_LARGE');
  });

  it('a non-JSON or missing Content-Type → 415', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv', null]) {
      const response = await raw(JSON.stringify(valid), contentType);
      expect(response.statusCode, String(contentType)).toBe(415);
      expectErrorShape(response.json(), 'TENET_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE');
    }
    const charset = await raw(JSON.stringify(valid), 'application/json; charset=utf-8');
    expect(charset.statusCode).toBe(200);
  });

  it('a bodiless POST without Content-Type → 415, and error responses still echo X-Request-ID', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/access/v1/evaluation', headers: { ...bearer(TOKENS.pdp), 'x-request-id': 'r-415' } });
    expect(response.statusCode).toBe(415);
    expect(response.headers['x-request-id']).toBe('r-415');
    const unauthenticated = await t.app.inject({ method: 'POST', url: '/access/v1/evaluations', headers: { 'x-request-id': 'r-401' } });
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers['x-request-id']).toBe('r-401');
  });

  it('__proto__ and constructor.prototype keys are refused and pollute nothing', async () => {
    const forged = [
      '{"subject":{"type":"User","id":"a"},"action":{"name":"read"},"resource":{"type":"Doc","id":"allow-1"},"context":{"__proto__":{"polluted":true}}}',
      '{"subject":{"type":"User","id":"a","properties":{"constructor":{"prototype":{"polluted":true}}}},"action":{"name":"read"},"resource":{"type":"Doc","id":"allow-1"}}',
    ];
    for (const payload of forged) {
      const response = await raw(payload);
      expect(response.statusCode).toBe(400);
      expectErrorShape(response.json(), 'TENET_ERR_REQUEST_FORBIDDEN_KEY');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(t.decisionPoint.calls).toHaveLength(0);
  });

  it('reserved context keys cannot be smuggled in a second form: only the documented names are lifted', async () => {
    const response = await raw(JSON.stringify({ ...valid, context: { deviceId: 'forged', environment: { ip: '203.0.113.9' }, Authn: { methods: ['hwk'] } } }));
    expect(response.statusCode).toBe(200);
    const request = t.decisionPoint.calls[0]?.request;
    expect(request?.deviceId).toBeUndefined();
    expect(request?.authn).toBeUndefined();
    expect(request?.environment).toEqual({});
    // They stay ordinary caller context, visible to Cedar as what they are.
    expect(request?.context).toEqual({ deviceId: 'forged', environment: { ip: '203.0.113.9' }, Authn: { methods: ['hwk'] } });
  });

  it('an unexpected exception → 500 with a generic message: no stack, no internal text; logged in full', async () => {
    t.decisionPoint.decide = async () => {
      throw new Error('connection to /var/run/secret.sock refused');
    };
    const response = await raw(JSON.stringify(valid), 'application/json');
    expect(response.statusCode).toBe(500);
    expectErrorShape(response.json(), 'TENET_ERR_INTERNAL_UNEXPECTED');
    expect(response.body).not.toMatch(/secret\.sock|at .*\.ts:\d+/);
    expect(t.logs.join('')).toContain('secret.sock');
  });

  it('unknown routes → 404 JSON; the server keeps serving after every rejection; rejections are counted', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expectErrorShape(missing.json(), 'TENET_ERR_REQUEST_ROUTE_NOT_FOUND');
    await raw('{');
    await raw('{}', 'text/plain');
    expect((await raw(JSON.stringify(valid))).statusCode).toBe(200);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKENS.admin) });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('tenet_api_rejections_total{reason="request-malformed-json"} 1');
    expect(metrics.body).toContain('tenet_api_rejections_total{reason="request-unsupported-media-type"} 1');
    expect(metrics.body).toContain('tenet_api_rejections_total{reason="request-route-not-found"} 1');
    expect(metrics.body).toContain('tenet_decisions_total{outcome="allow",pep="authzen"} 1');
    expect(metrics.body).toContain('tenet_api_request_duration_seconds_count{route="/access/v1/evaluation",method="POST",status="200"} 1');
  });

  it('/metrics needs the admin scope', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKENS.pdp) })).statusCode).toBe(403);
  });
});
