// The Policy Administrator's session service (NIST SP 800-207 §3.1): starts, resumes and ends
// login sessions, reads and writes the session cookie, and moves a login to another host through a
// one-time code. The cookie carries only a 256-bit random secret; the store knows its SHA-256, so
// neither a copy of the database nor a log line can be replayed as a cookie. Every answer that is
// not a valid, unrevoked, unexpired session for this very host is "no session" (deny by default).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { entityKey } from '../engine/cedar/entity-key.js';
import type { Authentication, EntityRef } from '../engine/tuple.js';
import { TenetError } from '../errors.js';
import type { SessionStore } from '../store/ports.js';
import type { SessionIdentity, SessionRecord } from './session.js';

export interface SessionSettings {
  /** e.g. `__Host-tenet_session`. */
  readonly cookieName: string;
  readonly idleTimeoutSeconds: number;
  readonly absoluteTimeoutSeconds: number;
}

/** How long a hand-off code may be redeemed: long enough for one redirect, short enough to be useless once leaked. */
export const HANDOFF_TTL_SECONDS = 60;
/** lastSeenAt is written at most this often per session, so busy sessions do not cost a write per request. */
export const TOUCH_INTERVAL_SECONDS = 10;
/**
 * How long a session read from the store is reused for the requests that follow (the lookup runs
 * on every proxied request). Revocations made through this process drop it at once; one made by
 * another process on the same store applies within this time.
 */
export const RECORD_REUSE_MS = 1000;
/** Most session records kept for reuse; past this the memory starts afresh. */
const MAX_REUSED_RECORDS = 10_000;
/**
 * Longest Cookie header read. Far above what browsers send for one site (RFC 6265 §6.1 asks for at
 * least 50 cookies of 4096 bytes, and the proxy's request-head limit applies first); it bounds the
 * work a hostile header can cause here.
 */
export const MAX_COOKIE_HEADER_LENGTH = 64 * 1024;

