import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretName, redactPath, redactRequest, redactValue } from './redact.js';
import { sampleEntry } from './testing/fixtures.js';
import { buildRecordFields } from './build.js';

describe('redaction', () => {
  it('recognises credential-like names and leaves ordinary ones', () => {
    for (const name of ['token', 'access_token', 'idToken', 'client_secret', 'Password', 'passwd', 'cookie', 'Set-Cookie', 'authorization', 'apiKey', 'api-key', 'private_key', 'credentials']) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['department', 'role', 'ip', 'keyboard', 'country', 'monkey']) expect(isSecretName(name), name).toBe(false);
  });

  it('redacts secret-named keys at any depth and credential-looking values under any name', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    expect(
      redactValue({ headers: { Authorization: 'Bearer abc', accept: 'text/html' }, list: [{ session_cookie: 'x' }, jwt, 'Basic dXNlcjpwdw=='], note: 'bearer of news' }),
    ).toEqual({ headers: { Authorization: REDACTED, accept: 'text/html' }, list: [{ session_cookie: REDACTED }, REDACTED, REDACTED], note: 'bearer of news' });
  });

  it('makes non-JSON values serialisable instead of failing the record', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redactValue({ big: 10n, nan: Number.NaN, fn: () => 1, undef: undefined, cyclic })).toEqual({ big: '10', nan: null, cyclic: { a: 1, self: REDACTED } });
  });

  it('redacts credential query parameters in the path only', () => {
    expect(redactPath('/cb?access_token=abc&page=2&id_token')).toBe(`/cb?access_token=${REDACTED}&page=2&id_token`);
    expect(redactPath('/docs/1')).toBe('/docs/1');
  });

  it('scrubs every free-form map of the tuple and keeps the fixed fields', () => {
    const entry = sampleEntry(1, { context: { password: 'hunter2', mfa: true } });
    const request = redactRequest({
      ...entry.request,
      subject: { ...entry.request.subject, properties: { token: 't' } },
      action: { name: 'read', properties: { cookie: 'c' } },
      resource: { ...entry.request.resource, properties: { owner: 'bob', secret: 's' } },
      environment: { ...entry.request.environment, path: '/x?token=t' },
    });
    expect(request.context).toEqual({ password: REDACTED, mfa: true });
    expect(request.subject).toEqual({ type: 'User', id: 'user-1', properties: { token: REDACTED } });
    expect(request.action.properties).toEqual({ cookie: REDACTED });
    expect(request.resource.properties).toEqual({ owner: 'bob', secret: REDACTED });
    expect(request.environment.path).toBe(`/x?token=${REDACTED}`);
    expect(request.environment.ip).toBe('198.51.100.7');
  });

  it('never lets a secret reach the stored body', () => {
    const fields = buildRecordFields(sampleEntry(1, { context: { authorization: 'Bearer sekrit-token', nested: { apiKey: 'sekrit-key' } } }), new Date());
    expect(fields.body).not.toMatch(/sekrit/);
  });
});
