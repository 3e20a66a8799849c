// The passkey endpoints over real HTTP (node:http on loopback) with real sessions and the real
// SQLite passkey store: what a browser cannot be made to do in the Chromium test — a stale session,
// another host, malformed or oversized bodies, forged origins, open redirects, another user's
// credential, a cloned authenticator's counter. Signatures are verified in test/browser/passkeys.test.ts.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../api/testing/memory-store.js';
import type { Authentication } from '../../engine/tuple.js';
import type { SessionIdentity } from '../../sessions/session.js';
import { Sessions } from '../../sessions/sessions.js';
import type { Store } from '../../store/ports.js';
import { authenticationSchema } from '../../config/enforcement-schema.js';
import type { HttpRequestFacts } from '../access/http-access.js';
import { startPasskeys, type PasskeyEndpoints } from './index.js';
import type { PasskeyCredential } from './passkey-credential.js';

const PUBLIC = 'https://login.test';
const COOKIE = '__Host-tenet_session';
const NOT_HANDLED = 599;

const alice: SessionIdentity = { providerId: 'dev', idpSubject: 'a', subject: { type: 'User', id: 'alice' }, parents: [], attributes: {}, groups: [], email: 'alice@example.com', name: 'Alice' };
const bob: SessionIdentity = { ...alice, idpSubject: 'b', subject: { type: 'User', id: 'bob' }, email: 'bob@example.com', name: 'Bob' };

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

function passkey(id: string, owner: SessionIdentity, overrides: Partial<PasskeyCredential> = {}): PasskeyCredential {
  return { id, subject: owner.subject, publicKey: 'pQECAyYgASFY', counter: 0, transports: ['internal'], deviceType: 'singleDevice', backedUp: false, name: id, createdAt: '2025-03-01T09:00:00.000Z', ...overrides };
}

