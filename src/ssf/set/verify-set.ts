// Verifies a Security Event Token (RFC 8417) as the Shared Signals Framework 1.0 profiles it: a
// compact JWS (no `none`, no shared-secret algorithms), `typ` secevent+jwt, signed by the
// transmitter's key, from the expected issuer, for Tenet's audience, fresh by `iat`, with a `jti`
// and exactly one event. Each failure is a SetRefusal carrying the RFC 8935 §2.4 error code the
// receiver answers with. Replay (`jti` seen before) is the caller's check, against the store, and
// only after this succeeded: an unsigned SET must never burn a real one's id.
import { compactVerify, decodeProtectedHeader, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { SET_TYPE } from '../caep-events.js';
import { subjectIdentifierSchema, type SubjectIdentifier } from '../subject-identifier.js';

/**
 * Asymmetric algorithms only (RFC 8417 §5.2 asks for algorithms that authenticate the issuer; a
 * shared-secret MAC would let anyone holding the "public" JWKS forge SETs, and `none` is no
 * signature at all).
 */
export const SET_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const;

/** RFC 8935 §2.4 (IANA "Security Event Token Error Codes"). */
export type SetErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied';

/** A SET refused for a reason the transmitter should hear (RFC 8935 §2.3 error response, RFC 8936 setErrs). */
export class SetRefusal extends Error {
  override readonly name = 'SetRefusal';
  constructor(
    readonly err: SetErrorCode,
    readonly description: string,
  ) {
    super(`${err}: ${description}`);
  }
}

export interface SetVerificationOptions {
  /** The transmitter's issuer; `iss` must equal it exactly. */
  readonly issuer: string;
  /** Tenet's audience; `aud` must contain it. */
  readonly audience: string;
  /** The transmitter's keys (jose's createRemoteJWKSet, or a local set in tests). */
  readonly keys: JWTVerifyGetKey;
  readonly maxClockSkewSeconds: number;
  readonly maxAgeSeconds: number;
  readonly now?: () => Date;
}

export interface VerifiedSet {
  readonly jti: string;
  readonly iss: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly aud: readonly string[];
  /** The one key of `events`. */
  readonly eventType: string;
  readonly event: Readonly<Record<string, unknown>>;
  /** `sub_id` (RFC 9493 / SSF 1.0 §4.1), else the legacy `subject` member inside the event; undefined when neither is given. */
  readonly subject?: SubjectIdentifier;
  readonly txn?: string;
}

/** Longest SET read; a CAEP event is a few hundred bytes. */
export const MAX_SET_LENGTH = 64 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const claimsSchema = z.object({
  iss: z.string().min(1).max(2048),
  jti: z.string().min(1).max(256),
  iat: z.number().finite(),
  aud: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(64)]),
  txn: z.string().max(256).optional(),
  sub_id: z.unknown().optional(),
  events: z.record(z.string().min(1), z.record(z.string(), z.unknown())),
});

