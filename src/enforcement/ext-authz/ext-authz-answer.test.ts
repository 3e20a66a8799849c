import { describe, expect, it } from 'vitest';
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import type { RenderedVerdict } from '../forward-auth/answer.js';
import { testDecision, testRoute } from '../forward-auth/testing/scripted-access.js';
import { authorizationProto } from './authorization-proto.js';
import { allowance, extAuthzAnswer } from './ext-authz-answer.js';

const facts: HttpRequestFacts = { method: 'GET', scheme: 'https', host: 'app.example.com', path: '/', clientIp: '203.0.113.9' };
const unauthenticated: Verdict = { kind: 'unauthenticated', route: testRoute, loginUrl: 'https://tenet.example.com/.tenet/login', browser: true, problem: 'none' };
const acceptableStatus = (status: number): boolean => authorizationProto().httpStatuses.has(status);

describe('allowance', () => {
  it('never removes a header it sets, and removes the identity headers it does not set', () => {
    const verdict: Verdict = { kind: 'allow', route: testRoute, decision: testDecision('allow'), session: undefined, cached: false, headers: { 'X-Tenet-Assertion': 'jwt' } };
    const answer = allowance(verdict, 'X-Tenet-Assertion', ['Cookie', 'X-Email', 'Remote-User', 'x-tenet-assertion', 'X-Auth-Request-User', 'Accept']);
    expect(answer.headers).toEqual({ 'X-Tenet-Assertion': 'jwt' });
    expect(answer.headersToRemove).toEqual(['remote-user', 'x-auth-request-user', 'x-email']);
  });
});

describe('a refusal is never answered with a status Envoy would read as allow or as a service failure', () => {
  it.each([
    [200, 403],
    [204, 403],
    [500, 403],
    [503, 403],
    [418, 403], // not in envoy.type.v3.StatusCode: Envoy would reject the response
    [302, 401], // a redirect without Location
    [401, 401],
    [307, 401],
  ])('rendered %i → %i', async (rendered, expected) => {
    const render = (): RenderedVerdict => ({ status: rendered, headers: {}, body: '' });
    const answer = await extAuthzAnswer(unauthenticated, facts, render, { assertionHeader: 'X-Tenet-Assertion', requestHeaderNames: [], acceptableStatus });
    expect(answer.kind === 'deny' && answer.status).toBe(expected);
  });

  it('keeps a redirect that has its Location', async () => {
    const render = (): RenderedVerdict => ({ status: 303, headers: { Location: 'https://tenet.example.com/.tenet/login' }, body: '' });
    const answer = await extAuthzAnswer(unauthenticated, facts, render, { assertionHeader: 'X-Tenet-Assertion', requestHeaderNames: [], acceptableStatus });
    expect(answer.kind === 'deny' && answer.status).toBe(303);
  });
});
