// Device inventory under /admin/v1/devices: list, inspect (with recent posture history and, with
// device identity configured, its certificates), import (JSON array or CSV, all or nothing) and
// change a device's status (quarantine, revoke, reactivate). Every write refreshes the decision
// point's signal indexes; with device identity configured, status changes go through it, so that
// revoking also revokes the certificates and cached decisions about the device are dropped.
// Enrollment administration (tokens, pending approvals, certificate revocation) is in
// device-enrollments.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TenetError } from '../../errors.js';
import { requireMediaType } from '../content-type.js';
import type { ApiDeps } from '../deps.js';
import { parseWith } from '../zod-issues.js';

const POSTURE_HISTORY_LIMIT = 20;

const SOURCE = z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, { error: 'must be 1-128 letters, digits or . _ : @ -' });

const idParams = z.object({ id: z.string().min(1).max(1024) });
const importQuery = z.object({ source: SOURCE.default('admin-api') });
const statusBody = z.strictObject({ status: z.enum(['active', 'quarantined', 'revoked']) });

function notFound(id: string): TenetError {
  return new TenetError('TENET_ERR_STORE_DEVICE_NOT_FOUND', `No device ${JSON.stringify(id)} in the inventory.`);
}

export function registerDeviceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, decisionPoint, importers, devices: administration } = deps;

  app.get('/devices', async () => {
    const devices = await store.devices.list();
    return { count: devices.length, devices };
  });

  app.get('/devices/:id', async (request) => {
    const params = parseWith(idParams, request.params);
    if (!params.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_PATH', 'Invalid device id.', params.issues);
    const device = await store.devices.get(params.data.id);
    if (device === undefined) throw notFound(params.data.id);
    const postureHistory = await store.devices.postureHistory(params.data.id, POSTURE_HISTORY_LIMIT);
    const certificates = administration === undefined ? undefined : await administration.certificates(params.data.id);
    return {
      device,
      posture_history: postureHistory,
      ...(certificates === undefined
        ? {}
        : { certificates: certificates.map(({ serial, fingerprint, notBefore, notAfter, issuedAt, revokedAt, revocationReason }) => ({ serial, fingerprint, notBefore, notAfter, issuedAt, revokedAt, revocationReason })) }),
    };
  });

  app.put('/devices', async (request) => {
    const type = requireMediaType(request, ['application/json', 'text/csv']);
    const query = parseWith(importQuery, request.query);
    if (!query.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', query.issues);
    const text = type === 'text/csv' ? String(request.body ?? '') : JSON.stringify(request.body, null, 2);
    const devices = await importers.parseDevices(text, type === 'text/csv' ? 'csv' : 'json', query.data.source);
    await store.devices.upsertMany(devices);
    await decisionPoint.refreshSignals();
    await administration?.devicesChanged(devices.map((device) => device.id));
    request.log.info({ count: devices.length, source: query.data.source, caller: request.caller?.name }, 'devices imported');
    return { imported: devices.length, source: query.data.source };
  });

  app.post('/devices/:id/status', async (request) => {
    const params = parseWith(idParams, request.params);
    const body = parseWith(statusBody, request.body);
    const issues = [...(params.ok ? [] : params.issues), ...(body.ok ? [] : body.issues)];
    if (!params.ok || !body.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID', 'Invalid device status change.', issues);
    const current = await store.devices.get(params.data.id);
    if (current === undefined) throw notFound(params.data.id);
    if (administration === undefined) {
      // The same rule as with device identity: a revoked device is enrolled again, never reactivated.
      if (current.status === 'revoked' && body.data.status !== 'revoked') {
        throw new TenetError('TENET_ERR_DEVICE_REVOKED', `Device ${params.data.id} is revoked; a revoked device cannot be reactivated — enroll it again.`);
      }
      await store.devices.setStatus(params.data.id, body.data.status);
      await decisionPoint.refreshSignals();
    } else {
      await administration.setStatus(params.data.id, body.data.status);
    }
    request.log.info({ device: params.data.id, status: body.data.status, caller: request.caller?.name }, 'device status changed');
    return { id: params.data.id, status: body.data.status };
  });
}
