// Forged and mismatched ID tokens, driven through both paths that accept them: the login callback
// (the real code exchange with the real provider, whose token response is rewritten) and the
// bearer authenticator. Every token here is refused; the valid ones next to them are accepted, so
// a refusal is for the reason under test and not for a broken setup.
import { decodeJwt, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hs256WithPublicKey, idTokenClaims, logoutTokenClaims, signedByImpostor, signedByProvider, unsigned } from './testing/craft-tokens.js';
import { PUBLIC_URL, SESSION_COOKIE, startLoginHarness, type LoginHarness } from './testing/login-harness.js';
import type { TestBrowser } from './testing/test-browser.js';

let harness: LoginHarness;
beforeAll(async () => {
  harness = await startLoginHarness();
});
afterAll(async () => {
  await harness?.close();
});

type Forge = (real: JWTPayload) => Promise<string> | string;

/** Logs in with the provider's real ID token replaced by `forge(real claims)`; returns the callback answer. */
async function loginWithForgedIdToken(forge: Forge): Promise<{ status: number; body: string; browser: TestBrowser }> {
  const browser = harness.newBrowser();
  const hops = await browser.follow(`${PUBLIC_URL}/.tenet/login?${new URLSearchParams({ rd: `${PUBLIC_URL}/in` }).toString()}`, {
    stopAt: (url) => url.pathname === '/.tenet/callback',
  });
  const callback = hops.at(-1)?.location;
  if (callback === undefined) throw new Error('no callback');
  harness.idp.tamperNextIdToken = async (idToken) => forge(decodeJwt(idToken));
  const answer = await browser.request(callback);
  expect(harness.idp.tamperNextIdToken).toBeUndefined(); // the rewrite really happened
  return { status: answer.status, body: answer.body, browser };
}

