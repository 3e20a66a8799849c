// The receiver end to end over real HTTP: a fake transmitter (discovery, JWKS, streams, poll) on
// 127.0.0.1, Tenet's push route on Fastify, a real SQLite store for jti memory and streams, and a
// recording sink. Covers every CAEP event, each refusal with its RFC 8935 code, replay across a
// store reopen, poll acks and setErrs, and a transmitter that is down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SsfConfig } from '../../config/ssf-schema.js';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { CAEP_EVENTS, SSF_VERIFICATION_EVENT } from '../caep-events.js';
import type { SharedSignalSink } from '../shared-signal-sink.js';
import { registerSsfReceiverRoutes } from './push-route.js';
import { startSsfReceiver, type RunningSsfReceiver } from './start-receiver.js';
import { FakeTransmitter } from './testing/fake-transmitter.js';

const AUDIENCE = 'https://tenet.test';
const IDP = 'https://idp.example';
const SECRETS: Record<string, string> = { PUSH: 'push-secret-0123456789', MGMT: 'management-secret' };
const silent = pino({ level: 'silent' });

type Call = { method: keyof SharedSignalSink; args: unknown[] };
function recordingSink(calls: Call[]): SharedSignalSink {
  const record =
    (method: keyof SharedSignalSink) =>
    async (...args: unknown[]): Promise<number> => {
      calls.push({ method, args });
      return 1;
    };
  return {
    revokeSessions: record('revokeSessions'),
    requireFreshLogin: record('requireFreshLogin'),
    deviceCompliance: record('deviceCompliance'),
    subjectRiskLevel: record('subjectRiskLevel'),
    assuranceLevel: record('assuranceLevel'),
    tokenClaims: record('tokenClaims'),
  };
}

/** Records every requested delay; waits only a moment (or until stopped, for the hourly purge). */
function recordingWait(delays: number[]) {
  return (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      delays.push(ms);
      if (signal.aborted) return resolve();
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = ms >= 3_600_000 ? undefined : setTimeout(done, 5);
      signal.addEventListener('abort', done);
    });
}

function transmitterConfig(id: string, issuer: string, delivery: 'push' | 'poll'): SsfConfig['receiver']['transmitters'][number] {
  return {
    id,
    issuer,
    delivery,
    pushToken: { env: 'PUSH' },
    managementToken: { env: 'MGMT' },
    pollInterval: '30s',
    events: [],
    subjects: ['email', 'iss_sub', 'opaque', 'complex'],
    allowInsecureHttp: true,
  };
}

interface Harness {
  receiver: RunningSsfReceiver;
  calls: Call[];
  delays: number[];
}

function start(store: Store, transmitters: SsfConfig['receiver']['transmitters'], receiverUrl: string): Harness {
  const calls: Call[] = [];
  const delays: number[] = [];
  const receiver = startSsfReceiver({
    config: { audience: AUDIENCE, transmitters, maxClockSkew: '5m', maxAge: '1h' },
    defaultAudience: 'http://unused.test',
    receiverUrl,
    identityProviderIssuers: [IDP],
    readSecret: (ref) => SECRETS[ref.env ?? ''] ?? '',
    store: store.ssfReceiver,
    sink: recordingSink(calls),
    logger: silent,
    wait: recordingWait(delays),
    httpTimeoutMs: 2000,
  });
  return { receiver, calls, delays };
}

const ALICE = { format: 'email', email: 'Alice@Example.com' };

