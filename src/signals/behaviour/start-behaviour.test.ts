// startBehaviour from tenet.yaml's `behaviour`: off when disabled, GeoIP database resolved against
// the config directory, the webhook secret from the environment, and an alert from an observed
// decision arriving signed at a real HTTP receiver.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSchema } from '../../config/behaviour-schema.js';
import type { Decision } from '../../engine/decision.js';
import type { AccessRequest } from '../../engine/tuple.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './alert-webhook.js';
import { startBehaviour } from './start-behaviour.js';
import { PARIS_IP, SYDNEY_IP, writeCityFixture } from './testing/city-fixture.js';

const silent = pino({ level: 'silent' });
const NOW = new Date('2026-03-02T09:40:00Z');
const SECRET = 'behaviour-test-secret-0123456789';

let store: Store;
let server: Server;
let url: string;
const bodies: { body: string; signature: string }[] = [];

beforeAll(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers[SIGNATURE_HEADER]) });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
});
afterAll(async () => {
  await store.close();
  await new Promise((resolve) => server.close(resolve));
});

const alice = (ip: string): AccessRequest => ({ subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'App', id: 'wiki' }, environment: { ip } });

function decision(at: Date, factors: Decision['risk']['factors']): Decision {
  return { id: `d-${at.getTime()}`, outcome: 'deny', reasons: [], risk: { score: 50, level: 'high', factors }, policies: { determining: [], errored: [], evaluated: 0, total: 0 }, obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: 300 }, policyVersion: 'v', decidedAt: at.toISOString(), latencyMicros: 1, signalsUsed: [] };
}

describe('startBehaviour', () => {
  it('returns undefined when behaviour.enabled is false', async () => {
    expect(await startBehaviour({ config: behaviourSchema.parse({ enabled: false }), baseDir: '.', audit: store.audit, logger: silent })).toBeUndefined();
  });

  it('opens the GeoIP database relative to the config, and alerts through the signed webhook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenet-behaviour-'));
    const fixture = writeCityFixture();
    copyFileSync(fixture, join(dir, 'city.mmdb'));
    process.env['TENET_TEST_BEHAVIOUR_SECRET'] = SECRET;
    const config = behaviourSchema.parse({ geoip: { database: 'city.mmdb' }, alerts: { webhook: { url, secret: { env: 'TENET_TEST_BEHAVIOUR_SECRET' } } } });
    const service = await startBehaviour({ config, baseDir: dir, audit: store.audit, logger: silent, clock: () => NOW });
    expect(service?.webhook).toBeDefined();
    const analytics = service?.analytics;
    const earlier = new Date(NOW.getTime() - 40 * 60_000);
    analytics?.observe(alice(PARIS_IP), decision(earlier, []));
    const [signal] = analytics?.assess(alice(SYDNEY_IP), NOW) ?? [];
    expect(signal?.factor).toBe('behaviour-impossible-travel');
    analytics?.observe(alice(SYDNEY_IP), decision(NOW, [{ name: 'behaviour-impossible-travel', weight: 50, explanation: signal?.reason ?? '' }]));
    await service?.webhook?.drain();
    expect(bodies).toHaveLength(1);
    expect(verifyWebhookSignature(SECRET, bodies[0]?.signature ?? '', bodies[0]?.body ?? '', NOW)).toBe(true);
    expect(JSON.parse(bodies[0]?.body ?? '')).toMatchObject({ type: 'tenet.behaviour-alert', subject: 'User::"alice"', factor: 'behaviour-impossible-travel', decisionId: `d-${NOW.getTime()}`, reason: expect.stringContaining('Paris, FR → Sydney, AU') as string });
  });

  it('refuses a missing or short webhook secret, and an unreadable GeoIP database', async () => {
    delete process.env['TENET_TEST_BEHAVIOUR_MISSING'];
    const webhook = { url, secret: { env: 'TENET_TEST_BEHAVIOUR_MISSING' } };
    await expect(startBehaviour({ config: behaviourSchema.parse({ alerts: { webhook } }), baseDir: '.', audit: store.audit, logger: silent })).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_SECRET_MISSING' });
    await expect(startBehaviour({ config: behaviourSchema.parse({ geoip: { database: '/nonexistent/city.mmdb' } }), baseDir: '.', audit: store.audit, logger: silent })).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_GEOIP_UNREADABLE' });
  });
});
