// RFC 8935 push delivery to a real HTTP receiver on 127.0.0.1: the SET as sent (media type,
// the stream's Authorization header, a signature jose verifies), retries after the receiver was
// down, permanent refusals, the maxPending bound, and events that survive a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAEP_EVENTS, SSF_VERIFICATION_EVENT } from '../caep-events.js';
import { loadSetSigner } from '../set/sign-set.js';
import { PUSH_DELIVERY } from './stream-config.js';
import { PushReceiver, startHarness, verifySet, type Harness } from './test-harness.js';

const ALICE = { subject: { type: 'User', id: 'alice' }, email: 'alice@example.com' };
const AUD = 'https://receiver.example';

let h: Harness;
let receiver: PushReceiver;
let token: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  receiver = await new PushReceiver().start();
  h = await startHarness();
  token = await h.token(['ssf']);
});
afterEach(async () => {
  await h.close();
  await receiver.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function createPushStream(harness: Harness, bearer: string, endpoint: string): Promise<string> {
  const response = await harness.app.inject({
    method: 'POST',
    url: '/ssf/stream',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ aud: AUD, delivery: { method: PUSH_DELIVERY, endpoint_url: endpoint, authorization_header: 'Bearer receiver-secret' }, events_requested: [CAEP_EVENTS.sessionRevoked] }),
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ stream_id: string }>().stream_id;
}

async function setStatus(harness: Harness, bearer: string, streamId: string, status: string): Promise<void> {
  const response = await harness.app.inject({
    method: 'POST',
    url: '/ssf/status',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ stream_id: streamId, status }),
  });
  expect(response.statusCode).toBe(200);
}

/** Waits (without a clock) until a log line with this message appears. */
function logged(harness: Harness, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const check = (): void => {
      const line = harness.logs.find((one) => one['msg'] === msg);
      if (line === undefined) setImmediate(check);
      else resolve(line);
    };
    check();
  });
}

