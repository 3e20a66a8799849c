// Device enrollment administration (present when `devices.pki` is configured):
//   POST /admin/v1/device-enrollment-tokens         one-time token for `tenet agent enroll --token`
//   GET  /admin/v1/device-enrollments               enrollments waiting for approval
//   POST /admin/v1/device-enrollments/:code/approve approve on the owner's behalf (owner optional)
//   POST /admin/v1/device-enrollments/:code/deny
//   POST /admin/v1/device-certificates/:serial/revoke  one certificate (a lost key), device unchanged
// The token is in the answer once and never again: only its SHA-256 is stored.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { durationSeconds, parseDuration } from '../../config/duration.js';
import { ownerSchema } from '../../signals/devices/device-schema.js';
import { TenetError, type ErrorIssue } from '../../errors.js';
import type { ApiDeps, DeviceAdministration } from '../deps.js';
import { parseWith } from '../zod-issues.js';

const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

const ttl = z
  .string()
  .refine((value) => parseDuration(value) !== undefined, 'expected a duration such as "1h" or "7d"')
  .refine((value) => durationSeconds(value) <= MAX_TOKEN_TTL_SECONDS, 'at most 30d')
  .default('24h');

const tokenBody = z.strictObject({ owner: ownerSchema.optional(), managed: z.boolean().default(true), ttl });
const codeParams = z.object({ code: z.string().regex(/^[A-Za-z]{4}-[A-Za-z]{4}$/, 'expected a user code such as BCDF-GHJK') });
const approveBody = z.strictObject({ owner: ownerSchema.optional(), managed: z.boolean().optional() });
const serialParams = z.object({ serial: z.string().regex(/^[0-9a-f]{1,64}$/, 'expected a lower-case hex serial number') });
const revokeBody = z.strictObject({
  // RFC 5280 §5.3.1 reason names that make sense for a device certificate.
  reason: z.enum(['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation']).default('unspecified'),
});

function invalid(message: string, issues: readonly ErrorIssue[]): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', message, issues);
}

export function registerDeviceEnrollmentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const administration: DeviceAdministration | undefined = deps.devices;
  if (administration === undefined) return;
  const callerRef = (name: string | undefined) => ({ type: 'ApiCaller', id: name ?? 'unknown' });

  app.post('/device-enrollment-tokens', async (request, reply) => {
    const body = parseWith(tokenBody, request.body ?? {});
    if (!body.ok) throw invalid('Invalid enrollment token request.', body.issues);
    const created = await administration.createEnrollmentToken({
      ...(body.data.owner === undefined ? {} : { owner: body.data.owner }),
      managed: body.data.managed,
      ttlSeconds: durationSeconds(body.data.ttl),
      createdBy: request.caller?.name ?? 'unknown',
    });
    request.log.info({ owner: body.data.owner, managed: body.data.managed, expiresAt: created.expiresAt, caller: request.caller?.name }, 'device enrollment token created');
    reply.code(201);
    return { token: created.token, expires_at: created.expiresAt, owner: body.data.owner ?? null, managed: body.data.managed };
  });

  app.get('/device-enrollments', async () => {
    const pending = await administration.pendingEnrollments();
    return { count: pending.length, enrollments: pending.map(({ userCode, description, createdAt, expiresAt }) => ({ user_code: userCode, description, created_at: createdAt, expires_at: expiresAt })) };
  });

  app.post('/device-enrollments/:code/approve', async (request) => {
    const params = parseWith(codeParams, request.params);
    const body = parseWith(approveBody, request.body ?? {});
    if (!params.ok || !body.ok) throw invalid('Invalid approval.', [...(params.ok ? [] : params.issues), ...(body.ok ? [] : body.issues)]);
    const code = params.data.code.toUpperCase();
    const { deviceId } = await administration.approve(code, body.data.owner, callerRef(request.caller?.name), body.data.managed);
    request.log.info({ device: deviceId, owner: body.data.owner, caller: request.caller?.name }, 'device enrollment approved by an administrator');
    return { device_id: deviceId };
  });

  app.post('/device-enrollments/:code/deny', async (request) => {
    const params = parseWith(codeParams, request.params);
    if (!params.ok) throw invalid('Invalid user code.', params.issues);
    await administration.deny(params.data.code.toUpperCase());
    request.log.info({ caller: request.caller?.name }, 'device enrollment denied by an administrator');
    return { denied: true };
  });

  app.post('/device-certificates/:serial/revoke', async (request) => {
    const params = parseWith(serialParams, request.params);
    const body = parseWith(revokeBody, request.body ?? {});
    if (!params.ok || !body.ok) throw invalid('Invalid certificate revocation.', [...(params.ok ? [] : params.issues), ...(body.ok ? [] : body.issues)]);
    const revoked = await administration.revokeCertificate(params.data.serial, body.data.reason);
    if (!revoked) throw new TenetError('TENET_ERR_DEVICE_CERTIFICATE_NOT_FOUND', `No unrevoked device certificate has serial ${params.data.serial}.`);
    request.log.info({ serial: params.data.serial, reason: body.data.reason, caller: request.caller?.name }, 'device certificate revoked');
    return { serial: params.data.serial, revoked: true };
  });
}
