// SessionStore over SQLite: login sessions, login attempts and cross-host hand-offs. Every id is
// the hex SHA-256 of a browser-held secret, so the file holds nothing a browser could present.
// Single-use records are taken with one `DELETE … RETURNING` statement: SQLite applies it
// atomically, so two requests (or two processes on one file) presenting the same state or code
// cannot both get it.
import type Database from 'better-sqlite3';
import { entityKey } from '../../engine/cedar/entity-key.js';
import type { Authentication } from '../../engine/tuple.js';
import { TenetError } from '../../errors.js';
import type { LoginState, SessionHandoff, SessionIdentity, SessionRecord } from '../../sessions/session.js';
import type { SessionStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';
import { argumentTime, recordTime } from './instant.js';
import { cachedPrepare, type Prepare } from './statement-cache.js';

interface SessionRow {
  readonly id: string;
  readonly login_id: string;
  readonly host: string;
  readonly identity: string;
  readonly authn: string;
  readonly id_token: string | null;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly expires_at: string;
  readonly revoked_at: string | null;
}

interface LoginStateRow {
  readonly id: string;
  readonly provider: string;
  readonly nonce: string;
  readonly code_verifier: string;
  readonly return_to: string;
  readonly browser_binding: string;
  readonly step_up_max_age: number | null;
  readonly step_up_phishing_res: number | null;
  readonly created_at: string;
  readonly expires_at: string;
  readonly expires_at_ms: number;
}

interface HandoffRow {
  readonly id: string;
  readonly session_id: string;
  readonly host: string;
  readonly return_to: string;
  readonly expires_at: string;
  readonly expires_at_ms: number;
}

const SESSION_COLUMNS = 'id, login_id, host, identity, authn, id_token, created_at, last_seen_at, expires_at, revoked_at';
// Active = not revoked and not past its absolute expiry. Idle expiry depends on the configured
// timeout, which the store does not know; the Sessions service checks it.
const ACTIVE = 'revoked_at IS NULL AND expires_at_ms > @at';

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #prepare: Prepare;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#prepare = cachedPrepare(db);
  }

  create(record: SessionRecord): Promise<void> {
    return attempt(`creating session ${record.id}`, () => {
      const { identity } = record;
      this.#prepare(
          `INSERT INTO sessions (id, login_id, host, provider, idp_subject, idp_session_id, subject, identity, authn, id_token,
             created_at, created_at_ms, last_seen_at, last_seen_at_ms, expires_at, expires_at_ms, revoked_at, revoked_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.id,
          record.loginId,
          record.host,
          identity.providerId,
          identity.idpSubject,
          identity.idpSessionId ?? null,
          entityKey(identity.subject),
          JSON.stringify(identity),
          JSON.stringify(record.authn),
          record.idToken ?? null,
          record.createdAt,
          recordTime(record.createdAt, 'createdAt'),
          record.lastSeenAt,
          recordTime(record.lastSeenAt, 'lastSeenAt'),
          record.expiresAt,
          recordTime(record.expiresAt, 'expiresAt'),
          record.revokedAt ?? null,
          record.revokedAt === undefined ? null : recordTime(record.revokedAt, 'revokedAt'),
        );
    });
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return attempt(`reading session ${id}`, () => {
      const row = this.#prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`).get(id);
      return row === undefined ? undefined : toSession(row);
    });
  }

  touch(id: string, at: string): Promise<void> {
    return attempt(`recording use of session ${id}`, () => {
      // Only forwards: two instances touching out of order must not move lastSeenAt back.
      const atMs = argumentTime(at);
      this.#prepare('UPDATE sessions SET last_seen_at = ?, last_seen_at_ms = ? WHERE id = ? AND last_seen_at_ms < ?').run(at, atMs, id, atMs);
    });
  }

  revoke(id: string, at: string): Promise<boolean> {
    // Only the first revocation counts: its time is evidence and must not be moved later.
    return attempt(`revoking session ${id}`, () => {
      const atMs = argumentTime(at);
      return this.#prepare('UPDATE sessions SET revoked_at = ?, revoked_at_ms = ? WHERE id = ? AND revoked_at IS NULL').run(at, atMs, id).changes === 1;
    });
  }

  updateLoginAuthn(loginId: string, authn: Authentication, at: string): Promise<string[]> {
    return attempt(`updating the authentication of login ${loginId}`, () => {
      const atMs = argumentTime(at);
      // Only active sessions: a revoked or expired one must stay as it ended (evidence, and never revived).
      const rows = this.#prepare<[Record<string, unknown>], { id: string }>(`UPDATE sessions SET authn = @authn WHERE ${ACTIVE} AND login_id = @loginId RETURNING id`)
        .all({ authn: JSON.stringify(authn), loginId, at: atMs });
      // RETURNING order is unspecified in SQLite; sorted as #revokeWhere does.
      return rows.map((row) => row.id).sort();
    });
  }

  revokeLogin(loginId: string, at: string): Promise<string[]> {
    return attempt(`revoking the sessions of login ${loginId}`, () => this.#revokeWhere('login_id = @loginId', { loginId }, at));
  }

  revokeByIdp(providerId: string, match: { readonly idpSubject?: string; readonly idpSessionId?: string }, at: string): Promise<string[]> {
    return attempt(`revoking sessions of provider ${providerId} (back-channel logout)`, () => {
      // OpenID Back-Channel Logout 1.0 §2.4: a logout token names sub, sid, or both. An empty match
      // would otherwise revoke nothing silently (or, written carelessly, everything).
      if (match.idpSubject === undefined && match.idpSessionId === undefined) {
        throw new TenetError('TENET_ERR_STORE_INVALID_ARGUMENT', 'revoking sessions by identity provider needs an IdP subject, an IdP session id, or both');
      }
      const conditions = ['provider = @providerId'];
      const params: Record<string, string> = { providerId };
      if (match.idpSubject !== undefined) {
        conditions.push('idp_subject = @idpSubject');
        params['idpSubject'] = match.idpSubject;
      }
      if (match.idpSessionId !== undefined) {
        conditions.push('idp_session_id = @idpSessionId');
        params['idpSessionId'] = match.idpSessionId;
      }
      return this.#revokeWhere(conditions.join(' AND '), params, at);
    });
  }

  listActive(at: string, subject?: string): Promise<SessionRecord[]> {
    return attempt('listing active sessions', () => {
      const atMs = argumentTime(at);
      const bySubject = subject === undefined ? '' : ' AND subject = @subject';
      return this.#prepare<[Record<string, unknown>], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${ACTIVE}${bySubject} ORDER BY created_at_ms DESC, id DESC`)
        .all(subject === undefined ? { at: atMs } : { at: atMs, subject })
        .map(toSession);
    });
  }

  listActiveByIdentity(at: string, match: { readonly providerId: string; readonly idpSubject: string } | { readonly email: string }): Promise<SessionRecord[]> {
    return attempt('listing active sessions by identity', () => {
      const atMs = argumentTime(at);
      if ('email' in match) {
        // The expression matches the index sessions_by_email (migration 10) exactly.
        return this.#prepare<[Record<string, unknown>], SessionRow>(
          `SELECT ${SESSION_COLUMNS} FROM sessions WHERE lower(json_extract(identity, '$.email')) = lower(@email) AND json_extract(identity, '$.email') IS NOT NULL AND ${ACTIVE} ORDER BY created_at_ms DESC, id DESC`,
        )
          .all({ at: atMs, email: match.email })
          .map(toSession);
      }
      return this.#prepare<[Record<string, unknown>], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE provider = @provider AND idp_subject = @sub AND ${ACTIVE} ORDER BY created_at_ms DESC, id DESC`)
        .all({ at: atMs, provider: match.providerId, sub: match.idpSubject })
        .map(toSession);
    });
  }

  purge(before: string): Promise<number> {
    return attempt('purging ended sessions', () => {
      const beforeMs = argumentTime(before);
      return this.#db.transaction(() => {
        const removed = this.#prepare('DELETE FROM sessions WHERE expires_at_ms < ? OR revoked_at_ms < ?').run(beforeMs, beforeMs).changes;
        // Abandoned login attempts and unredeemed codes can never be used again either.
        this.#prepare('DELETE FROM login_states WHERE expires_at_ms < ?').run(beforeMs);
        this.#prepare('DELETE FROM session_handoffs WHERE expires_at_ms < ?').run(beforeMs);
        return removed;
      })();
    });
  }

  putLoginState(state: LoginState): Promise<void> {
    return attempt(`storing login state ${state.id}`, () => {
      this.#prepare(
          `INSERT INTO login_states (id, provider, nonce, code_verifier, return_to, browser_binding, step_up_max_age, step_up_phishing_res,
             created_at, expires_at, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          state.id,
          state.providerId,
          state.nonce,
          state.codeVerifier,
          state.returnTo,
          state.browserBinding,
          state.stepUp?.maxAgeSeconds ?? null,
          state.stepUp === undefined ? null : state.stepUp.phishingResistant ? 1 : 0,
          state.createdAt,
          state.expiresAt,
          recordTime(state.expiresAt, 'expiresAt'),
        );
    });
  }

  takeLoginState(id: string, at: string): Promise<LoginState | undefined> {
    return attempt(`taking login state ${id}`, () => {
      const atMs = argumentTime(at);
      // Deleted even when expired: a state is never usable twice, and an expired one never again.
      const [row] = this.#prepare<[string], LoginStateRow>('DELETE FROM login_states WHERE id = ? RETURNING *').all(id);
      return row === undefined || row.expires_at_ms <= atMs ? undefined : toLoginState(row);
    });
  }

  putHandoff(handoff: SessionHandoff): Promise<void> {
    return attempt(`storing hand-off ${handoff.id}`, () => {
      this.#prepare('INSERT INTO session_handoffs (id, session_id, host, return_to, expires_at, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(handoff.id, handoff.sessionId, handoff.host, handoff.returnTo, handoff.expiresAt, recordTime(handoff.expiresAt, 'expiresAt'));
    });
  }

  takeHandoff(id: string, at: string): Promise<SessionHandoff | undefined> {
    return attempt(`taking hand-off ${id}`, () => {
      const atMs = argumentTime(at);
      const [row] = this.#prepare<[string], HandoffRow>('DELETE FROM session_handoffs WHERE id = ? RETURNING *').all(id);
      return row === undefined || row.expires_at_ms <= atMs ? undefined : { id: row.id, sessionId: row.session_id, host: row.host, returnTo: row.return_to, expiresAt: row.expires_at };
    });
  }

  /** Revokes the active sessions matching `where` in one statement; returns their ids, sorted. */
  #revokeWhere(where: string, params: Record<string, string>, at: string): string[] {
    const atMs = argumentTime(at);
    const rows = this.#prepare<[Record<string, unknown>], { id: string }>(`UPDATE sessions SET revoked_at = @atText, revoked_at_ms = @at WHERE ${ACTIVE} AND ${where} RETURNING id`)
      .all({ ...params, at: atMs, atText: at });
    // RETURNING order is unspecified in SQLite; sort so callers and tests see a stable order.
    return rows.map((row) => row.id).sort();
  }
}

function toSession(row: SessionRow): SessionRecord {
  const base = {
    id: row.id,
    loginId: row.login_id,
    host: row.host,
    identity: readJsonColumn<SessionIdentity>(row.identity, 'session identity'),
    authn: readJsonColumn<Authentication>(row.authn, 'session authentication'),
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
  return {
    ...base,
    ...(row.id_token === null ? {} : { idToken: row.id_token }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}

function toLoginState(row: LoginStateRow): LoginState {
  const base = {
    id: row.id,
    providerId: row.provider,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
    browserBinding: row.browser_binding,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
  return row.step_up_max_age === null || row.step_up_phishing_res === null
    ? base
    : { ...base, stepUp: { maxAgeSeconds: row.step_up_max_age, phishingResistant: row.step_up_phishing_res === 1 } };
}