describe('SSF receiver: push delivery', () => {
  const transmitter = new FakeTransmitter();
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let appUrl: string;
  let harness: Harness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenet-ssf-'));
    store = await openSqliteStore({ path: join(dir, 'tenet.db') });
    await transmitter.start();
    app = Fastify();
    // The route reaches whichever receiver `harness` is now, so a test can restart it on a reopened store.
    await app.register(registerSsfReceiverRoutes, { receiver: { receivePush: (...args) => harness.receiver.receiver.receivePush(...args) } });
    appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    harness = start(store, [transmitterConfig('idp', transmitter.issuer, 'push')], appUrl);
    await vi.waitFor(() => expect(transmitter.verifications).toHaveLength(1), { timeout: 5000 });
  });

  afterAll(async () => {
    await harness.receiver.stop();
    await app.close();
    await transmitter.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${appUrl}/ssf/receiver/idp`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.PUSH}`, 'content-type': 'application/secevent+jwt', ...headers }, body });
  const refusal = async (response: Response) => ({ status: response.status, body: (await response.json()) as { err: string; description: string } });

  it('created a push stream to Tenet with the push token, and asked for verification', async () => {
    const [stream] = [...transmitter.streams.values()];
    expect(stream?.delivery).toEqual({ method: 'urn:ietf:rfc:8935', endpoint_url: `${appUrl}/ssf/receiver/idp`, authorization_header: `Bearer ${SECRETS.PUSH}` });
    expect(stream?.events_requested).toEqual(Object.values(CAEP_EVENTS));
    expect(transmitter.requests.find((request) => request.path === '/streams')?.authorization).toBe(`Bearer ${SECRETS.MGMT}`);
    expect(await store.ssfReceiver.getStream('idp')).toMatchObject({ streamId: stream?.stream_id, delivery: 'push', issuer: transmitter.issuer });
    const verification = transmitter.verifications[0];
    const set = await transmitter.sign({ events: { [SSF_VERIFICATION_EVENT]: { state: verification?.state } }, sub_id: { format: 'opaque', id: verification?.stream_id } });
    expect((await push(set)).status).toBe(202);
    expect(harness.calls).toEqual([]);
  });

  it('hands each CAEP event to the sink with the resolved subject', async () => {
    const cases: { event: string; payload: Record<string, unknown>; sub: unknown; method: keyof SharedSignalSink; args: unknown[] }[] = [
      { event: CAEP_EVENTS.sessionRevoked, payload: { event_timestamp: 1_700_000_000, reason_admin: { en: 'Landspeed violation' } }, sub: ALICE, method: 'revokeSessions', args: [{ email: 'alice@example.com' }, 'ssf:idp: Landspeed violation'] },
      { event: CAEP_EVENTS.credentialChange, payload: { credential_type: 'password', change_type: 'update' }, sub: { format: 'iss_sub', iss: IDP, sub: 'u-1' }, method: 'requireFreshLogin', args: [{ idp: { issuer: IDP, sub: 'u-1' } }, 'ssf:idp: credential password update'] },
      { event: CAEP_EVENTS.deviceComplianceChange, payload: { current_status: 'not-compliant', previous_status: 'compliant', event_timestamp: 1_700_000_000 }, sub: { format: 'complex', device: { format: 'opaque', id: 'laptop-7' } }, method: 'deviceCompliance', args: [{ deviceId: 'laptop-7' }, false, '2023-11-14T22:13:20.000Z', 'ssf:idp'] },
      { event: CAEP_EVENTS.assuranceLevelChange, payload: { namespace: 'NIST-AAL', current_level: 'nist-aal1', previous_level: 'nist-aal2', change_direction: 'decrease' }, sub: { format: 'opaque', id: 'User::"alice"' }, method: 'assuranceLevel', args: [{ subject: { type: 'User', id: 'alice' } }, { acr: 'nist-aal1' }, 'ssf:idp'] },
      { event: CAEP_EVENTS.tokenClaimsChange, payload: { claims: { groups: ['staff'] } }, sub: { format: 'complex', user: { format: 'iss_sub', iss: IDP, sub: 'u-1' }, session: { format: 'opaque', id: 'sid-9' } }, method: 'tokenClaims', args: [{ idp: { issuer: IDP, sub: 'u-1' }, session: 'sid-9' }, { groups: ['staff'] }, 'ssf:idp'] },
      { event: CAEP_EVENTS.riskLevelChange, payload: { current_level: 'HIGH', principal: 'USER', risk_reason: 'PASSWORD_FOUND_IN_DATA_BREACH', event_timestamp: 1_700_000_000 }, sub: ALICE, method: 'subjectRiskLevel', args: [{ email: 'alice@example.com' }, 'high', 'PASSWORD_FOUND_IN_DATA_BREACH', 'ssf:idp', '2023-11-14T22:13:20.000Z'] },
    ];
    for (const one of cases) {
      harness.calls.length = 0;
      const response = await push(await transmitter.sign({ events: { [one.event]: one.payload }, sub_id: one.sub }));
      expect(response.status, one.event).toBe(202);
      expect(harness.calls, one.event).toEqual([{ method: one.method, args: one.args }]);
    }
    // The legacy member inside the event names the subject when there is no sub_id.
    harness.calls.length = 0;
    expect((await push(await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: { subject: ALICE } } }))).status).toBe(202);
    expect(harness.calls[0]?.args[0]).toEqual({ email: 'alice@example.com' });
  });

  it('refuses bad SETs with the RFC 8935 codes and changes nothing', async () => {
    harness.calls.length = 0;
    const event = { [CAEP_EVENTS.sessionRevoked]: {} };
    const otherKey = (await generateKeyPair('ES256')).privateKey;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: transmitter.issuer, aud: AUDIENCE, iat: Math.floor(Date.now() / 1000), jti: 'none-1', events: event, sub_id: ALICE })).toString('base64url')}.`;
    // The classic confusion: the transmitter's public key used as an HMAC secret.
    const hs256 = await new SignJWT({ events: event, sub_id: ALICE })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'secevent+jwt' })
      .setIssuer(transmitter.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti('hs-1')
      .sign(new TextEncoder().encode(JSON.stringify(transmitter.publicJwk)));
    const cases: [string, string, string][] = [
      ['bad signature', await transmitter.sign({ events: event, sub_id: ALICE }, {}, otherKey), 'invalid_key'],
      ['wrong audience', await transmitter.sign({ events: event, sub_id: ALICE, aud: 'https://someone-else.test' }), 'invalid_audience'],
      ['wrong issuer', await transmitter.sign({ events: event, sub_id: ALICE, iss: 'https://evil.test' }), 'invalid_issuer'],
      ['alg none', none, 'invalid_request'],
      ['HS256 with the public key', hs256, 'invalid_key'],
      ['wrong typ', await transmitter.sign({ events: event, sub_id: ALICE }, { typ: 'JWT' }), 'invalid_request'],
      ['stale iat', await transmitter.sign({ events: event, sub_id: ALICE, iat: Math.floor(Date.now() / 1000) - 7200 }), 'invalid_request'],
      ['iat in the future', await transmitter.sign({ events: event, sub_id: ALICE, iat: Math.floor(Date.now() / 1000) + 3600 }), 'invalid_request'],
      ['two events', await transmitter.sign({ events: { ...event, [CAEP_EVENTS.credentialChange]: { credential_type: 'x', change_type: 'update' } }, sub_id: ALICE }), 'invalid_request'],
      ['unknown event type', await transmitter.sign({ events: { 'https://example.com/event/unknown': {} }, sub_id: ALICE }), 'invalid_request'],
      ['non-conforming payload', await transmitter.sign({ events: { [CAEP_EVENTS.deviceComplianceChange]: { current_status: 'maybe' } }, sub_id: ALICE }), 'invalid_request'],
      ['no subject', await transmitter.sign({ events: event }), 'invalid_request'],
      ['unaccepted subject format', await transmitter.sign({ events: event, sub_id: { format: 'phone_number', phone_number: '+12065550100' } }), 'invalid_request'],
      ['not a JWS', 'hello', 'invalid_request'],
    ];
    for (const [name, set, err] of cases) {
      const answer = await refusal(await push(set));
      expect(answer, name).toMatchObject({ status: 400, body: { err } });
      expect(answer.body.description.length, name).toBeGreaterThan(0);
    }
    expect(harness.calls).toEqual([]);
    // Keys are fetched once, not per SET (the bad signature reused the kid).
    expect(transmitter.jwksFetches).toBe(1);
  });

  it('accepts a valid SET about an unknown subject without calling the sink', async () => {
    harness.calls.length = 0;
    const unknownIssuer = await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: { format: 'iss_sub', iss: 'https://not-our-idp.test', sub: 'x' } });
    const notAPrincipal = await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: { format: 'opaque', id: 'some-id' } });
    expect((await push(unknownIssuer)).status).toBe(202);
    expect((await push(notAPrincipal)).status).toBe(202);
    expect(harness.calls).toEqual([]);
  });

  it('refuses pushes without the push token, of another content type, or too large', async () => {
    const set = await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: ALICE });
    const missing = await fetch(`${appUrl}/ssf/receiver/idp`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: set });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await missing.json()) as { err: string }).err).toBe('authentication_failed');
    expect((await push(set, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect(await refusal(await push(set, { 'content-type': 'application/json' }))).toMatchObject({ status: 400, body: { err: 'invalid_request' } });
    expect(await refusal(await push('a'.repeat(70_000)))).toMatchObject({ status: 413, body: { err: 'invalid_request' } });
    expect((await fetch(`${appUrl}/ssf/receiver/nobody`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.PUSH}`, 'content-type': 'application/secevent+jwt' }, body: set })).status).toBe(404);
    // None of those burnt the SET's jti: it is accepted once, then refused as a replay.
    expect((await push(set)).status).toBe(202);
    expect(await refusal(await push(set))).toMatchObject({ status: 400, body: { err: 'invalid_request', description: expect.stringContaining('replay') } });
  });

  it('still refuses a replayed jti after the store is reopened, and reuses the stream', async () => {
    const set = await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: ALICE });
    expect((await push(set)).status).toBe(202);
    await harness.receiver.stop();
    await store.close();
    store = await openSqliteStore({ path: join(dir, 'tenet.db') });
    const streamsBefore = transmitter.streams.size;
    harness = start(store, [transmitterConfig('idp', transmitter.issuer, 'push')], appUrl);
    expect(await refusal(await push(set))).toMatchObject({ status: 400, body: { err: 'invalid_request' } });
    await vi.waitFor(() => expect(harness.delays.filter((ms) => ms < 3_600_000)).toEqual([]), { timeout: 2000 });
    await vi.waitFor(() => expect(transmitter.requests.filter((request) => request.method === 'GET' && request.path === '/streams').length).toBeGreaterThan(0), { timeout: 5000 });
    expect(transmitter.streams.size).toBe(streamsBefore);
  });
});