describe('passkey endpoints over HTTP', () => {
  let server: Server;
  let port: number;
  let store: Store;
  let sessions: Sessions;
  let now: Date;
  let logLines: string[];
  let endpoints: PasskeyEndpoints;
  let enabled = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const facts: HttpRequestFacts = {
        method: req.method ?? 'GET',
        scheme: 'https',
        host: (req.headers.host ?? '').toLowerCase(),
        path: req.url ?? '/',
        clientIp: '127.0.0.1',
        ...(req.headers.cookie === undefined ? {} : { cookie: req.headers.cookie }),
      };
      endpoints.handle(req, res, facts).then(
        (handled) => {
          if (!handled) res.writeHead(NOT_HANDLED).end();
        },
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    store = memoryStore();
    now = new Date('2025-03-01T10:00:00.000Z');
    sessions = new Sessions(store.sessions, { cookieName: COOKIE, idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 43200 }, () => now);
    logLines = [];
    const config = authenticationSchema.parse({
      providers: [{ id: 'dev', name: 'Dev IdP', issuer: 'https://idp.test', clientId: 'tenet' }],
      passkeys: { enabled },
    });
    endpoints = startPasskeys({
      config,
      publicUrl: PUBLIC,
      sessions,
      passkeys: store.passkeys,
      returnToAllowed: (url) => url.host === 'login.test' || url.host === 'app.test',
      logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      clock: () => now,
    });
  });
  afterEach(async () => {
    enabled = true;
    await store.close();
  });

  async function signedIn(identity: SessionIdentity, authenticatedAt: Date): Promise<string> {
    const authn: Authentication = { methods: ['pwd'], phishingResistant: false, authenticatedAt: authenticatedAt.toISOString() };
    const { secret } = await sessions.start({ identity, authn, host: 'login.test' });
    return `${COOKIE}=${secret}`;
  }

  function send(method: string, path: string, options: { host?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: options.host ?? 'login.test', ...options.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  const postJson = (path: string, body: unknown, cookie?: string, headers: Record<string, string> = {}): Promise<Reply> =>
    send('POST', path, { headers: { origin: PUBLIC, 'content-type': 'application/json', ...(cookie === undefined ? {} : { cookie }), ...headers }, body: JSON.stringify(body) });

  it('answers only on the public host, and leaves every other path to the proxy', async () => {
    const cookie = await signedIn(alice, now);
    expect((await send('GET', '/.tenet/passkeys', { host: 'app.test', headers: { cookie } })).status).toBe(404);
    expect((await send('GET', '/.tenet/step-up?rd=https%3A%2F%2Fapp.test%2F', { host: 'app.test' })).status).toBe(404);
    expect((await postJson('/.tenet/passkeys/registration/options', {}, cookie, { host: 'app.test' })).status).toBe(404);
    expect((await send('GET', '/.tenet/passkeysX')).status).toBe(NOT_HANDLED);
    expect((await send('GET', '/.tenet/login')).status).toBe(NOT_HANDLED);
    expect((await send('GET', '/.tenet/passkeys/unknown')).status).toBe(404);
  });

  it('serves the pinned @simplewebauthn/browser bundle and the page script from this origin', async () => {
    const bundle = await send('GET', '/.tenet/passkeys/webauthn.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(bundle.text).toContain('SimpleWebAuthnBrowser');
    expect((await send('GET', '/.tenet/passkeys/page.js')).text).toContain('/.tenet/passkeys/authentication/verify');
  });

  describe('registration', () => {
    it('needs a session, and a sign-in from the last 10 minutes (a stolen session alone cannot add a passkey)', async () => {
      const none = await postJson('/.tenet/passkeys/registration/options', {});
      expect(none.status).toBe(401);
      expect(JSON.parse(none.text)).toMatchObject({ error: 'login_required' });

      const stale = await signedIn(alice, new Date(now.getTime() - 601_000));
      const refused = await postJson('/.tenet/passkeys/registration/options', {}, stale);
      expect(refused.status).toBe(403);
      const body = JSON.parse(refused.text) as { error: string; login_url: string };
      expect(body.error).toBe('reauthentication_required');
      expect(Object.fromEntries(new URL(body.login_url, PUBLIC).searchParams)).toEqual({ rd: `${PUBLIC}/.tenet/passkeys`, provider: 'dev', step_up: '1', max_age: '0' });
      // The page says so too, instead of offering the button.
      const page = await send('GET', '/.tenet/passkeys', { headers: { cookie: stale } });
      expect(page.text).toContain('Sign in again to register a passkey');
      expect(page.text).not.toContain('id="register"');
    });

    it('offers creation options for a recent sign-in, excluding the passkeys already registered', async () => {
      await store.passkeys.add(passkey('existing-1', alice));
      await store.passkeys.add(passkey('bobs', bob));
      const cookie = await signedIn(alice, new Date(now.getTime() - 300_000));
      const reply = await postJson('/.tenet/passkeys/registration/options', {}, cookie);
      expect(reply.status).toBe(200);
      const options = JSON.parse(reply.text) as Record<string, unknown>;
      expect(options).toMatchObject({
        rp: { id: 'login.test', name: 'Tenet' },
        user: { name: 'alice@example.com', displayName: 'Alice' },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
        excludeCredentials: [{ id: 'existing-1', type: 'public-key', transports: ['internal'] }],
      });
      expect(options['challenge']).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    });

    it('refuses a verify whose challenge was never issued', async () => {
      const cookie = await signedIn(alice, now);
      const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'bm90LWlzc3VlZA', origin: PUBLIC })).toString('base64url');
      const reply = await postJson('/.tenet/passkeys/registration/verify', { name: 'x', response: { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON, attestationObject: 'AA' } } }, cookie);
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.text)).toMatchObject({ error: 'invalid_challenge' });
      expect(await store.passkeys.listFor(alice.subject)).toEqual([]);
    });
  });

  describe('request checks before anything is read', () => {
    it('refuses other origins, missing origins, cross-site fetch metadata, other media types, bad JSON, oversized bodies and GET', async () => {
      const cookie = await signedIn(alice, now);
      const path = '/.tenet/passkeys/registration/options';
      const error = (reply: Reply): unknown => (JSON.parse(reply.text) as { error: string }).error;
      expect(error(await postJson(path, {}, cookie, { origin: 'https://evil.test' }))).toBe('cross_origin');
      expect(error(await postJson(path, {}, cookie, { origin: 'https://login.test:8443' }))).toBe('cross_origin');
      expect(error(await send('POST', path, { headers: { cookie, 'content-type': 'application/json' }, body: '{}' }))).toBe('cross_origin');
      expect(error(await postJson(path, {}, cookie, { 'sec-fetch-site': 'same-site' }))).toBe('cross_origin');
      const form = await send('POST', path, { headers: { cookie, origin: PUBLIC, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
      expect([form.status, error(form)]).toEqual([415, 'unsupported_media_type']);
      const broken = await send('POST', path, { headers: { cookie, origin: PUBLIC, 'content-type': 'application/json' }, body: '{"a":' });
      expect([broken.status, error(broken)]).toEqual([400, 'invalid_request']);
      const array = await send('POST', path, { headers: { cookie, origin: PUBLIC, 'content-type': 'application/json' }, body: '[]' });
      expect(array.status).toBe(400);
      const huge = await send('POST', path, { headers: { cookie, origin: PUBLIC, 'content-type': 'application/json' }, body: Buffer.alloc(64 * 1024 + 1, 0x20) });
      expect([huge.status, error(huge)]).toEqual([413, 'too_large']);
      const get = await send('GET', path, { headers: { cookie } });
      expect([get.status, get.headers['allow']]).toEqual([405, 'POST']);
    });
  });

  describe('assertion', () => {
    /** Options for the session, then a response naming `credentialId` over the issued challenge, with the given signature counter. */
    async function respondWith(cookie: string, credentialId: string, counter: number): Promise<Reply> {
      const options = JSON.parse((await postJson('/.tenet/passkeys/authentication/options', { rd: 'https://app.test/admin' }, cookie)).text) as { challenge: string };
      const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: PUBLIC })).toString('base64url');
      const authenticatorData = Buffer.alloc(37);
      authenticatorData[32] = 0x05; // UP | UV
      authenticatorData.writeUInt32BE(counter, 33);
      const response = { id: credentialId, rawId: credentialId, type: 'public-key', response: { clientDataJSON, authenticatorData: authenticatorData.toString('base64url'), signature: 'AA' } };
      return postJson('/.tenet/passkeys/authentication/verify', { response }, cookie);
    }

    it('refuses another user\'s credential, and a counter that did not increase (logged as a possible clone); nothing is strengthened', async () => {
      await store.passkeys.add(passkey('alices', alice, { counter: 5 }));
      await store.passkeys.add(passkey('bobs', bob));
      const cookie = await signedIn(alice, now);
      const foreign = await respondWith(cookie, 'bobs', 9);
      expect([foreign.status, JSON.parse(foreign.text).error]).toEqual([400, 'unknown_credential']);
      const cloned = await respondWith(cookie, 'alices', 5);
      expect([cloned.status, JSON.parse(cloned.text).error]).toEqual([400, 'counter_mismatch']);
      const warning = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry['reason'] === 'counter-not-increasing');
      expect(warning).toMatchObject({ level: 40, subject: 'User::"alice"', credential: 'alices', stored: 5, presented: 5 });
      const [session] = await store.sessions.listActive(now.toISOString());
      expect(session?.authn.phishingResistant).toBe(false);
      expect((await store.passkeys.get('alices'))?.counter).toBe(5);
    });

    it('refuses a return address that is not ours, and answers 404 when the user has no passkeys', async () => {
      const cookie = await signedIn(alice, now);
      const none = await postJson('/.tenet/passkeys/authentication/options', { rd: 'https://app.test/' }, cookie);
      expect([none.status, JSON.parse(none.text).error]).toEqual([404, 'no_passkeys']);
      await store.passkeys.add(passkey('alices', alice));
      const evil = await postJson('/.tenet/passkeys/authentication/options', { rd: 'https://evil.test/' }, cookie);
      expect([evil.status, JSON.parse(evil.text).error]).toEqual([400, 'invalid_request']);
    });
  });

  describe('GET /.tenet/step-up', () => {
    const query = `rd=${encodeURIComponent('https://app.test/admin?x=<b>')}&provider=dev&step_up=1&max_age=600&phr=1`;

    it('goes to the identity provider (same query on /.tenet/login) without a session or without passkeys', async () => {
      const anonymous = await send('GET', `/.tenet/step-up?${query}`);
      expect([anonymous.status, anonymous.headers['location']]).toEqual([302, `/.tenet/login?${query}`]);
      const cookie = await signedIn(alice, now);
      const noPasskeys = await send('GET', `/.tenet/step-up?${query}`, { headers: { cookie } });
      expect([noPasskeys.status, noPasskeys.headers['location']]).toEqual([302, `/.tenet/login?${query}`]);
    });

    it('offers the passkey, escaped, with the identity provider as the other way; the page runs only our scripts', async () => {
      await store.passkeys.add(passkey('alices', alice));
      const cookie = await signedIn(alice, now);
      const page = await send('GET', `/.tenet/step-up?${query}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-rd="https://app.test/admin?x=%3Cb%3E"');
      expect(page.text).toContain('Use Dev IdP instead');
      expect(page.text).toContain(`href="/.tenet/login?${query.replaceAll('&', '&#38;')}"`);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.text).not.toMatch(/<script>/);
    });

    it('refuses a return address that is not one of ours (never an open redirect)', async () => {
      for (const rd of ['https://evil.test/', '//evil.test/', 'https:evil.test', 'javascript:alert(1)']) {
        const reply = await send('GET', `/.tenet/step-up?rd=${encodeURIComponent(rd)}&step_up=1&phr=1`);
        expect(reply.status).toBe(400);
        expect(reply.headers['location']).toBeUndefined();
      }
    });

    it('with passkeys off, always goes to the identity provider, and the passkey pages do not exist', async () => {
      enabled = false;
      await store.close();
      store = memoryStore();
      const config = authenticationSchema.parse({ providers: [{ id: 'dev', issuer: 'https://idp.test', clientId: 'tenet' }], passkeys: { enabled: false } });
      sessions = new Sessions(store.sessions, { cookieName: COOKIE, idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 43200 }, () => now);
      endpoints = startPasskeys({ config, publicUrl: PUBLIC, sessions, passkeys: store.passkeys, returnToAllowed: () => true, logger: pino({ level: 'silent' }), clock: () => now });
      await store.passkeys.add(passkey('alices', alice));
      const cookie = await signedIn(alice, now);
      expect((await send('GET', `/.tenet/step-up?${query}`, { headers: { cookie } })).status).toBe(302);
      expect((await send('GET', '/.tenet/passkeys', { headers: { cookie } })).status).toBe(404);
      expect((await postJson('/.tenet/passkeys/registration/options', {}, cookie)).status).toBe(404);
    });
  });

  describe('the passkey page and removal', () => {
    it('sends a browser without a session to sign in and come back', async () => {
      const reply = await send('GET', '/.tenet/passkeys');
      expect(reply.status).toBe(302);
      expect(reply.headers['location']).toBe(`/.tenet/login?rd=${encodeURIComponent(`${PUBLIC}/.tenet/passkeys`)}`);
    });

    it('lists only the user\'s passkeys, escaped, and removes only the user\'s own', async () => {
      await store.passkeys.add(passkey('alices', alice, { name: '<img src=x onerror=alert(1)>', deviceType: 'multiDevice', backedUp: true }));
      await store.passkeys.add(passkey('bobs', bob, { name: 'Bob key' }));
      const cookie = await signedIn(alice, now);
      const page = await send('GET', '/.tenet/passkeys', { headers: { cookie } });
      expect(page.text).toContain('&#60;img src=x onerror=alert(1)&#62;');
      expect(page.text).not.toContain('<img');
      expect(page.text).not.toContain('Bob key');
      expect(page.text).toContain('id="register"');

      const foreign = await postJson('/.tenet/passkeys/delete', { id: 'bobs' }, cookie);
      expect(foreign.status).toBe(404);
      expect(await store.passkeys.get('bobs')).toBeDefined();
      const own = await postJson('/.tenet/passkeys/delete', { id: 'alices' }, cookie);
      expect(own.status).toBe(200);
      expect(await store.passkeys.get('alices')).toBeUndefined();
      expect(logLines.some((line) => line.includes('"outcome":"passkey-removed"') && line.includes('"credential":"alices"'))).toBe(true);
    });
  });
});