describe('push delivery (RFC 8935)', () => {
  it('POSTs a signed SET as application/secevent+jwt with the stream\'s Authorization header, then forgets it', async () => {
    const id = await createPushStream(h, token, receiver.url);
    expect(await h.transmitter.sessionRevoked(ALICE, 'admin revoked', 'admin')).toBe(1);
    await receiver.attemptsReached(1);
    await h.transmitter.settled();
    const [push] = receiver.received;
    expect(push?.contentType).toBe('application/secevent+jwt');
    expect(push?.authorization).toBe('Bearer receiver-secret');
    const claims = await verifySet(push?.token ?? '', h.signer.jwks() as { keys: object[] }, AUD);
    expect(claims).toMatchObject({
      sub_id: { format: 'complex', user: { format: 'email', email: 'alice@example.com' } },
      events: { [CAEP_EVENTS.sessionRevoked]: { initiating_entity: 'admin', reason_admin: { en: 'admin revoked' } } },
    });
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(0);
    // The SET never appears in the log.
    expect(JSON.stringify(h.logs)).not.toContain(push?.token.split('.')[1] ?? 'x');
  });

  it('pushes a verification SET with the receiver\'s state', async () => {
    const id = await createPushStream(h, token, receiver.url);
    const response = await h.app.inject({
      method: 'POST',
      url: '/ssf/verify',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ stream_id: id, state: 'state-42' }),
    });
    expect(response.statusCode).toBe(204);
    await receiver.attemptsReached(1);
    const claims = await verifySet(receiver.received[0]?.token ?? '', h.signer.jwks() as { keys: object[] }, AUD);
    expect(claims).toMatchObject({ sub_id: { format: 'opaque', id }, events: { [SSF_VERIFICATION_EVENT]: { state: 'state-42' } } });
  });

  it('retries with backoff while the receiver answers 503, and delivers in order once it is back', async () => {
    receiver.respond = (_push, index) => (index < 2 ? { status: 503 } : { status: 202 });
    const id = await createPushStream(h, token, receiver.url);
    await h.transmitter.sessionRevoked(ALICE, 'first');
    await h.transmitter.sessionRevoked(ALICE, 'second');
    await receiver.attemptsReached(4);
    await h.transmitter.settled();
    const reasons = await Promise.all(
      receiver.received.map(async (push) => {
        const claims = await verifySet(push.token, h.signer.jwks() as { keys: object[] }, AUD);
        return (claims['events'] as Record<string, { reason_admin: { en: string } }>)[CAEP_EVENTS.sessionRevoked]?.reason_admin.en;
      }),
    );
    expect(reasons).toEqual(['first', 'second']);
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(0);
    expect(h.logs.filter((line) => line['msg'] === 'SSF push failed; will retry').map((line) => line['why'])).toEqual(['HTTP 503', 'HTTP 503']);
  });

  it('retries after a refused connection until the receiver listens again', async () => {
    const port = await freePort();
    const id = await createPushStream(h, token, `http://127.0.0.1:${port}/events`);
    await h.transmitter.sessionRevoked(ALICE, 'while down');
    await logged(h, 'SSF push failed; will retry');
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(1);
    const back = await new PushReceiver().start(port);
    cleanups.push(() => back.close());
    await back.attemptsReached(1);
    await h.transmitter.settled();
    expect(back.received).toHaveLength(1);
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(0);
  });

  it('drops a SET the receiver refuses with 400 (RFC 8935 §2.3) instead of retrying it', async () => {
    receiver.respond = (_push, index) => (index === 0 ? { status: 400, body: { err: 'invalid_audience', description: 'not for us' } } : { status: 202 });
    const id = await createPushStream(h, token, receiver.url);
    await h.transmitter.sessionRevoked(ALICE, 'refused');
    await h.transmitter.sessionRevoked(ALICE, 'accepted');
    await receiver.attemptsReached(2);
    await h.transmitter.settled();
    expect(receiver.received).toHaveLength(1);
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(0);
    expect(await logged(h, 'SSF receiver rejected a SET; it is dropped')).toMatchObject({ err: 'invalid_audience' });
  });

  it('keeps at most maxPending events, dropping the oldest with a log line', async () => {
    await h.close();
    h = await startHarness({ maxPending: 2 });
    token = await h.token(['ssf']);
    const id = await createPushStream(h, token, receiver.url);
    await setStatus(h, token, id, 'paused');
    for (const reason of ['oldest', 'middle', 'newest']) await h.transmitter.sessionRevoked(ALICE, reason);
    expect(await h.store.ssfTransmitter.countPending(id)).toBe(2);
    expect(await logged(h, 'SSF stream has more undelivered events than maxPending: dropped the oldest')).toMatchObject({ streamId: id, dropped: 1, maxPending: 2 });
    expect(receiver.attempts).toBe(0);
    await setStatus(h, token, id, 'enabled');
    await receiver.attemptsReached(2);
    await h.transmitter.settled();
    const reasons = await Promise.all(
      receiver.received.map(async (push) => ((await verifySet(push.token, h.signer.jwks() as { keys: object[] }, AUD))['events'] as Record<string, { reason_admin: { en: string } }>)[CAEP_EVENTS.sessionRevoked]?.reason_admin.en),
    );
    expect(reasons).toEqual(['middle', 'newest']);
  });

  it('keeps undelivered events across a restart, signed with the same key from the file beside the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenet-ssf-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, 'tenet.db');
    receiver.respond = () => ({ status: 503 });

    const first = await startHarness({ dbPath, signer: await loadSetSigner({ databasePath: dbPath }), retry: { initialMs: 60_000, maxMs: 60_000 } });
    const firstToken = await first.token(['ssf']);
    const id = await createPushStream(first, firstToken, receiver.url);
    await first.transmitter.sessionRevoked(ALICE, 'before restart');
    await receiver.attemptsReached(1);
    await first.transmitter.settled();
    await first.close();

    receiver.respond = () => ({ status: 202 });
    const second = await startHarness({ dbPath, signer: await loadSetSigner({ databasePath: dbPath }) });
    cleanups.push(() => second.close());
    expect(second.signer.keyId).toBe(first.signer.keyId);
    await receiver.attemptsReached(2);
    await second.transmitter.settled();
    expect(receiver.received).toHaveLength(1);
    const claims = await verifySet(receiver.received[0]?.token ?? '', second.signer.jwks() as { keys: object[] }, AUD);
    expect((claims['events'] as Record<string, { reason_admin: { en: string } }>)[CAEP_EVENTS.sessionRevoked]?.reason_admin.en).toBe('before restart');
    expect(await second.store.ssfTransmitter.countPending(id)).toBe(0);
  });
});

/** A loopback port nothing listens on (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
