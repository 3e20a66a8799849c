// The SSF 1.0 management API and RFC 8936 poll delivery over HTTP (fastify inject on the real
// routes, real SQLite, real ES256 signatures verified with jose).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAEP_EVENTS, SSF_VERIFICATION_EVENT } from '../caep-events.js';
import { POLL_DELIVERY, PUSH_DELIVERY } from './stream-config.js';
import { ISSUER, startHarness, verifySet, type Harness } from './test-harness.js';

let h: Harness;
let token: string;
const ALICE = { subject: { type: 'User', id: 'alice' }, email: 'Alice@Example.com', idp: { issuer: 'https://idp.example', sub: 'a-123' } };
const BOB = { subject: { type: 'User', id: 'bob' }, email: 'bob@example.com' };

beforeEach(async () => {
  h = await startHarness();
  token = await h.token(['ssf']);
});
afterEach(async () => {
  await h.close();
});

/** `bearer` null sends no Authorization header. */
const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, bearer: string | null = token) =>
  h.app.inject({
    method,
    url,
    headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

async function createPollStream(extra: Record<string, unknown> = {}, bearer = token): Promise<string> {
  const response = await call('POST', '/ssf/stream', { delivery: { method: POLL_DELIVERY }, aud: 'https://receiver.example', events_requested: Object.values(CAEP_EVENTS), ...extra }, bearer);
  expect(response.statusCode).toBe(201);
  return response.json<{ stream_id: string }>().stream_id;
}

async function poll(streamId: string, body: Record<string, unknown>): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
  const response = await call('POST', `/ssf/poll/${streamId}`, body);
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('metadata and keys', () => {
  it('publishes the transmitter configuration (SSF 1.0 §7.1) without authentication', async () => {
    const response = await call('GET', '/.well-known/ssf-configuration', undefined, null);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      spec_version: '1_0',
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/ssf/jwks.json`,
      delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
      configuration_endpoint: `${ISSUER}/ssf/stream`,
      status_endpoint: `${ISSUER}/ssf/status`,
      add_subject_endpoint: `${ISSUER}/ssf/subjects/add`,
      remove_subject_endpoint: `${ISSUER}/ssf/subjects/remove`,
      verification_endpoint: `${ISSUER}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
      default_subjects: 'ALL',
    });
  });

  it('publishes one ES256 P-256 public key with a kid, and no private part', async () => {
    const jwks = (await call('GET', '/ssf/jwks.json', undefined, null)).json<{ keys: Record<string, unknown>[] }>();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: h.signer.keyId });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('stream management (SSF 1.0 §8.1)', () => {
  it('requires a bearer token with the ssf scope', async () => {
    expect((await call('GET', '/ssf/stream', undefined, null)).statusCode).toBe(401);
    expect((await call('GET', '/ssf/stream', undefined, 'not-a-token')).statusCode).toBe(401);
    const pdpOnly = await h.token(['pdp', 'admin']);
    const forbidden = await call('GET', '/ssf/stream', undefined, pdpOnly);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['www-authenticate']).toContain('scope="ssf"');
  });

  it('creates, reads, updates, replaces and deletes a stream; events_delivered is requested ∩ supported', async () => {
    const created = await call('POST', '/ssf/stream', {
      delivery: { method: PUSH_DELIVERY, endpoint_url: 'https://receiver.example/events', authorization_header: 'Bearer push-secret' },
      events_requested: [CAEP_EVENTS.sessionRevoked, CAEP_EVENTS.credentialChange, 'urn:example:unknown'],
      description: 'first',
    });
    expect(created.statusCode).toBe(201);
    const stream = created.json<Record<string, unknown>>();
    expect(stream).toMatchObject({
      iss: ISSUER,
      aud: 'https://receiver.example',
      delivery: { method: PUSH_DELIVERY, endpoint_url: 'https://receiver.example/events' },
      events_requested: [CAEP_EVENTS.sessionRevoked, CAEP_EVENTS.credentialChange, 'urn:example:unknown'],
      events_delivered: [CAEP_EVENTS.sessionRevoked],
      description: 'first',
    });
    expect(JSON.stringify(stream)).not.toContain('push-secret');
    const id = stream['stream_id'] as string;

    expect((await call('GET', `/ssf/stream?stream_id=${id}`)).json()).toEqual(stream);
    expect((await call('GET', '/ssf/stream')).json()).toEqual([stream]);

    const patched = await call('PATCH', '/ssf/stream', { stream_id: id, iss: ISSUER, events_requested: [CAEP_EVENTS.riskLevelChange, CAEP_EVENTS.sessionRevoked] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ description: 'first', events_delivered: [CAEP_EVENTS.sessionRevoked, CAEP_EVENTS.riskLevelChange], delivery: { method: PUSH_DELIVERY } });
    expect((await h.store.ssfTransmitter.getStream(id))?.authorizationHeader).toBe('Bearer push-secret');

    const replaced = await call('PUT', '/ssf/stream', { stream_id: id, delivery: { method: POLL_DELIVERY }, events_requested: [CAEP_EVENTS.deviceComplianceChange] });
    expect(replaced.statusCode).toBe(200);
    const after = replaced.json<Record<string, unknown>>();
    expect(after).toMatchObject({ delivery: { method: POLL_DELIVERY, endpoint_url: `${ISSUER}/ssf/poll/${id}` }, events_delivered: [CAEP_EVENTS.deviceComplianceChange] });
    expect(after).not.toHaveProperty('description');
    expect((await h.store.ssfTransmitter.getStream(id))?.authorizationHeader).toBeUndefined();

    expect((await call('DELETE', `/ssf/stream?stream_id=${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/ssf/stream?stream_id=${id}`)).statusCode).toBe(404);
    expect((await call('GET', '/ssf/stream')).json()).toEqual([]);
  });

  it('refuses bad input with the path of each problem and changes nothing', async () => {
    const bad = await call('POST', '/ssf/stream', { delivery: { method: PUSH_DELIVERY, endpoint_url: 'ftp://x' }, events_requested: 'all' });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ error: { issues: { path: string }[] } }>().error.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['delivery.endpoint_url', 'events_requested']));
    expect((await call('POST', '/ssf/stream', { delivery: { method: 'urn:example:carrier-pigeon' } })).statusCode).toBe(400);
    expect((await call('POST', '/ssf/stream', { iss: 'https://someone-else.example' })).statusCode).toBe(400);
    expect((await call('GET', '/ssf/stream')).json()).toEqual([]);

    const id = await createPollStream();
    const before = (await call('GET', `/ssf/stream?stream_id=${id}`)).json();
    expect((await call('PATCH', '/ssf/stream', { events_requested: [] })).statusCode).toBe(400);
    expect((await call('PATCH', '/ssf/stream', { stream_id: id, aud: 'https://other.example' })).statusCode).toBe(400);
    expect((await call('PATCH', '/ssf/stream', { stream_id: id, events_delivered: [CAEP_EVENTS.credentialChange] })).statusCode).toBe(400);
    expect((await call('POST', '/ssf/status', { stream_id: id, status: 'asleep' })).statusCode).toBe(400);
    expect((await call('DELETE', '/ssf/stream')).statusCode).toBe(400);
    expect((await call('GET', `/ssf/stream?stream_id=${id}`)).json()).toEqual(before);
  });

  it('keeps receivers apart: another token neither sees nor changes your stream', async () => {
    const mine = await createPollStream();
    const other = await h.token(['ssf'], 'receiver');
    const theirs = await createPollStream({}, other);
    expect((await call('GET', '/ssf/stream', undefined, other)).json<{ stream_id: string }[]>().map((one) => one.stream_id)).toEqual([theirs]);
    expect((await call('GET', `/ssf/stream?stream_id=${mine}`, undefined, other)).statusCode).toBe(404);
    expect((await call('PATCH', '/ssf/stream', { stream_id: mine, description: 'hijacked' }, other)).statusCode).toBe(404);
    expect((await call('PUT', '/ssf/stream', { stream_id: mine }, other)).statusCode).toBe(404);
    expect((await call('POST', '/ssf/status', { stream_id: mine, status: 'disabled' }, other)).statusCode).toBe(404);
    expect((await call('GET', `/ssf/status?stream_id=${mine}`, undefined, other)).statusCode).toBe(404);
    expect((await call('POST', '/ssf/subjects/remove', { stream_id: mine, subject: { format: 'email', email: 'bob@example.com' } }, other)).statusCode).toBe(404);
    expect((await call('POST', '/ssf/verify', { stream_id: mine }, other)).statusCode).toBe(404);
    expect((await call('POST', `/ssf/poll/${mine}`, { returnImmediately: true }, other)).statusCode).toBe(404);
    expect((await call('DELETE', `/ssf/stream?stream_id=${mine}`, undefined, other)).statusCode).toBe(404);
    expect((await call('GET', `/ssf/status?stream_id=${mine}`)).json()).toEqual({ stream_id: mine, status: 'enabled' });
    expect((await call('GET', '/ssf/stream')).json<{ stream_id: string }[]>().map((one) => one.stream_id)).toEqual([mine]);
  });

  it('reads and changes the status: paused keeps events, disabled drops them', async () => {
    const id = await createPollStream();
    const paused = await call('POST', '/ssf/status', { stream_id: id, status: 'paused', reason: 'maintenance' });
    expect(paused.json()).toEqual({ stream_id: id, status: 'paused', reason: 'maintenance' });
    expect((await call('GET', `/ssf/status?stream_id=${id}`)).json()).toEqual({ stream_id: id, status: 'paused', reason: 'maintenance' });

    expect(await h.transmitter.sessionRevoked(ALICE, 'admin revoked')).toBe(1);
    expect(await poll(id, { returnImmediately: true })).toEqual({ sets: {}, moreAvailable: false });
    await call('POST', '/ssf/status', { stream_id: id, status: 'enabled' });
    expect(Object.keys((await poll(id, { returnImmediately: true })).sets)).toHaveLength(1);

    await call('POST', '/ssf/status', { stream_id: id, status: 'disabled' });
    expect(await h.transmitter.sessionRevoked(ALICE, 'again')).toBe(0);
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(0);
    await call('POST', '/ssf/status', { stream_id: id, status: 'enabled' });
    expect(await poll(id, { returnImmediately: true })).toEqual({ sets: {}, moreAvailable: false });
  });
});