describe('the login callback refuses forged ID tokens', () => {
  it('accepts the provider\'s token re-signed unchanged (the rewrite itself is harmless)', async () => {
    const result = await loginWithForgedIdToken((real) => signedByProvider(harness.idp, real));
    expect(result.status).toBe(302);
    expect(result.browser.cookie('login.example.test', SESSION_COOKIE)).toBeDefined();
  });

  const forgeries: [string, Forge][] = [
    ['a wrong nonce', (real) => signedByProvider(harness.idp, { ...real, nonce: 'attacker-chosen-nonce' })],
    ['no nonce', (real) => signedByProvider(harness.idp, { ...real, nonce: undefined })],
    ['a wrong issuer', (real) => signedByProvider(harness.idp, { ...real, iss: 'https://evil.example' })],
    ['a wrong audience', (real) => signedByProvider(harness.idp, { ...real, aud: 'another-client' })],
    ['an extra audience without azp', (real) => signedByProvider(harness.idp, { ...real, aud: [harness.idp.clientId, 'another-client'] })],
    ['azp naming another client', (real) => signedByProvider(harness.idp, { ...real, aud: [harness.idp.clientId, 'another-client'], azp: 'another-client' })],
    ['an expired token', (real) => signedByProvider(harness.idp, { ...real, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['alg none', (real) => unsigned(real)],
    ['HS256 keyed with the provider\'s public key', (real) => hs256WithPublicKey(harness.idp, real)],
    ['a signature by another key under the provider\'s kid', (real) => signedByImpostor(harness.idp, real)],
    ['a changed subject with the original signature', async (real) => {
      const genuine = await signedByProvider(harness.idp, real);
      const [header, , signature] = genuine.split('.');
      return `${header}.${Buffer.from(JSON.stringify({ ...real, sub: 'bob' })).toString('base64url')}.${signature}`;
    }],
  ];
  it.each(forgeries)('refuses %s', async (_name, forge) => {
    const result = await loginWithForgedIdToken(forge);
    expect(result.status).toBe(400);
    expect(result.body).toMatch(/could not be verified/);
    expect(result.browser.cookie('login.example.test', SESSION_COOKIE)).toBeUndefined();
  });
});

describe('bearer ID tokens', () => {
  const bearer = (token: string) => harness.auth.bearer.authenticate(`Bearer ${token}`);

  it('accepts a real ID token from a login and maps it like the login did', async () => {
    const browser = harness.newBrowser();
    await harness.login(browser, `${PUBLIC_URL}/`);
    const sessionAnswer = await browser.request(`${PUBLIC_URL}/whoami`);
    const { session } = JSON.parse(sessionAnswer.body) as { session: { idToken: string; identity: { subject: unknown; idpSessionId: string } } };
    const result = await bearer(session.idToken);
    expect(result).toMatchObject({ ok: true, identity: { providerId: 'test-idp', idpSubject: 'alice', subject: session.identity.subject, idpSessionId: session.identity.idpSessionId } });
    // A bearer token carries only its own claims: groups this provider puts in UserInfo are absent.
    expect(result.ok && result.identity.groups).toEqual([]);
  });

  it('accepts a crafted valid token and maps groups and amr', async () => {
    const result = await bearer(await signedByProvider(harness.idp, idTokenClaims(harness.idp, { amr: ['hwk'], auth_time: Math.floor(Date.now() / 1000) - 30 })));
    expect(result).toMatchObject({
      ok: true,
      identity: { subject: { type: 'User', id: 'alice@example.test' }, parents: [{ type: 'Group', id: 'engineering' }], groups: ['engineering'] },
      authn: { methods: ['hwk'], phishingResistant: true, authenticatedAt: expect.any(String) },
    });
  });

  it('accepts tokens within the 60 s clock leeway', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await bearer(await signedByProvider(harness.idp, idTokenClaims(harness.idp, { exp: now - 30 })))).ok).toBe(true);
    expect((await bearer(await signedByProvider(harness.idp, idTokenClaims(harness.idp, { nbf: now + 30, iat: now + 30 })))).ok).toBe(true);
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const refusals: [string, () => Promise<string> | string, RegExp][] = [
    ['alg none', () => unsigned(idTokenClaims(harness.idp)), /not allowed/],
    ['HS256 keyed with the public key', () => hs256WithPublicKey(harness.idp, idTokenClaims(harness.idp)), /not allowed/],
    ['a signature by another key', () => signedByImpostor(harness.idp, idTokenClaims(harness.idp)), /signature is invalid/],
    ['an unknown issuer', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { iss: 'https://evil.example' })), /not issued by a configured provider/],
    ['a wrong audience', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { aud: 'another-client' })), /aud claim check failed/],
    ['several audiences without azp', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { aud: [harness.idp.clientId, 'x'] })), /azp/],
    ['an expired token', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { iat: now() - 7200, exp: now() - 61 })), /expired/],
    ['a token not yet valid', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { nbf: now() + 120 })), /nbf claim check failed/],
    ['a token issued in the future', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { iat: now() + 120, exp: now() + 720 })), /future/],
    ['a token without exp', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { exp: undefined })), /exp claim check failed/],
    ['a token without sub', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { sub: undefined })), /sub claim check failed/],
    ['a token without the subject claim (email)', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { email: undefined })), /"email" claim/],
    ['a logout token', () => signedByProvider(harness.idp, logoutTokenClaims(harness.idp, { sub: 'alice', exp: now() + 600 }), { typ: 'logout+jwt' }), /not an ID token/],
    ['an untyped token with an events claim', () => signedByProvider(harness.idp, idTokenClaims(harness.idp, { events: { x: {} } })), /not an ID token/],
    ['a JWT access token', () => signedByProvider(harness.idp, idTokenClaims(harness.idp), { typ: 'at+jwt' }), /not an ID token/],
    ['not a JWT', () => 'abc.def.ghi', /not a JWT/],
  ];
  it.each(refusals)('refuses %s', async (_name, make, problem) => {
    const result = await bearer(await make());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });

  it('refuses malformed Authorization headers', async () => {
    const token = await signedByProvider(harness.idp, idTokenClaims(harness.idp));
    for (const header of [token, `Basic ${token}`, `Bearer`, `Bearer ${token} extra`, `Bearer ${'a'.repeat(20_000)}.b.c`]) {
      const result = await harness.auth.bearer.authenticate(header);
      expect(result.ok).toBe(false);
    }
    expect((await harness.auth.bearer.authenticate(`bearer ${token}`)).ok).toBe(true);
  });
});