export async function verifySet(jws: string, options: SetVerificationOptions): Promise<VerifiedSet> {
  if (jws.length > MAX_SET_LENGTH) throw new SetRefusal('invalid_request', `the SET is longer than ${MAX_SET_LENGTH} bytes`);
  const token = jws.trim();
  if (token.split('.').length === 5) throw new SetRefusal('invalid_request', 'encrypted SETs (JWE) are not accepted; send a signed SET');
  if (!COMPACT_JWS.test(token)) throw new SetRefusal('invalid_request', 'the body is not a compact JWS');
  const header = readHeader(token);
  // An unsigned SET is not a SET this receiver can accept at all (SSF 1.0 §4.1: SETs are signed).
  if (header.alg === 'none') throw new SetRefusal('invalid_request', 'unsigned SETs (alg "none") are refused');
  if (!(SET_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw new SetRefusal('invalid_key', `alg "${header.alg}" is not accepted; use one of ${SET_ALGORITHMS.join(', ')}`);
  }
  // RFC 8417 §2.3: typ "secevent+jwt" (the full media type is equivalent, case-insensitively). It
  // keeps a SET from being replayed as an ID or access token and the other way round.
  const typ = header.typ?.toLowerCase();
  if (typ !== SET_TYPE && typ !== `application/${SET_TYPE}`) throw new SetRefusal('invalid_request', `typ must be "${SET_TYPE}"`);

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, options.keys, { algorithms: [...SET_ALGORITHMS] }));
  } catch (error) {
    throw keyRefusal(error);
  }
  const claims = readClaims(payload);

  if (claims.iss !== options.issuer) throw new SetRefusal('invalid_issuer', 'iss is not the issuer this endpoint receives from');
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!audiences.includes(options.audience)) throw new SetRefusal('invalid_audience', 'aud does not name this receiver');

  // RFC 8417 defines no expiry for a SET (it reports something that happened; `exp` is not part of
  // the profile), so freshness is judged by iat: not from the future beyond the allowed skew, not
  // older than maxAge, the window the jti is remembered for.
  const nowSeconds = (options.now?.() ?? new Date()).getTime() / 1000;
  if (claims.iat > nowSeconds + options.maxClockSkewSeconds) throw new SetRefusal('invalid_request', 'iat lies in the future');
  if (claims.iat < nowSeconds - options.maxAgeSeconds) throw new SetRefusal('invalid_request', 'the SET is too old (iat)');

  // SSF 1.0 §4.1: the events claim carries exactly one event, so a receiver acts on one thing per SET.
  const entries = Object.entries(claims.events);
  const [first] = entries;
  if (entries.length !== 1 || first === undefined) throw new SetRefusal('invalid_request', 'events must contain exactly one event');
  const [eventType, event] = first;

  const subject = readSubject(claims.sub_id, event.subject);
  return {
    jti: claims.jti,
    iss: claims.iss,
    iat: claims.iat,
    aud: audiences,
    eventType,
    event,
    ...(subject === undefined ? {} : { subject }),
    ...(claims.txn === undefined ? {} : { txn: claims.txn }),
  };
}

function readHeader(token: string): { alg: string; typ?: string } {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    throw new SetRefusal('invalid_request', 'the JWS header cannot be read');
  }
  if (typeof header.alg !== 'string') throw new SetRefusal('invalid_request', 'the JWS header has no alg');
  return { alg: header.alg, ...(typeof header.typ === 'string' ? { typ: header.typ } : {}) };
}

/** Signature and key failures are invalid_key (RFC 8935 §2.4: the key is unacceptable); a JWKS that cannot be fetched is not the SET's fault and propagates. */
function keyRefusal(error: unknown): Error {
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return new SetRefusal('invalid_key', 'no key of the transmitter matches the SET (kid)');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new SetRefusal('invalid_key', 'the signature does not verify with the transmitter\'s key');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new SetRefusal('invalid_key', 'the algorithm is not accepted');
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JOSENotSupported) return new SetRefusal('invalid_request', 'the JWS is malformed or uses an unsupported feature');
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return error;
  if (error instanceof TypeError || error instanceof joseErrors.JOSEError) return new SetRefusal('invalid_key', 'the transmitter\'s key cannot verify this SET');
  return error instanceof Error ? error : new Error(String(error));
}

function readClaims(payload: Uint8Array): z.infer<typeof claimsSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new SetRefusal('invalid_request', 'the SET payload is not JSON');
  }
  const result = claimsSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SetRefusal('invalid_request', `claim ${issue?.path.join('.') || '(payload)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function readSubject(subId: unknown, legacy: unknown): SubjectIdentifier | undefined {
  const given = subId ?? legacy;
  if (given === undefined) return undefined;
  const result = subjectIdentifierSchema.safeParse(given);
  if (!result.success) throw new SetRefusal('invalid_request', 'the subject identifier is not a valid RFC 9493 / SSF subject');
  return result.data;
}