describe('subjects and event selection', () => {
  it('with default_subjects NONE, sends only events about added subjects, until removed', async () => {
    await h.close();
    h = await startHarness({ defaultSubjects: 'NONE' });
    token = await h.token(['ssf']);
    const id = await createPollStream();
    expect(await h.transmitter.sessionRevoked(ALICE, 'no subjects yet')).toBe(0);

    const added = await call('POST', '/ssf/subjects/add', { stream_id: id, subject: { format: 'email', email: 'alice@example.com' }, verified: true });
    expect(added.statusCode).toBe(200);
    expect(await h.transmitter.sessionRevoked(ALICE, 'added by email')).toBe(1);
    expect(await h.transmitter.sessionRevoked(BOB, 'not added')).toBe(0);

    // A complex subject matches member by member.
    await call('POST', '/ssf/subjects/add', { stream_id: id, subject: { format: 'complex', user: { format: 'iss_sub', iss: 'https://idp.example', sub: 'b-1' } } });
    expect(await h.transmitter.riskLevelChanged({ ...BOB, idp: { issuer: 'https://idp.example', sub: 'b-1' } }, 'low', 'high', 'impossible travel')).toBe(1);

    expect((await call('POST', '/ssf/subjects/remove', { stream_id: id, subject: { format: 'email', email: 'ALICE@example.com' } })).statusCode).toBe(204);
    expect(await h.transmitter.sessionRevoked(ALICE, 'removed')).toBe(0);
    expect((await call('POST', '/ssf/subjects/add', { stream_id: id, subject: { format: 'email' } })).statusCode).toBe(400);
  });

  it('with default_subjects ALL, sends events about everyone except removed subjects, and only requested event types', async () => {
    const id = await createPollStream({ events_requested: [CAEP_EVENTS.sessionRevoked] });
    expect(await h.transmitter.sessionRevoked(BOB, 'anyone')).toBe(1);
    expect(await h.transmitter.deviceComplianceChanged('dev-1', BOB, false, 'disk encryption off')).toBe(0);
    await call('POST', '/ssf/subjects/remove', { stream_id: id, subject: { format: 'opaque', id: 'User::"bob"' } });
    expect(await h.transmitter.sessionRevoked(BOB, 'removed')).toBe(0);
    expect(await h.transmitter.sessionRevoked(ALICE, 'still wanted')).toBe(1);
  });
});

