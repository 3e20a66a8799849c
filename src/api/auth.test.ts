// Tests for caller authentication and scopes (bearer tokens; mTLS has its own file).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS, bearer, buildTestApp, type TestApp } from './testing/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

const evaluation = { subject: { type: 'User', id: 'a' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' } };
const evaluate = (headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/access/v1/evaluation', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(evaluation) });

describe('bearer token authentication', () => {
  it('401 with a Bearer challenge when no token is sent', async () => {
    const response = await evaluate({});
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="tenet"');
    expect(response.json().error.code).toBe('TENET_ERR_AUTH_MISSING_CREDENTIALS');
    expect(t.decisionPoint.calls).toHaveLength(0);
  });

  it('401 invalid_token for an unknown token, a non-Bearer scheme, and a revoked token', async () => {
    for (const [headers, code] of [
      [bearer('no-such-token'), 'TENET_ERR_AUTH_INVALID_TOKEN'],
      [{ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'TENET_ERR_AUTH_INVALID_TOKEN'],
      [bearer(TOKENS.revoked), 'TENET_ERR_AUTH_TOKEN_REVOKED'],
    ] as const) {
      const response = await evaluate(headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="tenet", error="invalid_token"');
      expect(response.json().error.code).toBe(code);
    }
  });

  it('403 insufficient_scope for a valid token without the route scope', async () => {
    const response = await evaluate(bearer(TOKENS.admin));
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope", scope="pdp"');
    const admin = await t.app.inject({ method: 'GET', url: '/admin/v1/policies', headers: bearer(TOKENS.pdp) });
    expect(admin.statusCode).toBe(403);
  });

  it('accepts store tokens and static config tokens, naming the caller in DecisionMeta', async () => {
    expect((await evaluate(bearer(TOKENS.pdp))).statusCode).toBe(200);
    expect((await evaluate({ authorization: `bearer ${TOKENS.static}` })).statusCode).toBe(200);
    expect(t.decisionPoint.calls.map((call) => call.meta.caller)).toEqual(['pep-gateway', 'config-pep']);
  });

  it('checks the caller before reading the body (401 rather than 413 or 400)', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/access/v1/evaluation', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    expect(response.statusCode).toBe(401);
  });

  it('never writes a token to the log', async () => {
    await evaluate(bearer(TOKENS.pdp));
    await evaluate(bearer(TOKENS.revoked));
    await evaluate(bearer('some-guess-token'));
    const log = t.logs.join('');
    expect(log).toContain('request rejected');
    for (const secret of [TOKENS.pdp, TOKENS.revoked, 'some-guess-token']) expect(log).not.toContain(secret);
  });

  it('a store outage during token lookup is a 503 without internal detail', async () => {
    t.store.down = true;
    const response = await evaluate(bearer(TOKENS.pdp));
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('TENET_ERR_STORE_UNAVAILABLE');
    expect(response.body).not.toContain('/var/lib/tenet');
  });
});

describe('auth mode none (loopback, checked by the composition root)', () => {
  it('admits callers without credentials to every scope', async () => {
    const open = await buildTestApp({ auth: { mode: 'none' } });
    const response = await open.app.inject({ method: 'POST', url: '/access/v1/evaluation', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(evaluation) });
    expect(response.statusCode).toBe(200);
    expect(open.decisionPoint.calls[0]?.meta.caller).toBe('loopback');
    expect((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    await open.app.close();
  });
});
