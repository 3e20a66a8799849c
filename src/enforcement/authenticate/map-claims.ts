// Maps an OpenID provider's claims onto the Cedar principal (provider.claims) and onto how the user
// authenticated (RFC 8176 `amr`, OIDC Core §2 `acr` and `auth_time`). Used for logins and for
// bearer ID tokens alike, so both produce the same principal for the same user.
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import type { Authentication, EntityRef } from '../../engine/tuple.js';
import { TenetError } from '../../errors.js';
import type { SessionIdentity } from '../../sessions/session.js';

type Claims = Readonly<Record<string, unknown>>;
type AttributeValue = string | boolean | number | readonly string[];

/**
 * amr values that assert phishing-resistant authentication: `hwk` (RFC 8176 proof of possession of
 * a hardware-secured key), `fido` (FIDO authenticator, as several IdPs send), `phr`/`phrh`
 * (phishing-resistant / hardware-protected, OpenID EAP ACR values 1.0).
 */
const PHISHING_RESISTANT_AMR = new Set(['hwk', 'fido', 'phr', 'phrh']);
const MAX_GROUPS = 1000;

/** The Cedar principal and profile from `claims`; throws TenetError TENET_ERR_AUTH_INVALID_TOKEN when the subject claim is missing. */
export function identityFromClaims(provider: OidcProviderConfig, claims: Claims, sid?: string): SessionIdentity {
  const mapping = provider.claims;
  const idpSubject = claims.sub;
  if (typeof idpSubject !== 'string' || idpSubject === '') {
    throw new TenetError('TENET_ERR_AUTH_INVALID_TOKEN', `Provider "${provider.id}" sent no subject (sub) claim.`);
  }
  const subjectValue = claims[mapping.subjectClaim];
  const subjectId = typeof subjectValue === 'string' ? subjectValue : typeof subjectValue === 'number' ? String(subjectValue) : undefined;
  if (subjectId === undefined || subjectId === '') {
    throw new TenetError('TENET_ERR_AUTH_INVALID_TOKEN', `Provider "${provider.id}" sent no "${mapping.subjectClaim}" claim, which names the user (claims.subjectClaim).`);
  }
  const groups = stringList(claims[mapping.groupsClaim]).slice(0, MAX_GROUPS);
  const parents: EntityRef[] = groups.map((group) => ({ type: mapping.groupType, id: group }));
  const attributes: Record<string, AttributeValue> = {};
  for (const [attribute, claimName] of Object.entries(mapping.attributes)) {
    const value = attributeValue(claims[claimName]);
    if (value !== undefined) attributes[attribute] = value;
  }
  const idpSessionId = sid ?? (typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined);
  return {
    providerId: provider.id,
    idpSubject,
    ...(idpSessionId !== undefined ? { idpSessionId } : {}),
    subject: { type: mapping.subjectType, id: subjectId },
    parents,
    attributes,
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    groups,
  };
}

/**
 * How the user authenticated. `authenticatedAt` comes from `auth_time`; without it, from
 * `fallbackAuthenticatedAt` when given (a login that just completed), else it is left unknown.
 */
export function authnFromClaims(provider: OidcProviderConfig, claims: Claims, fallbackAuthenticatedAt?: Date): Authentication {
  const methods = stringList(claims.amr);
  const acr = typeof claims.acr === 'string' && claims.acr !== '' ? claims.acr : undefined;
  const phishingResistant = methods.some((method) => PHISHING_RESISTANT_AMR.has(method)) || (acr !== undefined && provider.phishingResistantAcr.includes(acr));
  const authTime = typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) ? new Date(claims.auth_time * 1000) : fallbackAuthenticatedAt;
  return {
    methods,
    phishingResistant,
    ...(authTime !== undefined && !Number.isNaN(authTime.getTime()) ? { authenticatedAt: authTime.toISOString() } : {}),
    ...(acr !== undefined ? { acr } : {}),
  };
}

/** A claim that is a list of strings, or one string (some IdPs send a single group as a string). */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string' && item !== '');
}

function attributeValue(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined; // Cedar longs are integers
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}
