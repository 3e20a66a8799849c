// End to end over real HTTP: `serve()` on an ephemeral loopback port over a private copy of the
// quickstart with bearer-token auth and a real SQLite store. Proves the README's AuthZEN examples,
// caller authentication, batch semantics, that every answered decision is in the log and the chain
// verifies, that admin-API signal changes and reloads take effect on the next request, and that
// hostile input is refused with a JSON error while the server keeps serving.
//
// The tests share one server and run in order: later ones build on the signal and policy changes
// of earlier ones, and the last ones check the decision log against every decision answered.
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../src/audit/index.js';
import type { AuditRecord } from '../src/audit/index.js';
import { tokenHash } from '../src/cli/commands/token.js';
import { loadConfig } from '../src/config/load.js';
import { serve, type RunningServer } from '../src/server.js';
import type { ApiScope } from '../src/store/ports.js';
import { bobReadsWiki, copyQuickstart, entityRef, readmeRequests, reasonTerms, type QuickstartCopy, type WireDecision, type WireError } from './support/quickstart.js';

const BODY_LIMIT = 16 * 1024;
const MAX_EVALUATIONS = 20;

let copy: QuickstartCopy;
let server: RunningServer;
let pdpToken: string;
let adminToken: string;
/** Every decision id the server answered with, and its outcome: all must be in the log. */
const answered = new Map<string, WireDecision['context']['outcome']>();

