// The code → HTTP status table (src/api/errors.ts is the only place it lives).
import { describe, expect, it } from 'vitest';
import { TenetError } from '../errors.js';
import { httpStatusFor, rejectionReason, renderError } from './errors.js';

describe('httpStatusFor', () => {
  it.each([
    ['TENET_ERR_REQUEST_INVALID', 400],
    ['TENET_ERR_REQUEST_BODY_TOO_LARGE', 413],
    ['TENET_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE', 415],
    ['TENET_ERR_REQUEST_ROUTE_NOT_FOUND', 404],
    ['TENET_ERR_AUTH_INVALID_TOKEN', 401],
    ['TENET_ERR_AUTH_INSUFFICIENT_SCOPE', 403],
    ['TENET_ERR_IMPORT_INVALID', 422],
    ['TENET_ERR_POLICY_RELOAD_REFUSED', 422],
    ['TENET_ERR_POLICY_RELOAD_IN_PROGRESS', 409],
    ['TENET_ERR_STORE_DEVICE_NOT_FOUND', 404],
    ['TENET_ERR_STORE_CONFLICT', 409],
    ['TENET_ERR_STORE_UNAVAILABLE', 503],
    ['TENET_ERR_AUDIT_UNAVAILABLE', 503],
    ['TENET_ERR_ENGINE_FAILED', 500],
    ['TENET_ERR_CONFIG_INVALID', 500],
    ['TENET_ERR_NOPE_X', 500],
    ['whatever', 500],
  ])('%s → %i', (code, status) => {
    expect(httpStatusFor(code)).toBe(status);
  });

  it('labels rejections by code, kebab-case', () => {
    expect(rejectionReason('TENET_ERR_REQUEST_MALFORMED_JSON')).toBe('request-malformed-json');
  });

  it('hides the message and issues of server-side errors', () => {
    const error = new TenetError('TENET_ERR_STORE_UNAVAILABLE', 'cannot open /var/lib/tenet/tenet.db', [{ path: '/var/lib/tenet', message: 'EACCES' }]);
    const { status, body } = renderError(error, 'req-1');
    expect(status).toBe(503);
    expect(JSON.stringify(body)).not.toContain('/var/lib');
    expect(body.error.message).toContain('req-1');
  });
});
