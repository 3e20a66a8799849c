// Admin API: reload, decision-log search, policy listing, and the public health check.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TenetError } from '../../errors.js';
import type { AuditRecord } from '../../audit/record.js';
import { TOKENS, bearer, buildTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(TOKENS.admin) });
const reload = () => t.app.inject({ method: 'POST', url: '/admin/v1/reload', headers: bearer(TOKENS.admin) });

function record(seq: number, outcome: AuditRecord['outcome']): AuditRecord {
  return {
    seq,
    decisionId: `d-${seq}`,
    time: `2025-06-27T18:0${seq}:00.000Z`,
    pep: 'authzen',
    caller: 'pep-gateway',
    subject: 'User::"alice"',
    action: 'Action::"read"',
    resource: `Doc::"${seq}"`,
    outcome,
    body: JSON.stringify({ reasons: [{ code: 'policy-permit' }] }),
    prevHash: '0'.repeat(64),
    hash: String(seq).repeat(64).slice(0, 64),
  };
}

describe('reload', () => {
  it('200 with the versions when accepted', async () => {
    const response = await reload();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ policy_version: 'v2-def', previous_version: 'v1-abc', changed: true });
  });

  it('422 with every issue when refused; 409 when the decision point reports a reload in progress', async () => {
    t.decisionPoint.nextReload = { ok: false, policyVersion: 'v1-abc', previousVersion: 'v1-abc', issues: [{ path: 'policies/a.cedar:3', message: 'unknown attribute' }, { path: 'policies/b.cedar:1', message: 'syntax' }] };
    const refused = await reload();
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'TENET_ERR_POLICY_RELOAD_REFUSED', issues: [{ path: 'policies/a.cedar:3' }, { path: 'policies/b.cedar:1' }] });
    t.decisionPoint.nextReload = new TenetError('TENET_ERR_POLICY_RELOAD_IN_PROGRESS', 'A reload is already running.');
    expect((await reload()).statusCode).toBe(409);
  });
});

describe('decisions', () => {
  it('searches the decision log with filters and pages with a cursor', async () => {
    await t.store.audit.append([record(1, 'allow'), record(2, 'deny'), record(3, 'allow')]);
    const first = (await get('/admin/v1/decisions?outcome=allow&limit=1')).json();
    expect(first.records).toHaveLength(1);
    expect(first.records[0]).toMatchObject({ seq: 1, decision_id: 'd-1', outcome: 'allow', body: { reasons: [{ code: 'policy-permit' }] } });
    const second = (await get(`/admin/v1/decisions?outcome=allow&limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.records[0].seq).toBe(3);
    expect(second.next_cursor).toBeUndefined();
    expect((await get('/admin/v1/decisions?from=2025-06-27T18:02:00Z&to=2025-06-27T18:03:00Z')).json().records.map((item: { seq: number }) => item.seq)).toEqual([2]);
  });

  it('lists every bad query parameter', async () => {
    const response = await get('/admin/v1/decisions?outcome=maybe&limit=0&from=yesterday');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['from', 'limit', 'outcome']);
  });
});

describe('policies and health', () => {
  it('lists the active version and policy ids', async () => {
    expect((await get('/admin/v1/policies')).json()).toEqual({ policy_version: 'v1-abc', count: 2, policy_ids: ['forbid-contractors', 'permit-readers'] });
  });

  it('health is public and reports a store outage as 503', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok' });
    t.store.down = true;
    const down = await t.app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.body).not.toContain('/var/lib');
  });

  it('admin routes refuse callers without credentials', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/entities' })).statusCode).toBe(401);
  });
});
