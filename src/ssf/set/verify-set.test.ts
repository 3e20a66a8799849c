// verifySet against real jose signatures: the algorithm allow-list, typ, key, iss/aud/iat checks,
// one event, subject parsing, and that a SET needs no exp.
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAEP_EVENTS } from '../caep-events.js';
import { SetRefusal, verifySet, type SetVerificationOptions } from './verify-set.js';

const ISS = 'https://transmitter.example';
const AUD = 'https://tenet.example';
const NOW = new Date('2025-03-01T10:00:00Z');
const iat = NOW.getTime() / 1000;

describe('verifySet', () => {
  let options: SetVerificationOptions;
  let sign: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;
  let rsaJwk: JWK;

  beforeAll(async () => {
    const ec = await generateKeyPair('ES256');
    const rsa = await generateKeyPair('PS256', { extractable: true });
    rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa' };
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'ec' }, rsaJwk] });
    options = { issuer: ISS, audience: AUD, keys, maxClockSkewSeconds: 300, maxAgeSeconds: 3600, now: () => NOW };
    sign = (claims, header = {}) =>
      new SignJWT({ iss: ISS, aud: [AUD, 'other'], iat, jti: 'j1', events: { [CAEP_EVENTS.sessionRevoked]: {} }, sub_id: { format: 'email', email: 'a@example.com' }, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'ec', typ: 'secevent+jwt', ...header } as { alg: string })
        .sign(header.alg === 'PS256' ? rsa.privateKey : ec.privateKey);
  });

  const refusal = async (jws: string): Promise<string> => {
    try {
      await verifySet(jws, options);
      return 'accepted';
    } catch (error) {
      if (error instanceof SetRefusal) return error.err;
      throw error;
    }
  };

  it('accepts a well-formed SET without exp, with either accepted algorithm family', async () => {
    const set = await verifySet(await sign({}), options);
    expect(set).toMatchObject({ jti: 'j1', iss: ISS, eventType: CAEP_EVENTS.sessionRevoked, subject: { format: 'email', email: 'a@example.com' } });
    expect(await refusal(await sign({}, { alg: 'PS256', kid: 'rsa', typ: 'application/secevent+jwt' }))).toBe('accepted');
  });

  it('reads the complex subject and the legacy in-event subject', async () => {
    const complex = await verifySet(await sign({ sub_id: { format: 'complex', user: { format: 'opaque', id: 'u' }, device: { format: 'opaque', id: 'd' } } }), options);
    expect(complex.subject).toEqual({ user: { format: 'opaque', id: 'u' }, device: { format: 'opaque', id: 'd' } });
    const legacy = await verifySet(await sign({ sub_id: undefined, events: { [CAEP_EVENTS.sessionRevoked]: { subject: { format: 'opaque', id: 'x' } } } }), options);
    expect(legacy.subject).toEqual({ format: 'opaque', id: 'x' });
  });

  it('refuses with the RFC 8935 codes', async () => {
    expect(await refusal(await sign({ iss: 'https://evil.example' }))).toBe('invalid_issuer');
    expect(await refusal(await sign({ aud: 'https://elsewhere.example' }))).toBe('invalid_audience');
    expect(await refusal(await sign({}, { typ: 'JWT' }))).toBe('invalid_request');
    expect(await refusal(await sign({}, { kid: 'missing' }))).toBe('invalid_key');
    expect(await refusal(await sign({ iat: iat - 3601 }))).toBe('invalid_request');
    expect(await refusal(await sign({ iat: iat + 301 }))).toBe('invalid_request');
    expect(await refusal(await sign({ jti: '' }))).toBe('invalid_request');
    expect(await refusal(await sign({ events: {} }))).toBe('invalid_request');
    expect(await refusal(await sign({ sub_id: { format: 'email' } }))).toBe('invalid_request');
    const hmac = await new SignJWT({ iss: ISS, aud: AUD, iat, jti: 'h', events: { x: {} } })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa', typ: 'secevent+jwt' })
      .sign(new TextEncoder().encode(JSON.stringify(rsaJwk)));
    expect(await refusal(hmac)).toBe('invalid_key');
    const [header, payload] = (await sign({})).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' })).toString('base64url')}.${payload}.`;
    expect(await refusal(none)).toBe('invalid_request');
    expect(await refusal(`${header}.${payload}.AAAA`)).toBe('invalid_key');
    expect(await refusal('a.b.c.d.e')).toBe('invalid_request');
  });
});