describe('SETs and poll delivery (RFC 8936)', () => {
  it('signs CAEP SETs a receiver can verify: typ, iss, aud, sub_id, one event with its payload', async () => {
    const id = await createPollStream();
    const jwks = (await call('GET', '/ssf/jwks.json', undefined, null)).json<{ keys: object[] }>();
    await h.transmitter.sessionRevoked({ ...ALICE, session: 'sess-1' }, 'signed out by admin', 'admin');
    await h.transmitter.deviceComplianceChanged('dev-9', undefined, false, 'firewall off');
    await h.transmitter.riskLevelChanged(BOB, undefined, 'medium', 'new device');
    const { sets } = await poll(id, { returnImmediately: true });
    const claims = await Promise.all(Object.values(sets).map((set) => verifySet(set, jwks, 'https://receiver.example')));
    expect(claims).toHaveLength(3);
    for (const [jti, set] of Object.entries(sets)) expect((await verifySet(set, jwks, 'https://receiver.example')).jti).toBe(jti);
    const [revoked, device, risk] = claims;
    expect(revoked).toMatchObject({
      iss: ISSUER,
      aud: 'https://receiver.example',
      sub_id: { format: 'complex', user: { format: 'iss_sub', iss: 'https://idp.example', sub: 'a-123' }, session: { format: 'opaque', id: 'sess-1' } },
      events: { [CAEP_EVENTS.sessionRevoked]: { initiating_entity: 'admin', reason_admin: { en: 'signed out by admin' } } },
    });
    expect(revoked).not.toHaveProperty('sub');
    expect(revoked).not.toHaveProperty('exp');
    expect(typeof revoked?.iat).toBe('number');
    expect(typeof revoked?.['txn']).toBe('string');
    expect(Object.keys(revoked?.['events'] as object)).toHaveLength(1);
    expect((revoked?.['events'] as Record<string, { event_timestamp: number }>)[CAEP_EVENTS.sessionRevoked]?.event_timestamp).toEqual(expect.any(Number));
    expect(device).toMatchObject({ sub_id: { format: 'complex', device: { format: 'opaque', id: 'dev-9' } }, events: { [CAEP_EVENTS.deviceComplianceChange]: { previous_status: 'compliant', current_status: 'not-compliant' } } });
    expect(risk).toMatchObject({
      sub_id: { format: 'complex', user: { format: 'email', email: 'bob@example.com' } },
      events: { [CAEP_EVENTS.riskLevelChange]: { principal: 'USER', current_level: 'MEDIUM', risk_reason: 'new device' } },
    });
    expect((risk?.['events'] as Record<string, object>)[CAEP_EVENTS.riskLevelChange]).not.toHaveProperty('previous_level');
  });

  it('keeps events until acknowledged, honours maxEvents and moreAvailable, and logs setErrs', async () => {
    const id = await createPollStream();
    for (const reason of ['one', 'two', 'three']) await h.transmitter.sessionRevoked(ALICE, reason);
    const first = await poll(id, { maxEvents: 2, returnImmediately: true });
    expect(Object.keys(first.sets)).toHaveLength(2);
    expect(first.moreAvailable).toBe(true);
    // Not acknowledged: the same two come again.
    expect(Object.keys((await poll(id, { maxEvents: 2, returnImmediately: true })).sets)).toEqual(Object.keys(first.sets));
    const [a, b] = Object.keys(first.sets);
    const second = await poll(id, { ack: [a], setErrs: { [b ?? '']: { err: 'invalid_key', description: 'unknown kid' } }, returnImmediately: true });
    expect(Object.keys(second.sets)).toHaveLength(1);
    expect(second.moreAvailable).toBe(false);
    expect(h.logs.some((line) => line['msg'] === 'SSF receiver reported an error for a SET' && line['err'] === 'invalid_key')).toBe(true);
    const last = Object.keys(second.sets);
    expect(await poll(id, { ack: last, maxEvents: 0 })).toEqual({ sets: {}, moreAvailable: false });
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(0);
    expect((await call('POST', `/ssf/poll/${id}`, { maxEvents: -1 })).statusCode).toBe(400);
  });

  it('holds a poll open until an event is queued (long poll)', async () => {
    const id = await createPollStream();
    const held = call('POST', `/ssf/poll/${id}`, { maxEvents: 10 });
    let answered = false;
    void held.then(() => (answered = true));
    // The poll is waiting on the stream once the transmitter registered it.
    await new Promise<void>((resolve) => {
      const check = (): void => (hasWaiter(h, id) ? resolve() : void setImmediate(check));
      check();
    });
    expect(answered).toBe(false);
    await h.transmitter.sessionRevoked(ALICE, 'while polling');
    const response = await held;
    expect(Object.keys(response.json<{ sets: object }>().sets)).toHaveLength(1);
  });

  it('answers a long poll with nothing when the bound passes', async () => {
    await h.close();
    h = await startHarness({ pollWaitMs: 1 });
    token = await h.token(['ssf']);
    const id = await createPollStream();
    expect(await poll(id, {})).toEqual({ sets: {}, moreAvailable: false });
  });

  it('delivers a verification SET with the receiver\'s state and the stream id as subject', async () => {
    const id = await createPollStream({ events_requested: [CAEP_EVENTS.sessionRevoked] });
    expect((await call('POST', '/ssf/verify', { stream_id: id, state: 'abc-123' })).statusCode).toBe(204);
    const jwks = h.signer.jwks() as { keys: object[] };
    const [set] = Object.values((await poll(id, { returnImmediately: true })).sets);
    const claims = await verifySet(set ?? '', jwks, 'https://receiver.example');
    expect(claims).toMatchObject({ sub_id: { format: 'opaque', id }, events: { [SSF_VERIFICATION_EVENT]: { state: 'abc-123' } } });
  });

  it('refuses to poll a push stream', async () => {
    const created = await call('POST', '/ssf/stream', { delivery: { method: PUSH_DELIVERY, endpoint_url: 'http://127.0.0.1:9/events' } });
    const id = created.json<{ stream_id: string }>().stream_id;
    await call('POST', '/ssf/status', { stream_id: id, status: 'paused' });
    expect((await call('POST', `/ssf/poll/${id}`, { returnImmediately: true })).statusCode).toBe(400);
  });
});

function hasWaiter(harness: Harness, streamId: string): boolean {
  return harness.transmitter.waitingPolls(streamId) > 0;
}
