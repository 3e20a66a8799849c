// Login sessions under /admin/v1/sessions: list the active ones (optionally one principal's) and
// revoke by session, by user (every active session of the principal, on every host) or by device
// (revokes the device through device identity, which cuts what it admitted). The answer waits
// until the revocation has taken effect: a `sessions` SignalChange is published on the
// `signalChanges` port (continuous verification), which resolves once cached decisions are dropped
// and live connections cut. Listings never carry the
// cookie secret (only its hash is stored) nor the ID token.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { entityKey } from '../../engine/cedar/entity-key.js';
import { TenetError } from '../../errors.js';
import { parseEntityRefText } from '../../signals/entity-ref-text.js';
import type { SessionRecord } from '../../sessions/session.js';
import type { ApiDeps } from '../deps.js';
import { parseWith } from '../zod-issues.js';

// Cedar's literal spelling of an entity, `Namespace::Type::"id"` (as entityKey writes it).
/** Session ids are hex SHA-256 digests of the cookie secret. */
const SESSION_ID = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a session id (64 lower-case hex characters)' });
const ENTITY = z.string().max(1024).transform((text, context) => {
  const ref = parseEntityRefText(text);
  if (ref === undefined) {
    context.addIssue({ code: 'custom', message: 'must be a Cedar entity such as User::"alice"' });
    return z.NEVER;
  }
  return ref;
});

const listQuery = z.strictObject({ subject: ENTITY.optional() });
const revokeBody = z.union([
  z.strictObject({ session: SESSION_ID }),
  z.strictObject({ user: ENTITY }),
  z.strictObject({ device: z.string().min(1).max(1024) }),
], { error: 'give exactly one of {"session": id}, {"user": "User::\\"alice\\""} or {"device": id}' });


/** What an administrator may see of a session: never the ID token (the cookie secret is not stored). */
function listed(record: SessionRecord): Record<string, unknown> {
  const { identity, authn } = record;
  return {
    id: record.id,
    login_id: record.loginId,
    host: record.host,
    subject: entityKey(identity.subject),
    provider: identity.providerId,
    ...(identity.email === undefined ? {} : { email: identity.email }),
    ...(identity.name === undefined ? {} : { name: identity.name }),
    groups: identity.groups,
    authn: { methods: authn.methods, phishing_resistant: authn.phishingResistant, authenticated_at: authn.authenticatedAt },
    created_at: record.createdAt,
    last_seen_at: record.lastSeenAt,
    expires_at: record.expiresAt,
  };
}

export function registerSessionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  app.get('/sessions', async (request) => {
    const query = parseWith(listQuery, request.query);
    if (!query.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', query.issues);
    const subject = query.data.subject === undefined ? undefined : entityKey(query.data.subject);
    const sessions = await store.sessions.listActive(now().toISOString(), subject);
    return { count: sessions.length, sessions: sessions.map(listed) };
  });

  app.post('/sessions/revoke', async (request) => {
    const body = parseWith(revokeBody, request.body);
    if (!body.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID', 'Invalid revocation: give exactly one of session, user or device.', body.issues);
    const target = body.data;
    const caller = request.caller?.name;
    if ('device' in target) {
      if (deps.devices === undefined) {
        throw new TenetError('TENET_ERR_DEVICE_IDENTITY_NOT_CONFIGURED', 'Revoking a device needs device identity (devices.pki); without it, set the device\'s status with POST /admin/v1/devices/{id}/status.');
      }
      // Device identity revokes the certificates and tells its listeners (decision caches, the
      // continuous verifier) before resolving.
      await deps.devices.setStatus(target.device, 'revoked');
      request.log.info({ device: target.device, caller }, 'device revoked');
      return { device: target.device, status: 'revoked' };
    }
    const at = now().toISOString();
    let revoked: string[];
    let reason: string;
    if ('session' in target) {
      const record = await store.sessions.get(target.session);
      if (record === undefined) throw new TenetError('TENET_ERR_REQUEST_SESSION_NOT_FOUND', `No session ${target.session}.`);
      revoked = (await store.sessions.revoke(target.session, at)) ? [target.session] : [];
      reason = 'revoked by an administrator';
    } else {
      revoked = [];
      for (const record of await store.sessions.listActive(at, entityKey(target.user))) {
        if (await store.sessions.revoke(record.id, at)) revoked.push(record.id);
      }
      reason = `every session of ${entityKey(target.user)} revoked by an administrator`;
    }
    // Answer only once the revocation has taken effect (cached decisions, live connections).
    if (revoked.length > 0) await deps.signalChanges?.publish({ kind: 'sessions', sessionIds: revoked, reason });
    request.log.info({ count: revoked.length, caller }, 'sessions revoked');
    return { revoked, count: revoked.length };
  });
}