async function createToken(name: string, scopes: ApiScope[]): Promise<{ id: string; token: string }> {
  const token = `tnt_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  await server.runtime.store.apiTokens.create({ id, name, tokenHash: tokenHash(token), scopes, createdAt: new Date().toISOString() });
  return { id, token };
}

interface Sent {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

/** One real HTTP request; the body is JSON-encoded unless it is already a string. */
async function send(method: string, path: string, options: { token?: string | undefined; body?: unknown; contentType?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let json: unknown = undefined;
  if (text !== '') {
    expect(response.headers.get('content-type'), `${method} ${path} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`).toMatch(/^application\/json/);
    json = JSON.parse(text);
  }
  return { status: response.status, headers: response.headers, json };
}

function remember(decision: WireDecision): WireDecision {
  answered.set(decision.context.id, decision.context.outcome);
  return decision;
}

/** POST /access/v1/evaluation with the pdp token; expects 200 and records the decision id. */
async function evaluate(request: unknown): Promise<WireDecision> {
  const response = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: request });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return remember(response.json as WireDecision);
}

function errorOf(response: Sent): WireError['error'] {
  return (response.json as WireError).error;
}

beforeAll(async () => {
  copy = copyQuickstart({ 'api.auth': 'token', 'api.bodyLimitBytes': BODY_LIMIT, 'api.maxEvaluations': MAX_EVALUATIONS });
  server = await serve(loadConfig(copy.configFile, { listen: '127.0.0.1:0' }), { logger: pino({ level: 'silent' }) });
  pdpToken = (await createToken('e2e-pep', ['pdp'])).token;
  adminToken = (await createToken('e2e-operator', ['admin'])).token;
});

afterAll(async () => {
  await server?.stop();
  copy?.cleanup();
});

describe('tenet serve, in process, over real HTTP', () => {
  it('answers the README\'s three AuthZEN examples with their outcomes and reasons', async () => {
    const requests = readmeRequests();

    const allowed = await evaluate(requests.allow);
    expect(allowed.decision).toBe(true);
    expect(allowed.context.outcome).toBe('allow');
    expect(allowed.context.reasons).toContainEqual(expect.objectContaining({ code: 'policy-permit', policy_id: 'payroll-finance' }));
    expect(allowed.context.risk).toMatchObject({ score: 0, level: 'low' });
    expect(allowed.context.obligations.cache_ttl_seconds).toBe(30);
    // The content hash of the active set, the same one the admin API names.
    const policies = await send('GET', '/admin/v1/policies', { token: adminToken });
    expect(policies.json).toMatchObject({ policy_version: allowed.context.policy_version });

    const denied = await evaluate(requests.threatListed);
    expect(denied.decision).toBe(false);
    expect(denied.context.outcome).toBe('deny');
    expect(denied.context.reasons).toContainEqual(expect.objectContaining({ code: 'policy-forbid', policy_id: 'deny-threat-listed-ip' }));
    expect(denied.context.reasons).toContainEqual(expect.objectContaining({ code: 'risk-factor', detail: 'ip-threat-listed', message: expect.stringContaining('203.0.113.7') }));

    const stepUp = await evaluate(requests.stepUp);
    expect(stepUp.decision).toBe(false);
    expect(stepUp.context.outcome).toBe('step-up');
    expect(stepUp.context.step_up).toMatchObject({ phishing_resistant: true });
    expect(reasonTerms(stepUp)).toContain('step-up-required');
  });

  it('echoes X-Request-ID and serves the public discovery and health documents', async () => {
    const response = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: bobReadsWiki(), headers: { 'x-request-id': 'e2e-request-7' } });
    expect(response.status).toBe(200);
    remember(response.json as WireDecision);
    expect(response.headers.get('x-request-id')).toBe('e2e-request-7');

    const discovery = await send('GET', '/.well-known/authzen-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.json).toMatchObject({ access_evaluation_endpoint: expect.stringMatching(/\/access\/v1\/evaluation$/) });
    expect((await send('GET', '/health')).status).toBe(200);
  });

  describe('caller authentication', () => {
    it('refuses a request without a token: 401 with a Bearer challenge, before deciding anything', async () => {
      const before = (await server.runtime.store.audit.last())?.seq ?? 0;
      const response = await send('POST', '/access/v1/evaluation', { body: readmeRequests().allow });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tenet"');
      expect(errorOf(response).code).toBe('TENET_ERR_AUTH_MISSING_CREDENTIALS');
      expect((await server.runtime.store.audit.last())?.seq ?? 0).toBe(before);
    });

    it('refuses a forged token and a token that is not a Bearer token with 401 invalid_token', async () => {
      const forged = await send('POST', '/access/v1/evaluation', { token: `tnt_${randomBytes(32).toString('base64url')}`, body: readmeRequests().allow });
      expect(forged.status).toBe(401);
      expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(errorOf(forged).code).toBe('TENET_ERR_AUTH_INVALID_TOKEN');

      // The hash of a real token is not itself a token.
      const hashAsToken = await send('POST', '/access/v1/evaluation', { token: tokenHash(pdpToken), body: readmeRequests().allow });
      expect(hashAsToken.status).toBe(401);

      const basic = await send('GET', '/admin/v1/policies', { headers: { authorization: `Basic ${Buffer.from(`x:${adminToken}`).toString('base64')}` } });
      expect(basic.status).toBe(401);
      expect(errorOf(basic).code).toBe('TENET_ERR_AUTH_INVALID_TOKEN');
    });

    it('keeps each scope to its endpoints: pdp token on /admin is 403, admin token on /access is 403', async () => {
      const pdpOnAdmin = await send('GET', '/admin/v1/decisions', { token: pdpToken });
      expect(pdpOnAdmin.status).toBe(403);
      expect(pdpOnAdmin.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(errorOf(pdpOnAdmin).code).toBe('TENET_ERR_AUTH_INSUFFICIENT_SCOPE');

      const adminOnPdp = await send('POST', '/access/v1/evaluation', { token: adminToken, body: readmeRequests().allow });
      expect(adminOnPdp.status).toBe(403);

      const pdpReload = await send('POST', '/admin/v1/reload', { token: pdpToken });
      expect(pdpReload.status).toBe(403);
    });

    it('refuses a revoked token from the next request on', async () => {
      const { id, token } = await createToken('soon-revoked', ['pdp']);
      const before = await send('POST', '/access/v1/evaluation', { token, body: bobReadsWiki() });
      expect(before.status).toBe(200);
      remember(before.json as WireDecision);

      expect(await server.runtime.store.apiTokens.revoke(id, new Date().toISOString())).toBe(true);
      const after = await send('POST', '/access/v1/evaluation', { token, body: bobReadsWiki() });
      expect(after.status).toBe(401);
      expect(errorOf(after).code).toBe('TENET_ERR_AUTH_TOKEN_REVOKED');
      expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('records the token\'s name as the caller of its decisions', async () => {
      const decision = await evaluate(bobReadsWiki());
      const { records } = await server.runtime.store.audit.query({ decisionId: decision.context.id, limit: 1 });
      expect(records[0]?.caller).toContain('e2e-pep');
      expect(records[0]?.pep).toBe('authzen');
    });
  });

  describe('/access/v1/evaluations', () => {
    const requests = readmeRequests();
    const items = {
      allow: { action: requests.allow.action, resource: requests.allow.resource, context: requests.allow.context },
      deny: { action: requests.threatListed.action, resource: requests.threatListed.resource, context: requests.threatListed.context },
      stepUp: { action: requests.stepUp.action, resource: requests.stepUp.resource, context: requests.stepUp.context },
    };

    async function batch(semantic: string | undefined, evaluations: unknown[]): Promise<{ decisions: WireDecision[]; logged: number }> {
      const before = (await server.runtime.store.audit.last())?.seq ?? 0;
      const response = await send('POST', '/access/v1/evaluations', {
        token: pdpToken,
        body: { subject: { type: 'User', id: 'alice' }, evaluations, ...(semantic === undefined ? {} : { options: { evaluations_semantic: semantic } }) },
      });
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      const body = response.json as { evaluations: WireDecision[]; decision?: unknown };
      expect(body).not.toHaveProperty('decision');
      body.evaluations.forEach(remember);
      const after = (await server.runtime.store.audit.last())?.seq ?? 0;
      return { decisions: body.evaluations, logged: after - before };
    }

    it('execute_all (the default) decides every item, in request order', async () => {
      for (const semantic of [undefined, 'execute_all']) {
        const { decisions, logged } = await batch(semantic, [items.allow, items.deny, items.stepUp, items.allow]);
        expect(decisions.map((decision) => decision.context.outcome)).toEqual(['allow', 'deny', 'step-up', 'allow']);
        expect(logged).toBe(4);
      }
    });

    it('deny_on_first_deny stops after the first false decision (a step-up counts) and logs nothing after it', async () => {
      const { decisions, logged } = await batch('deny_on_first_deny', [items.allow, items.stepUp, items.allow, items.deny]);
      expect(decisions.map((decision) => decision.context.outcome)).toEqual(['allow', 'step-up']);
      expect(logged).toBe(2);
    });

    it('permit_on_first_permit stops after the first allow and logs nothing after it', async () => {
      const { decisions, logged } = await batch('permit_on_first_permit', [items.deny, items.stepUp, items.allow, items.deny, items.allow]);
      expect(decisions.map((decision) => decision.decision)).toEqual([false, false, true]);
      expect(logged).toBe(3);
    });

    it('refuses an unknown semantic, and a batch with one bad item decides and logs nothing', async () => {
      const before = (await server.runtime.store.audit.last())?.seq ?? 0;
      const unknown = await send('POST', '/access/v1/evaluations', {
        token: pdpToken,
        body: { subject: { type: 'User', id: 'alice' }, evaluations: [items.allow], options: { evaluations_semantic: 'allow_everything' } },
      });
      expect(unknown.status).toBe(400);

      const oneBad = await send('POST', '/access/v1/evaluations', { token: pdpToken, body: { evaluations: [{ subject: { type: 'User', id: 'alice' }, ...items.allow }, items.deny] } });
      expect(oneBad.status).toBe(400);
      expect(errorOf(oneBad).issues?.map((issue) => issue.path)).toContain('evaluations[1].subject');
      expect((await server.runtime.store.audit.last())?.seq ?? 0).toBe(before);
    });
  });

  describe('signals changed through the admin API apply to the very next decision', () => {
    it('a threat indicator covering an allowed request\'s IP denies it with ip-threat-listed; removing it allows again', async () => {
      const request = readmeRequests().allow;
      expect((await evaluate(request)).context.outcome).toBe('allow');

      const put = await send('PUT', '/admin/v1/indicators?source=e2e-feed&category=botnet', { token: adminToken, body: '# e2e\n192.0.2.0/28\n', contentType: 'text/plain' });
      expect(put.status, JSON.stringify(put.json)).toBe(200);
      expect(put.json).toEqual({ imported: 1, source: 'e2e-feed' });

      const denied = await evaluate(request);
      expect(denied.context.outcome).toBe('deny');
      expect(reasonTerms(denied)).toEqual(expect.arrayContaining(['ip-threat-listed', 'deny-threat-listed-ip']));

      const removed = await send('DELETE', '/admin/v1/indicators?source=e2e-feed', { token: adminToken });
      expect(removed.json).toEqual({ removed: 1 });
      expect((await evaluate(request)).context.outcome).toBe('allow');
    });

    it('quarantining the device denies its user at once; re-activating it allows again', async () => {
      const request = readmeRequests().allow;
      const quarantine = await send('POST', '/admin/v1/devices/alice-laptop/status', { token: adminToken, body: { status: 'quarantined' } });
      expect(quarantine.status, JSON.stringify(quarantine.json)).toBe(200);

      const denied = await evaluate(request);
      expect(denied.context.outcome).toBe('deny');
      expect(reasonTerms(denied)).toEqual(expect.arrayContaining(['deny-quarantined-device', 'device-quarantined']));

      await send('POST', '/admin/v1/devices/alice-laptop/status', { token: adminToken, body: { status: 'active' } });
      expect((await evaluate(request)).context.outcome).toBe('allow');
    });

    it('a quarantine made through the admin API survives a reload of unchanged policies and signal files', async () => {
      const request = readmeRequests().allow;
      await send('POST', '/admin/v1/devices/alice-laptop/status', { token: adminToken, body: { status: 'quarantined' } });
      expect((await evaluate(request)).context.outcome).toBe('deny');

      // signals/devices.json lists alice-laptop as active; re-reading it must not lift the quarantine.
      const reload = await send('POST', '/admin/v1/reload', { token: adminToken });
      expect(reload.status, JSON.stringify(reload.json)).toBe(200);
      const afterReload = await evaluate(request);
      expect(afterReload.context.outcome).toBe('deny');
      expect(reasonTerms(afterReload)).toContain('device-quarantined');

      await send('POST', '/admin/v1/devices/alice-laptop/status', { token: adminToken, body: { status: 'active' } });
      expect((await evaluate(request)).context.outcome).toBe('allow');
    });

    it('refuses a status change for an unknown device or with an unknown status, changing nothing', async () => {
      const unknownDevice = await send('POST', '/admin/v1/devices/no-such-device/status', { token: adminToken, body: { status: 'quarantined' } });
      expect(unknownDevice.status).toBe(404);
      const badStatus = await send('POST', '/admin/v1/devices/alice-laptop/status', { token: adminToken, body: { status: 'compromised' } });
      expect(badStatus.status).toBe(400);
      expect((await evaluate(readmeRequests().allow)).context.outcome).toBe('allow');
    });
  });

  describe('reload', () => {
    const brokenFile = () => join(copy.policiesDir, 'zz-e2e.cedar');

    it('refuses a syntactically broken policy file with 422 naming the file, and the previous policy set keeps answering', async () => {
      const before = await evaluate(bobReadsWiki());
      expect(before.context.outcome).toBe('allow');

      writeFileSync(brokenFile(), '@id("half-written")\nforbid (principal, action, resource)\nwhen { context.device.known && ;\n');
      const reload = await send('POST', '/admin/v1/reload', { token: adminToken });
      expect(reload.status).toBe(422);
      const error = errorOf(reload);
      expect(error.code).toBe('TENET_ERR_POLICY_RELOAD_REFUSED');
      expect(error.issues?.some((issue) => issue.path.includes('zz-e2e.cedar'))).toBe(true);

      const after = await evaluate(bobReadsWiki());
      expect(after.context.outcome).toBe('allow');
      expect(after.context.policy_version).toBe(before.context.policy_version);
      expect((await send('GET', '/admin/v1/policies', { token: adminToken })).json).toMatchObject({ policy_version: before.context.policy_version });
    });

    it('accepts the fixed file: a new policy_version answers and the new policy decides', async () => {
      const before = await evaluate(bobReadsWiki());
      writeFileSync(brokenFile(), '@id("e2e-no-wiki-for-bob")\nforbid (principal == User::"bob", action == Action::"read", resource == App::"wiki");\n');
      const reload = await send('POST', '/admin/v1/reload', { token: adminToken });
      expect(reload.status, JSON.stringify(reload.json)).toBe(200);
      const body = reload.json as { policy_version: string; previous_version: string; changed: boolean };
      expect(body).toMatchObject({ previous_version: before.context.policy_version, changed: true });
      expect(body.policy_version).not.toBe(before.context.policy_version);

      const after = await evaluate(bobReadsWiki());
      expect(after.context.policy_version).toBe(body.policy_version);
      expect(after.context.outcome).toBe('deny');
      expect(after.context.reasons).toContainEqual(expect.objectContaining({ code: 'policy-forbid', policy_id: 'e2e-no-wiki-for-bob' }));
      expect((await send('GET', '/admin/v1/policies', { token: adminToken })).json).toMatchObject({ policy_ids: expect.arrayContaining(['e2e-no-wiki-for-bob']) });

      rmSync(brokenFile());
      const restored = await send('POST', '/admin/v1/reload', { token: adminToken });
      expect(restored.json).toMatchObject({ policy_version: before.context.policy_version });
      expect((await evaluate(bobReadsWiki())).context.outcome).toBe('allow');
    });
  });

  describe('hostile and malformed requests get a JSON error and change nothing', () => {
    it('a caller cannot forge Tenet\'s trust signals: context.risk or context.device is a deny with invalid-request', async () => {
      const request = readmeRequests().allow;
      for (const forged of [{ risk: { score: 0, level: 'low' } }, { device: { known: true, managed: true, compliant: true, status: 'active', postureFresh: true } }]) {
        const decision = await evaluate({ ...request, context: { ...request.context, ...forged } });
        expect(decision.context.outcome).toBe('deny');
        expect(reasonTerms(decision)).toContain('invalid-request');
      }
    });

    it('a reserved context key with the wrong shape is a 400 naming its path, not a silent downgrade', async () => {
      const request = readmeRequests().allow;
      const misspelt = await send('POST', '/access/v1/evaluation', {
        token: pdpToken,
        body: { ...request, context: { ...request.context, authn: { methods: ['hwk'], phishingResistant: true } } },
      });
      expect(misspelt.status).toBe(400);
      expect(errorOf(misspelt).issues?.map((issue) => issue.path).join(' ')).toContain('context.authn');

      const badIp = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: { ...request, context: { ...request.context, ip: '192.0.2.999' } } });
      expect(badIp.status).toBe(400);
    });

    it('refuses __proto__ and constructor.prototype anywhere in the body', async () => {
      const before = (await server.runtime.store.audit.last())?.seq ?? 0;
      const allow = JSON.stringify(readmeRequests().allow);
      for (const body of [
        allow.replace('"context":{', '"context":{"__proto__":{"isAdmin":true},'),
        allow.replace('"subject":{', '"subject":{"properties":{"constructor":{"prototype":{"polluted":true}}},'),
      ]) {
        const response = await send('POST', '/access/v1/evaluation', { token: pdpToken, body });
        expect(response.status).toBe(400);
        expect(errorOf(response).code).toBe('TENET_ERR_REQUEST_FORBIDDEN_KEY');
      }
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect((await server.runtime.store.audit.last())?.seq ?? 0).toBe(before);
    });

    it('refuses a subject type that is not a Cedar name, and evaluations sent to the single endpoint', async () => {
      for (const type of ['User") || true || ("', 'User::', '9User', '']) {
        const response = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: { ...readmeRequests().allow, subject: { type, id: 'alice' } } });
        expect(response.status, type).toBe(400);
        expect(errorOf(response).issues?.map((issue) => issue.path)).toContain('subject.type');
      }
      const batchOnSingle = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: { ...readmeRequests().allow, evaluations: [{}] } });
      expect(batchOnSingle.status).toBe(400);
    });

    it('refuses more evaluations than api.maxEvaluations with 400 TOO_MANY_EVALUATIONS', async () => {
      const evaluations = Array.from({ length: MAX_EVALUATIONS + 1 }, () => ({ action: { name: 'read' }, resource: { type: 'App', id: 'wiki' } }));
      const response = await send('POST', '/access/v1/evaluations', { token: pdpToken, body: { subject: { type: 'User', id: 'bob' }, evaluations } });
      expect(response.status).toBe(400);
      expect(errorOf(response).code).toBe('TENET_ERR_REQUEST_TOO_MANY_EVALUATIONS');
    });

    it('refuses a wrong content type (415), malformed JSON (400), an empty body (400) and an oversized body (413)', async () => {
      const allow = JSON.stringify(readmeRequests().allow);
      const wrongType = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: allow, contentType: 'text/plain' });
      expect(wrongType.status).toBe(415);
      expect(errorOf(wrongType).code).toBe('TENET_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE');

      const formType = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: 'subject=alice', contentType: 'application/x-www-form-urlencoded' });
      expect(formType.status).toBe(415);

      const malformed = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: allow.slice(0, -3) });
      expect(malformed.status).toBe(400);
      expect(errorOf(malformed).code).toBe('TENET_ERR_REQUEST_MALFORMED_JSON');

      const empty = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: ' ' });
      expect(empty.status).toBe(400);
      expect(errorOf(empty).code).toBe('TENET_ERR_REQUEST_EMPTY_BODY');

      const padded = { ...readmeRequests().allow, padding: 'x'.repeat(BODY_LIMIT + 1) };
      const oversized = await send('POST', '/access/v1/evaluation', { token: pdpToken, body: padded });
      expect(oversized.status).toBe(413);
      expect(errorOf(oversized).code).toBe('TENET_ERR_REQUEST_BODY_TOO_LARGE');
    });

    it('answers an unknown route with a JSON 404', async () => {
      const response = await send('GET', '/access/v2/evaluation', { token: pdpToken });
      expect(response.status).toBe(404);
      expect(errorOf(response).code).toBe('TENET_ERR_REQUEST_ROUTE_NOT_FOUND');
    });

    it('keeps serving afterwards', async () => {
      expect((await send('GET', '/health')).status).toBe(200);
      expect((await evaluate(readmeRequests().allow)).context.outcome).toBe('allow');
    });
  });

  describe('the decision log', () => {
    async function allRecordsViaAdminApi(query = ''): Promise<{ decision_id: string; outcome: string; subject: string; body: { decision: { outcome: string } } }[]> {
      const records = [];
      let cursor: string | undefined;
      do {
        const page = await send('GET', `/admin/v1/decisions?limit=50${query}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, { token: adminToken });
        expect(page.status, JSON.stringify(page.json)).toBe(200);
        const body = page.json as { records: { decision_id: string; outcome: string; subject: string; body: { decision: { outcome: string } } }[]; next_cursor?: string };
        records.push(...body.records);
        cursor = body.next_cursor;
      } while (cursor !== undefined);
      return records;
    }

    it('holds every decision answered, with the outcome answered, readable through GET /admin/v1/decisions', async () => {
      expect(answered.size).toBeGreaterThan(30);
      const records = await allRecordsViaAdminApi();
      const byId = new Map(records.map((record) => [record.decision_id, record]));
      expect(byId.size).toBe(records.length);
      for (const [id, outcome] of answered) {
        expect(byId.get(id)?.outcome, `decision ${id}`).toBe(outcome);
        expect(byId.get(id)?.body.decision.outcome).toBe(outcome);
      }
      // Nothing was logged that was not answered: refused requests (401/403/400/413/415) decide nothing.
      expect(records.length).toBe(answered.size);
    });

    it('finds decisions by subject through the admin API and by decision id in the store', async () => {
      const bob = entityRef('User', 'bob');
      const bobs = await allRecordsViaAdminApi(`&subject=${encodeURIComponent(bob)}`);
      expect(bobs.length).toBeGreaterThan(0);
      expect(bobs.every((record) => record.subject === bob)).toBe(true);

      const [someId] = answered.keys();
      const { records } = await server.runtime.store.audit.query({ decisionId: someId ?? '', limit: 10 });
      expect(records.map((record: AuditRecord) => record.decisionId)).toEqual([someId]);
    });

    it('verifies: hash chain intact from the first record to the last', async () => {
      const result = await verifyAuditLog(server.runtime.store.audit, [server.runtime.auditKey.publicKey]);
      expect(result).toMatchObject({ ok: true, records: answered.size, lastSeq: answered.size });
    });
  });
});
