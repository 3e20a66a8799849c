// Tests for POST /access/v1/evaluations (AuthZEN 1.0 §7): defaults, the three semantics and their
// short-circuit lengths, the single-evaluation fallback, and the batch cap.
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
  t.app.inject({ method: 'POST', url: '/access/v1/evaluations', headers: { 'content-type': 'application/json', ...bearer(TOKENS.pdp), ...headers }, payload: JSON.stringify(payload) });

const three = (semantic?: string) => ({
  subject: { type: 'user', id: 'alice@example.com' },
  action: { name: 'read' },
  ...(semantic === undefined ? {} : { options: { evaluations_semantic: semantic } }),
  evaluations: [
    { resource: { type: 'document', id: 'allow-1' } },
    { resource: { type: 'document', id: 'deny-2' } },
    { resource: { type: 'document', id: 'allow-3' } },
  ],
});

const decisions = (body: { evaluations: { decision: boolean }[] }) => body.evaluations.map((item) => item.decision);

describe('POST /access/v1/evaluations', () => {
  it('execute_all (the default) returns every decision in request order, without a top-level decision', async () => {
    const response = await post(three(), { 'x-request-id': 'batch-1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('batch-1');
    const body = response.json();
    expect(decisions(body)).toEqual([true, false, true]);
    expect(body.decision).toBeUndefined();
    expect(t.decisionPoint.calls).toHaveLength(3);
    expect((await post(three('execute_all'))).json().evaluations).toHaveLength(3);
  });

  it('deny_on_first_deny stops after the first deny and returns the decisions so far', async () => {
    const body = (await post(three('deny_on_first_deny'))).json();
    expect(decisions(body)).toEqual([true, false]);
    expect(t.decisionPoint.calls.map((call) => call.request.resource.id)).toEqual(['allow-1', 'deny-2']);
  });

  it('permit_on_first_permit stops after the first permit', async () => {
    const body = (await post(three('permit_on_first_permit'))).json();
    expect(decisions(body)).toEqual([true]);
    expect(t.decisionPoint.calls).toHaveLength(1);
  });

  it('short-circuit semantics treat step-up as a deny and run to the end when nothing matches', async () => {
    const payload = { ...three('deny_on_first_deny'), evaluations: [{ resource: { type: 'd', id: 'allow-1' } }, { resource: { type: 'd', id: 'stepup-2' } }, { resource: { type: 'd', id: 'allow-3' } }] };
    const body = (await post(payload)).json();
    expect(body.evaluations).toHaveLength(2);
    expect(body.evaluations[1].context.outcome).toBe('step-up');
    const none = { ...three('permit_on_first_permit'), evaluations: [{ resource: { type: 'd', id: 'deny-1' } }, { resource: { type: 'd', id: 'deny-2' } }] };
    expect(decisions((await post(none)).json())).toEqual([false, false]);
  });

  it('replaces a top-level default member as a whole with the item member (§7.1.1)', async () => {
    await post({
      subject: { type: 'User', id: 'alice', properties: { department: 'Sales' } },
      action: { name: 'can_read' },
      context: { ip: '198.51.100.7', shared: 1 },
      evaluations: [
        { resource: { type: 'Doc', id: 'allow-1' } },
        { action: { name: 'can_edit' }, subject: { type: 'User', id: 'bob' }, context: { own: 2 }, resource: { type: 'Doc', id: 'allow-2' } },
      ],
    });
    const [first, second] = t.decisionPoint.calls.map((call) => call.request);
    expect(first).toMatchObject({ subject: { id: 'alice', properties: { department: 'Sales' } }, action: { name: 'can_read' }, environment: { ip: '198.51.100.7' }, context: { shared: 1 } });
    expect(second?.subject).toEqual({ type: 'User', id: 'bob' });
    expect(second?.action).toEqual({ name: 'can_edit' });
    expect(second?.context).toEqual({ own: 2 });
    expect(second?.environment).toEqual({});
  });

  it('behaves like a single evaluation when evaluations is absent or empty (§7.1)', async () => {
    const single = { subject: { type: 'User', id: 'a' }, action: { name: 'read' }, resource: { type: 'Doc', id: 'allow-1' } };
    for (const payload of [single, { ...single, evaluations: [] }]) {
      const body = (await post(payload)).json();
      expect(body.decision).toBe(true);
      expect(body.evaluations).toBeUndefined();
      expect(body.context.outcome).toBe('allow');
    }
    const missing = await post({ action: { name: 'read' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.issues.map((issue: { path: string }) => issue.path)).toEqual(['subject', 'resource']);
  });

  it('rejects the whole batch, listing every item problem, when an item lacks a member with no default', async () => {
    const response = await post({
      action: { name: 'read' },
      evaluations: [{ subject: { type: 'User', id: 'a' }, resource: { type: 'Doc', id: 'allow-1' } }, { resource: { type: 'Doc', id: 'allow-2' } }, { subject: { type: 'User', id: '' } }],
    });
    expect(response.statusCode).toBe(400);
    const paths = response.json().error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['evaluations[1].subject', 'evaluations[2].subject.id']));
    expect(t.decisionPoint.calls).toHaveLength(0);
  });

  it('names the item context in reserved-key issues', async () => {
    const response = await post({ subject: { type: 'User', id: 'a' }, action: { name: 'read' }, evaluations: [{ resource: { type: 'Doc', id: 'x' }, context: { ip: 'nope' } }] });
    expect(response.json().error.issues[0].path).toBe('evaluations[0].context.ip');
  });

  it('refuses an unknown evaluations_semantic and ignores unknown options', async () => {
    const bad = await post(three('first_wins'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('options.evaluations_semantic');
    const extra = await post({ ...three(), options: { another_option: 'value' } });
    expect(extra.statusCode).toBe(200);
  });

  it('caps the number of evaluations (limits.maxEvaluations) with 400 and decides nothing', async () => {
    const evaluations = Array.from({ length: 11 }, (_, index) => ({ resource: { type: 'Doc', id: `allow-${index}` } }));
    const response = await post({ subject: { type: 'User', id: 'a' }, action: { name: 'read' }, evaluations });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('TENET_ERR_REQUEST_TOO_MANY_EVALUATIONS');
    expect(t.decisionPoint.calls).toHaveLength(0);
  });
});
