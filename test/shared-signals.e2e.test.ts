// OpenID Shared Signals between two real Tenet instances: A (the quickstart stack) transmits CAEP
// events, B receives them by push. B discovers A from its issuer (/.well-known/ssf-configuration),
// creates a push stream with A's stream management API, and from then on a session A ends — an
// administrator revoking alice — ends alice's session at B too, and a device A sees turn
// non-compliant is reported to B. Both directions of the protocol run over real HTTP with real
// signatures; nothing is stubbed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { serve, type RunningServer } from '../src/server.js';
import { QUICKSTART_CONFIG } from './support/quickstart.js';
import { freePort, startStack, type RunningStack } from './support/stack.js';

const PUSH_TOKEN = 'push-token-for-the-e2e-test-0123456789';

let a: RunningStack;
let b: RunningServer;
let bRoot: string;

/** Polls until `check` holds (the push is asynchronous): a hang guard, not a timing assertion. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`never happened: ${what}`);
}

beforeAll(async () => {
  const transmitting = parseDocument(readFileSync(QUICKSTART_CONFIG, 'utf8'));
  transmitting.setIn(['ssf'], transmitting.createNode({ transmitter: { enabled: true } }));
  // A's issuer is its API URL, which must be known before it starts: a fixed port.
  a = await startStack({ files: { 'tenet.yaml': transmitting.toString() }, apiPort: await freePort() });

  // B: a second Tenet with a proxy (so it has sessions) receiving from A by push.
  bRoot = mkdtempSync(join(tmpdir(), 'tenet-ssf-b-'));
  mkdirSync(join(bRoot, 'policies'));
  writeFileSync(join(bRoot, 'policies', 'allow.cedar'), 'permit (principal, action, resource);\n');
  const apiPort = await freePort();
  const proxyPort = await freePort();
  process.env['TENET_E2E_SSF_PUSH_TOKEN'] = PUSH_TOKEN;
  const config = {
    policies: './policies',
    listen: `127.0.0.1:${apiPort}`,
    api: { auth: 'none' },
    store: { path: join(bRoot, 'data', 'tenet.db') },
    proxy: { listen: `127.0.0.1:${proxyPort}`, publicUrl: `https://localhost:${proxyPort}`, tls: 'self-signed' },
    routes: [{ name: 'app', host: `localhost:${proxyPort}`, upstream: 'http://127.0.0.1:9', resource: { type: 'App', id: 'app' } }],
    // The same identity provider as A: A names alice by iss_sub (the IdP's issuer and her sub).
    authentication: { providers: [{ id: 'corp', issuer: a.idpUrl, clientId: 'tenet', clientSecret: 'unused-in-this-test', allowInsecureHttp: true }] },
    ssf: {
      receiver: {
        transmitters: [{ id: 'tenet-a', issuer: a.apiUrl, delivery: 'push', pushToken: { env: 'TENET_E2E_SSF_PUSH_TOKEN' }, allowInsecureHttp: true }],
      },
    },
  };
  writeFileSync(join(bRoot, 'tenet.yaml'), JSON.stringify(config));
  b = await serve(loadConfig(join(bRoot, 'tenet.yaml')), { handleSignals: false, logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }) });
}, 120_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  if (bRoot !== undefined) rmSync(bRoot, { recursive: true, force: true });
  delete process.env['TENET_E2E_SSF_PUSH_TOKEN'];
});

function alice(providerId: string) {
  return { providerId, idpSubject: 'alice', subject: { type: 'User', id: 'alice' }, parents: [], attributes: {}, groups: [], email: 'alice@example.com' };
}

describe('two Tenets over OpenID Shared Signals', () => {
  it('B discovers A and creates a push stream on it', async () => {
    const metadata = (await (await fetch(`${a.apiUrl}/.well-known/ssf-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: a.apiUrl, jwks_uri: expect.stringContaining('/ssf/jwks.json') });
    // The stream appears at A once B's receiver has set it up (in the background after start).
    await eventually(async () => {
      const streams = await fetch(`${a.apiUrl}/ssf/stream`);
      if (!streams.ok) return false;
      const body = (await streams.json()) as unknown;
      const list = Array.isArray(body) ? body : [body];
      return list.some((stream) => JSON.stringify(stream).includes('/ssf/receiver/tenet-a'));
    }, 'a push stream towards B at A');
  });

  it('an administrator ending alice\'s sessions at A ends her session at B (session-revoked)', async () => {
    const atB = await b.enforcement!.sessions.start({ identity: alice('corp'), authn: { methods: ['pwd'], phishingResistant: false }, host: `localhost:${new URL(b.enforcement!.proxyUrl!).port}` });
    const atA = await a.enforcement.sessions.start({ identity: alice('dev'), authn: { methods: ['pwd'], phishingResistant: false }, host: a.publicHost });
    const revoke = await fetch(`${a.apiUrl}/admin/v1/sessions/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'User::"alice"' }) });
    expect(revoke.status).toBe(200);
    expect((await a.tenet.runtime.store.sessions.get(atA.record.id))?.revokedAt).toBeDefined();
    await eventually(async () => (await b.runtime.store.sessions.get(atB.record.id))?.revokedAt !== undefined, 'alice\'s session at B revoked by the CAEP event');
  });

  it('B refuses a push without the transmitter\'s token and an unsigned SET', async () => {
    const url = `${b.url}/ssf/receiver/tenet-a`;
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: 'x.y.z' })).status).toBe(401);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: a.apiUrl, jti: 'x' })).toString('base64url')}.`;
    const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${PUSH_TOKEN}` }, body: unsigned });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { err: string }).err).toMatch(/invalid_request|invalid_key/);
  });
});