// 32 random bytes in base64url without padding: exactly 43 characters of [A-Za-z0-9_-].
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// RFC 6265 §4.1.1 cookie-name is an RFC 2616 token.
const COOKIE_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Dot-separated labels (DNS names, IPv4; `_` allowed as container names use it) or a bracketed IPv6
// literal (RFC 3986 §3.2.2), then an optional port. Anything else cannot be a Host we serve.
const HOST_PATTERN = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** Hex SHA-256 (how secrets, codes and states are keyed in the store). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** 256-bit random value, base64url without padding (43 chars). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `value` has the shape of a secret from randomSecret() (cookie values, hand-off codes). */
export function isSecretShaped(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

/** Compares two hex digests (e.g. a login-binding cookie's hash with LoginState.browserBinding) in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Lengths of digests are public (64 hex characters); only their content must not leak through timing.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The host as sessions are bound to it (lower-case, port kept), or undefined when it is not a valid host. */
export function normalizeHost(host: string): string | undefined {
  const lower = host.toLowerCase();
  return lower.length <= 262 && HOST_PATTERN.test(lower) ? lower : undefined;
}

export class Sessions {
  readonly #store: SessionStore;
  readonly #settings: SessionSettings;
  readonly #clock: () => Date;
  readonly #listeners = new Set<(sessionIds: readonly string[], reason: string) => void>();
  readonly #authnListeners = new Set<(sessionIds: readonly string[]) => void>();
  /** Recently read records by id, with the time they were read (see RECORD_REUSE_MS). */
  readonly #recent = new Map<string, { readonly record: SessionRecord; readonly readAtMs: number }>();

  constructor(store: SessionStore, settings: SessionSettings, clock: () => Date = () => new Date()) {
    if (!COOKIE_NAME_PATTERN.test(settings.cookieName)) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID_SESSION', `session cookie name "${settings.cookieName}" is not a valid cookie name (RFC 6265 §4.1.1)`);
    }
    for (const [name, seconds] of [
      ['idleTimeoutSeconds', settings.idleTimeoutSeconds],
      ['absoluteTimeoutSeconds', settings.absoluteTimeoutSeconds],
    ] as const) {
      if (!Number.isSafeInteger(seconds) || seconds <= 0) {
        throw new TenetError('TENET_ERR_CONFIG_INVALID_SESSION', `session ${name} must be a positive whole number of seconds, got ${seconds}`);
      }
    }
    this.#store = store;
    this.#settings = settings;
    this.#clock = clock;
  }

  /** A new session with a fresh 256-bit random secret (so login always rotates the cookie). loginId defaults to a new random id. */
  async start(input: { identity: SessionIdentity; authn: Authentication; host: string; idToken?: string; loginId?: string }): Promise<{ secret: string; record: SessionRecord }> {
    const host = requireHost(input.host);
    const now = this.#clock();
    // A fresh secret on every login: a cookie planted before login (session fixation, OWASP ASVS
    // V3.2.1) never becomes an authenticated one.
    const secret = randomSecret();
    const record: SessionRecord = {
      id: sha256Hex(secret),
      loginId: input.loginId ?? randomUUID(),
      host,
      identity: input.identity,
      authn: input.authn,
      ...(input.idToken === undefined ? {} : { idToken: input.idToken }),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#settings.absoluteTimeoutSeconds * 1000).toISOString(),
    };
    await this.#store.create(record);
    return { secret, record };
  }

  /**
   * The session for a cookie secret presented on `host`, or undefined when unknown, revoked, idle-
   * or absolutely expired, or bound to another host. Updates lastSeenAt (writes at most once every
   * 10 s per session). Store failures reject (the caller fails closed), they are not "no session".
   */
  async resume(secret: string, host: string): Promise<SessionRecord | undefined> {
    if (!isSecretShaped(secret)) return undefined;
    const presentedHost = normalizeHost(host);
    if (presentedHost === undefined) return undefined;
    const id = sha256Hex(secret);
    const now = this.#clock();
    const record = await this.#read(id, now.getTime());
    // INVARIANT: the record is the one keyed by this secret's hash. Checked, not assumed, so a store
    // that matched keys loosely (collation, prefix) could not hand out another user's session.
    if (record === undefined || !sameDigest(record.id, id)) return undefined;
    // __Host- cookies are bound to one host by the browser; a cookie carried to another host (a
    // sibling app, a compromised subdomain) is refused here too.
    if (record.host !== presentedHost) return undefined;
    if (!this.#isLive(record, now)) return undefined;
    // With a short idle timeout the touch interval shrinks too, or a session in use would still
    // idle out (it would never be written before expiring).
    const touchIntervalMs = Math.min(TOUCH_INTERVAL_SECONDS, this.#settings.idleTimeoutSeconds / 4) * 1000;
    if (now.getTime() - Date.parse(record.lastSeenAt) < touchIntervalMs) return record;
    // Idle time counts from the last write, which may lag the last use by up to the touch interval:
    // a session can end that much early, never late.
    const lastSeenAt = now.toISOString();
    await this.#store.touch(id, lastSeenAt);
    const touched = { ...record, lastSeenAt };
    const reused = this.#recent.get(id);
    if (reused !== undefined) this.#recent.set(id, { record: touched, readAtMs: reused.readAtMs });
    return touched;
  }

  async #read(id: string, nowMs: number): Promise<SessionRecord | undefined> {
    const reused = this.#recent.get(id);
    if (reused !== undefined && nowMs - reused.readAtMs < RECORD_REUSE_MS && nowMs >= reused.readAtMs) return reused.record;
    const record = await this.#store.get(id);
    if (record === undefined) {
      this.#recent.delete(id);
      return undefined;
    }
    if (this.#recent.size >= MAX_REUSED_RECORDS) this.#recent.clear();
    this.#recent.set(id, { record, readAtMs: nowMs });
    return record;
  }

  /** Reads this deployment's session cookie value from a raw Cookie header (undefined when absent or malformed: base64url, 43 chars). */
  readCookie(cookieHeader: string | undefined): string | undefined {
    if (cookieHeader === undefined || cookieHeader.length > MAX_COOKIE_HEADER_LENGTH) return undefined;
    let found: string | undefined;
    let count = 0;
    // RFC 6265 §4.2.1: cookie-pair *( ";" SP cookie-pair ). Whitespace around pairs is tolerated
    // (§5.4 user agents vary); other cookies, however malformed, are none of our business.
    for (const pair of cookieHeader.split(';')) {
      const equals = pair.indexOf('=');
      if (equals === -1) continue;
      if (pair.slice(0, equals).trim() !== this.#settings.cookieName) continue;
      count += 1;
      found = pair.slice(equals + 1).trim();
    }
    // Two cookies of our name mean someone else set one (cookie tossing from a sibling host, or a
    // Path-scoped cookie shadowing ours); which is ours cannot be told, so neither is used.
    if (count !== 1 || found === undefined || !isSecretShaped(found)) return undefined;
    return found;
  }

  /** `Set-Cookie` value: `<name>=<secret>; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=<seconds until absolute expiry>` */
  setCookie(secret: string, record: SessionRecord): string {
    // Checked so that nothing but a secret we made can reach a response header (header injection).
    if (!isSecretShaped(secret)) throw new TenetError('TENET_ERR_INTERNAL_INVALID_SESSION_SECRET', 'refusing to set a session cookie whose value is not a session secret');
    const seconds = Math.max(0, Math.floor((Date.parse(record.expiresAt) - this.#clock().getTime()) / 1000));
    return `${this.#settings.cookieName}=${secret}; ${COOKIE_ATTRIBUTES}; Max-Age=${Number.isFinite(seconds) ? seconds : 0}`;
  }

  /** `Set-Cookie` value that deletes the cookie. */
  clearCookie(): string {
    // A __Host- cookie is only accepted (even to delete it) with Secure, Path=/ and no Domain.
    return `${this.#settings.cookieName}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`;
  }

  /** Revokes every session of the session's login (logout); returns revoked ids. */
  async endLogin(sessionId: string, reason = 'logout'): Promise<string[]> {
    const record = await this.#store.get(sessionId);
    if (record === undefined) return [];
    return this.#announce(await this.#store.revokeLogin(record.loginId, this.#clock().toISOString()), reason);
  }

  /** Back-channel logout: revokes the provider's sessions matching sub and/or sid. */
  async endByIdp(providerId: string, match: { idpSubject?: string; idpSessionId?: string }, reason = 'back-channel logout'): Promise<string[]> {
    // OpenID Connect Back-Channel Logout 1.0 §2.4: a logout token carries sub, sid, or both.
    if (match.idpSubject === undefined && match.idpSessionId === undefined) {
      throw new TenetError('TENET_ERR_REQUEST_INVALID_LOGOUT', 'a back-channel logout must name the user (sub), the IdP session (sid), or both');
    }
    return this.#announce(await this.#store.revokeByIdp(providerId, match, this.#clock().toISOString()), reason);
  }

  /**
   * Active sessions (unrevoked, not past absolute expiry), newest first, optionally one subject's
   * only: for ending sessions by who they belong to (CAEP events, admin revoke by user).
   */
  async listActive(subject?: EntityRef): Promise<SessionRecord[]> {
    return this.#store.listActive(this.#clock().toISOString(), subject === undefined ? undefined : entityKey(subject));
  }

  /** Active sessions of a user named by an identity provider's `sub`, or by email (CAEP subjects), by index. */
  async listActiveByIdentity(match: { readonly providerId: string; readonly idpSubject: string } | { readonly email: string }): Promise<SessionRecord[]> {
    return this.#store.listActiveByIdentity(this.#clock().toISOString(), match);
  }

  /** Revokes one session by id (admin). */
  async revoke(sessionId: string, reason = 'session revoked'): Promise<boolean> {
    const revoked = await this.#store.revoke(sessionId, this.#clock().toISOString());
    if (revoked) this.#announce([sessionId], reason);
    return revoked;
  }

  /** Revokes every active session of a principal on every host (admin revoke by user, a disabled user); returns revoked ids. */
  async endSubject(subject: EntityRef, reason = 'an administrator ended the sessions'): Promise<string[]> {
    const at = this.#clock().toISOString();
    const revoked: string[] = [];
    for (const record of await this.#store.listActive(at, entityKey(subject))) {
      if (await this.#store.revoke(record.id, at)) revoked.push(record.id);
    }
    return this.#announce(revoked, reason);
  }

  /**
   * Forgets the reused records of sessions revoked outside this object (the admin API writes the
   * store directly; CAEP), so their next request reads the store instead of a record up to
   * RECORD_REUSE_MS old. Continuous verification calls it for every `sessions` signal change.
   */
  forget(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.#recent.delete(id);
  }

  /**
   * Replaces the authentication of every active session of the login, on every host (a passkey
   * step-up strengthens the whole login); returns the changed sessions' ids. Their reused records
   * are dropped at once and onAuthnChanged listeners are told, so no cached record or decision
   * made with the weaker authentication is served afterwards.
   */
  async strengthenLogin(loginId: string, authn: Authentication): Promise<string[]> {
    const changed = await this.#store.updateLoginAuthn(loginId, authn, this.#clock().toISOString());
    return this.#tell([...this.#authnListeners].map((listener) => (ids: readonly string[]) => listener(ids)), changed, 'TENET_ERR_INTERNAL_AUTHN_LISTENER', 'session authentication listener(s) failed; the sessions are updated in the store');
  }

  /** Called with session ids whenever their authentication changes through this object (decision caches drop them). Returns an unsubscribe function. */
  onAuthnChanged(listener: (sessionIds: readonly string[]) => void): () => void {
    this.#authnListeners.add(listener);
    return () => {
      this.#authnListeners.delete(listener);
    };
  }

  /** A one-time code (base64url, 256-bit) valid 60 s that moves this login to a cookie on `host`. */
  async issueHandoff(session: SessionRecord, host: string, returnTo: string): Promise<string> {
    const target = requireHost(host);
    const code = randomSecret();
    const expiresAt = new Date(this.#clock().getTime() + HANDOFF_TTL_SECONDS * 1000).toISOString();
    await this.#store.putHandoff({ id: sha256Hex(code), sessionId: session.id, host: target, returnTo, expiresAt });
    return code;
  }

  /**
   * Redeems a hand-off code on `host`: a new session (same loginId, identity, authn, expiresAt)
   * bound to `host`. undefined when unknown, used, expired, other host, or the source session is no
   * longer valid.
   */
  async redeemHandoff(code: string, host: string): Promise<{ secret: string; record: SessionRecord; returnTo: string } | undefined> {
    if (!isSecretShaped(code)) return undefined;
    const presentedHost = normalizeHost(host);
    const now = this.#clock();
    // Taken (and so burnt) before any other check: a code tried on the wrong host is gone, so a
    // leaked code cannot be retried until it lands on the right one.
    const handoff = await this.#store.takeHandoff(sha256Hex(code), now.toISOString());
    if (handoff === undefined || presentedHost === undefined || handoff.host !== presentedHost) return undefined;
    const source = await this.#store.get(handoff.sessionId);
    if (source === undefined || !this.#isLive(source, now)) return undefined;

    const secret = randomSecret();
    const record: SessionRecord = {
      id: sha256Hex(secret),
      loginId: source.loginId,
      host: presentedHost,
      identity: source.identity,
      authn: source.authn,
      ...(source.idToken === undefined ? {} : { idToken: source.idToken }),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      // The copy never outlives the login it came from.
      expiresAt: source.expiresAt,
    };
    await this.#store.create(record);
    // A logout that ran between reading the source and creating the copy revoked the login's
    // sessions without this one; look again so the copy cannot survive it.
    const after = await this.#store.get(source.id);
    if (after === undefined || after.revokedAt !== undefined) {
      await this.#store.revoke(record.id, this.#clock().toISOString());
      return undefined;
    }
    return { secret, record, returnTo: handoff.returnTo };
  }

  /**
   * Called with session ids whenever sessions are revoked through this object (decision caches and
   * live connections drop them), and why (`logout`, `back-channel logout`, a CAEP source's
   * `ssf:<transmitter>: …`). Returns an unsubscribe function.
   */
  onRevoked(listener: (sessionIds: readonly string[], reason: string) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #isLive(record: SessionRecord, now: Date): boolean {
    if (record.revokedAt !== undefined) return false;
    const nowMs = now.getTime();
    const expiresMs = Date.parse(record.expiresAt);
    const idleEndsMs = Date.parse(record.lastSeenAt) + this.#settings.idleTimeoutSeconds * 1000;
    // NaN (an unreadable time) compares false, so a damaged record counts as expired: fail closed.
    return nowMs < expiresMs && nowMs < idleEndsMs;
  }

  /** Tells every revocation listener; all are called even when one throws, then the first failure is raised. */
  #announce(sessionIds: string[], reason: string): string[] {
    return this.#tell([...this.#listeners].map((listener) => (ids: readonly string[]) => listener(ids, reason)), sessionIds, 'TENET_ERR_INTERNAL_REVOCATION_LISTENER', 'session revocation listener(s) failed; the sessions are revoked in the store');
  }

  /** Drops the sessions' reused records, then calls every listener (all, even when one throws) and raises the first failure. */
  #tell(listeners: readonly ((sessionIds: readonly string[]) => void)[], sessionIds: string[], code: `TENET_ERR_INTERNAL_${string}`, problem: string): string[] {
    if (sessionIds.length === 0) return sessionIds;
    for (const id of sessionIds) this.#recent.delete(id);
    const failures: unknown[] = [];
    for (const listener of listeners) {
      try {
        listener(sessionIds);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      // The change itself is already durable; what failed is an in-memory follower (a cache).
      throw new TenetError(code, `${failures.length} ${problem}`, [], { cause: failures[0] });
    }
    return sessionIds;
  }
}

// RFC 6265bis §4.1.3.2 (__Host- prefix: Secure, Path=/, no Domain). HttpOnly keeps scripts from the
// secret; SameSite=Lax keeps cross-site subrequests from carrying it while top-level navigations
// (the login redirect back from the IdP) still do.
const COOKIE_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';

function requireHost(host: string): string {
  const normalized = normalizeHost(host);
  if (normalized === undefined) throw new TenetError('TENET_ERR_REQUEST_INVALID_HOST', 'the host is not a valid host name with an optional port');
  return normalized;
}
