import { describe, expect, it } from 'vitest';
import { authenticationSchema, type OidcProviderConfig } from '../../config/enforcement-schema.js';
import { isTenetError } from '../../errors.js';
import { authnFromClaims, identityFromClaims } from './map-claims.js';

function provider(overrides: Record<string, unknown> = {}): OidcProviderConfig {
  const config = authenticationSchema.parse({ providers: [{ id: 'corp', issuer: 'https://idp.example', clientId: 'tenet', ...overrides }] });
  const first = config.providers[0];
  if (first === undefined) throw new Error('no provider');
  return first;
}

describe('identityFromClaims', () => {
  it('maps sub, groups and profile with the default mapping', () => {
    expect(identityFromClaims(provider(), { sub: 'u-1', email: 'a@example.test', name: 'A', groups: ['g1', 'g2', 7, ''], sid: 's-1' })).toEqual({
      providerId: 'corp',
      idpSubject: 'u-1',
      idpSessionId: 's-1',
      subject: { type: 'User', id: 'u-1' },
      parents: [{ type: 'Group', id: 'g1' }, { type: 'Group', id: 'g2' }],
      attributes: {},
      email: 'a@example.test',
      name: 'A',
      groups: ['g1', 'g2'],
    });
  });

  it('follows the configured claim mapping and attribute types', () => {
    const mapped = identityFromClaims(
      provider({ claims: { subjectType: 'Corp::Person', subjectClaim: 'preferred_username', groupsClaim: 'roles', groupType: 'Corp::Role', attributes: { level: 'lvl', mfa: 'mfa', tags: 'tags', bad: 'obj', big: 'big' } } }),
      { sub: 'u-1', preferred_username: 'alice', roles: 'admin', lvl: 3, mfa: true, tags: ['x', 'y'], obj: { a: 1 }, big: 1.5 },
      'sid-from-token',
    );
    expect(mapped.subject).toEqual({ type: 'Corp::Person', id: 'alice' });
    expect(mapped.parents).toEqual([{ type: 'Corp::Role', id: 'admin' }]);
    expect(mapped.attributes).toEqual({ level: 3, mfa: true, tags: ['x', 'y'] });
    expect(mapped.idpSessionId).toBe('sid-from-token');
    expect(mapped).not.toHaveProperty('email');
  });

  it('refuses claims without sub or without the subject claim', () => {
    for (const claims of [{ email: 'a@example.test' }, { sub: '' }, { sub: 'u-1' }]) {
      let error: unknown;
      try {
        identityFromClaims(provider({ claims: { subjectClaim: claims.sub === 'u-1' ? 'email' : 'sub' } }), claims);
      } catch (caught) {
        error = caught;
      }
      expect(isTenetError(error) && error.code).toBe('TENET_ERR_AUTH_INVALID_TOKEN');
    }
  });
});

describe('authnFromClaims', () => {
  it.each([
    [['hwk'], undefined, true],
    [['fido', 'user'], undefined, true],
    [['phr'], undefined, true],
    [['phrh'], undefined, true],
    [['pwd', 'otp'], undefined, false],
    [['swk', 'user'], undefined, false],
    [['pwd'], 'urn:corp:phishing-resistant', true],
    [['pwd'], 'urn:corp:other', false],
  ])('amr %j with acr %s → phishing-resistant %s', (amr, acr, expected) => {
    const authn = authnFromClaims(provider({ phishingResistantAcr: ['urn:corp:phishing-resistant'] }), { amr, ...(acr !== undefined ? { acr } : {}) });
    expect(authn.phishingResistant).toBe(expected);
    expect(authn.methods).toEqual(amr);
  });

  it('takes authenticatedAt from auth_time, else the fallback, else leaves it unknown', () => {
    expect(authnFromClaims(provider(), { auth_time: 1_800_000_000, acr: 'x' })).toEqual({ methods: [], phishingResistant: false, authenticatedAt: '2027-01-15T08:00:00.000Z', acr: 'x' });
    expect(authnFromClaims(provider(), {}, new Date('2026-01-01T00:00:00Z')).authenticatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(authnFromClaims(provider(), { auth_time: 'yesterday' })).not.toHaveProperty('authenticatedAt');
  });
});