describe('SSF receiver: poll delivery and a transmitter that is down', () => {
  const transmitter = new FakeTransmitter();
  let dir: string;
  let store: Store;
  let harness: Harness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenet-ssf-poll-'));
    store = await openSqliteStore({ path: join(dir, 'tenet.db') });
    await transmitter.start();
  });

  afterAll(async () => {
    await harness.receiver.stop();
    await transmitter.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries discovery with growing delays while the transmitter is down, then creates a poll stream', async () => {
    transmitter.down = true;
    harness = start(store, [transmitterConfig('poller', transmitter.issuer, 'poll')], 'http://127.0.0.1:9');
    await vi.waitFor(() => expect(harness.delays.filter((ms) => ms < 3_600_000).length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    expect(harness.delays.filter((ms) => ms < 3_600_000).slice(0, 3)).toEqual([1000, 2000, 4000]);
    transmitter.down = false;
    await vi.waitFor(() => expect(transmitter.polls.length).toBeGreaterThan(0), { timeout: 10_000 });
    const [stream] = [...transmitter.streams.values()];
    expect(stream?.delivery.method).toBe('urn:ietf:rfc:8936');
    expect(transmitter.polls[0]).toMatchObject({ returnImmediately: true, maxEvents: 100 });
  });

  it('acknowledges processed SETs and reports refused ones in setErrs', async () => {
    const good = await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: ALICE, jti: 'good-1' });
    const bad = await transmitter.sign({ events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: ALICE, jti: 'bad-1', aud: 'https://elsewhere.test' });
    transmitter.queue('good-1', good);
    transmitter.queue('bad-1', bad);
    await vi.waitFor(
      () => {
        expect(transmitter.polls.some((poll) => poll.ack.includes('good-1'))).toBe(true);
        expect(transmitter.polls.some((poll) => poll.setErrs['bad-1']?.err === 'invalid_audience')).toBe(true);
      },
      { timeout: 10_000 },
    );
    expect(harness.calls).toEqual([{ method: 'revokeSessions', args: [{ email: 'alice@example.com' }, 'ssf:poller: session revoked'] }]);
    expect(transmitter.pending.size).toBe(0);
    expect(transmitter.requests.find((request) => request.path.startsWith('/poll/'))?.authorization).toBe(`Bearer ${SECRETS.MGMT}`);
  });

  it('backs off while polls fail, keeps unacknowledged SETs pending, and resumes', async () => {
    const before = harness.delays.length;
    transmitter.down = true;
    await vi.waitFor(() => expect(harness.delays.slice(before).filter((ms) => ms !== 30_000 && ms < 3_600_000).length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    expect(harness.delays.slice(before).filter((ms) => ms !== 30_000 && ms < 3_600_000).slice(0, 3)).toEqual([1000, 2000, 4000]);
    const set = await transmitter.sign({ events: { [CAEP_EVENTS.credentialChange]: { credential_type: 'fido2-roaming', change_type: 'revoke' } }, sub_id: ALICE, jti: 'after-outage' });
    transmitter.queue('after-outage', set);
    transmitter.down = false;
    await vi.waitFor(() => expect(transmitter.polls.some((poll) => poll.ack.includes('after-outage'))).toBe(true), { timeout: 10_000 });
    expect(harness.calls.at(-1)?.method).toBe('requireFreshLogin');
  });
});
