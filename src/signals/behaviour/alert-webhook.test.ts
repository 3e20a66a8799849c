// The alert webhook against a real HTTP server on loopback: signed bodies the receiver can verify,
// retries on 503 (no real waiting: the backoff is recorded, not slept), no retry on 400, and the
// per-(subject, factor) cooldown of behaviour alerts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertWebhook, SIGNATURE_HEADER, signWebhookBody, verifyWebhookSignature } from './alert-webhook.js';
import { BehaviourAlerts } from './behaviour-alerts.js';

const SECRET = 'a-webhook-secret-of-32-characters';
const NOW = new Date('2026-03-02T09:00:00Z');
const silent = pino({ level: 'silent' });

interface Received {
  readonly body: string;
  readonly signature: string;
  readonly contentType: string;
}

let server: Server;
let url: string;
const received: Received[] = [];
/** Status codes to answer, in order; 204 once exhausted. */
let answers: number[] = [];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push({ body, signature: String(request.headers[SIGNATURE_HEADER]), contentType: String(request.headers['content-type']) });
      response.statusCode = answers.shift() ?? 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tenet`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  answers = [];
});

function webhook(waits: number[] = [], retries = 3): AlertWebhook {
  return new AlertWebhook({ url, secret: SECRET, timeoutMs: 5000, retries, logger: silent, clock: () => NOW, sleep: async (ms) => void waits.push(ms) });
}

describe('alert webhook', () => {
  it('POSTs JSON with a signature the receiver can verify', async () => {
    const hook = webhook();
    hook.send({ type: 'tenet.behaviour-alert', factor: 'behaviour-denial-burst' });
    await hook.drain();
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery?.contentType).toBe('application/json');
    expect(JSON.parse(delivery?.body ?? '')).toEqual({ type: 'tenet.behaviour-alert', factor: 'behaviour-denial-burst' });
    expect(verifyWebhookSignature(SECRET, delivery?.signature ?? '', delivery?.body ?? '', NOW)).toBe(true);
    expect(verifyWebhookSignature('another-secret-entirely-here', delivery?.signature ?? '', delivery?.body ?? '', NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, delivery?.signature ?? '', `${delivery?.body ?? ''} `, NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, delivery?.signature ?? '', delivery?.body ?? '', new Date(NOW.getTime() + 600_000))).toBe(false);
    expect(delivery?.signature).toBe(signWebhookBody(SECRET, NOW.getTime() / 1000, delivery?.body ?? ''));
  });

  it('retries a failing receiver with doubling backoff, then delivers', async () => {
    const waits: number[] = [];
    answers = [503, 429];
    const hook = webhook(waits);
    hook.send({ n: 1 });
    await hook.drain();
    expect(received).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it('gives up after the retries, and does not retry a 400', async () => {
    const waits: number[] = [];
    answers = [500, 500, 500];
    const hook = webhook(waits, 2);
    hook.send({ n: 1 });
    await hook.drain();
    expect(received).toHaveLength(3);
    answers = [400];
    hook.send({ n: 2 });
    await hook.drain();
    expect(received).toHaveLength(4);
  });

  it('survives a receiver that is down (connection refused) without throwing', async () => {
    const waits: number[] = [];
    const hook = new AlertWebhook({ url: 'http://127.0.0.1:1/nothing', secret: SECRET, timeoutMs: 2000, retries: 1, logger: silent, sleep: async (ms) => void waits.push(ms) });
    hook.send({ n: 1 });
    await hook.drain();
    expect(waits).toEqual([1000]);
  });
});

describe('behaviour alerts', () => {
  const fields = (time: string, factor = 'behaviour-denial-burst') => ({ time, subject: 'User::"alice"', factor, reason: 'denial burst: …', decisionId: 'd-1', outcome: 'deny', riskScore: 70 });

  it('alerts once per subject and factor within the cooldown, through the webhook', async () => {
    const hook = webhook();
    const alerts = new BehaviourAlerts(3_600_000, 100, silent, hook);
    expect(alerts.raise(fields('2026-03-02T09:00:00Z'))).toMatchObject({ type: 'tenet.behaviour-alert', factor: 'behaviour-denial-burst', decisionId: 'd-1' });
    expect(alerts.raise(fields('2026-03-02T09:30:00Z'))).toBeUndefined();
    expect(alerts.raise(fields('2026-03-02T09:30:00Z', 'behaviour-new-device'))).toBeDefined();
    expect(alerts.raise(fields('2026-03-02T10:00:01Z'))).toBeDefined();
    await hook.drain();
    expect(received.map((delivery) => (JSON.parse(delivery.body) as { factor: string }).factor)).toEqual(['behaviour-denial-burst', 'behaviour-new-device', 'behaviour-denial-burst']);
    for (const delivery of received) expect(verifyWebhookSignature(SECRET, delivery.signature, delivery.body, NOW)).toBe(true);
  });
});
