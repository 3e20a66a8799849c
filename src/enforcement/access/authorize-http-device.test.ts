// The device step of the pipeline (establish-device.ts) through createHttpAccess: a verified
// client certificate names the device in the tuple, the cache key, the assertion and the `device`
// header; a missing or bad one leaves the device unknown, or refuses on a route that requires one.
import { importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeDecisionPoint } from '../../api/testing/fake-decision-point.js';
import { routesSchema } from '../../config/enforcement-schema.js';
import { DecisionCache, deviceTag, sessionTag } from '../../sessions/decision-cache.js';
import type { SessionRecord } from '../../sessions/session.js';
import { createHttpAccess, type CachedVerdict, type HttpAccessDeps } from './authorize-http.js';
import type { CertificateProblem, DeviceCertificateCheck, DeviceCertificateVerifier, HttpRequestFacts } from './http-access.js';
import { AssertionSigner } from './identity-assertion.js';
import { RouteTable } from './route-table.js';

const routes = routesSchema.parse([
  { name: 'wiki', host: 'wiki.test', resource: { type: 'App', id: 'allow-wiki' }, headers: { 'X-Device': 'device' } },
  { name: 'vault', host: 'vault.test', resource: { type: 'App', id: 'allow-vault' }, clientCertificate: 'required' },
  { name: 'plain', host: 'plain.test', resource: { type: 'App', id: 'allow-plain' }, clientCertificate: 'off' },
]);

const session: SessionRecord = {
  id: 'b'.repeat(64),
  loginId: 'login-2',
  host: 'wiki.test',
  identity: { providerId: 'dev', idpSubject: 'sub-alice', subject: { type: 'User', id: 'alice' }, parents: [], attributes: {}, groups: [] },
  authn: { methods: ['pwd'], phishingResistant: false },
  createdAt: '2026-11-23T00:00:00.000Z',
  lastSeenAt: '2026-11-23T00:00:00.000Z',
  expiresAt: '2026-11-23T12:00:00.000Z',
};

/** Certificates are byte strings here; the verifier knows which device each names, and what is wrong with the others. */
class FakeVerifier implements DeviceCertificateVerifier {
  readonly checks = new Map<string, DeviceCertificateCheck>();
  calls = 0;
  verify(der: Uint8Array): DeviceCertificateCheck {
    this.calls += 1;
    return this.checks.get(Buffer.from(der).toString('utf8')) ?? { ok: false, problem: 'untrusted-issuer', detail: 'issuer CN=Somebody Else' };
  }
  device(cert: string, deviceId: string): void {
    this.checks.set(cert, { ok: true, deviceId, serial: '01', notAfter: new Date('2027-01-01T00:00:00Z') });
  }
  fail(cert: string, problem: CertificateProblem): void {
    this.checks.set(cert, { ok: false, problem, detail: `secret detail of ${cert}` });
  }
}

const cert = (text: string) => ({ der: new Uint8Array(Buffer.from(text, 'utf8')), via: 'tls' as const });

type FactsOverrides = { [K in keyof HttpRequestFacts]?: HttpRequestFacts[K] | undefined };

/** Request facts; an override of `undefined` removes the field. */
function facts(overrides: FactsOverrides = {}): HttpRequestFacts {
  const merged: Record<string, unknown> = { method: 'GET', scheme: 'https', host: 'wiki.test', path: '/', clientIp: '192.0.2.7', accept: 'text/html', cookie: 'sid=good', ...overrides };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as unknown as HttpRequestFacts;
}

describe('createHttpAccess with device certificates', () => {
  let signer: AssertionSigner;
  beforeAll(async () => {
    signer = await AssertionSigner.ephemeral('https://tenet.test');
  });

  function setup(extra: Partial<HttpAccessDeps> = {}, withVerifier = true) {
    const decisionPoint = new FakeDecisionPoint();
    const cache = new DecisionCache<CachedVerdict>(100);
    const verifier = new FakeVerifier();
    const access = createHttpAccess({
      routes: new RouteTable(routes),
      decisionPoint,
      sessions: { readCookie: (header) => (header === 'sid=good' ? 'good' : undefined), resume: async (secret, host) => (secret === 'good' ? { ...session, host } : undefined) },
      signer,
      cache,
      publicUrl: 'https://tenet.test',
      assertionHeader: 'X-Tenet-Assertion',
      ...(withVerifier ? { deviceCertificates: verifier } : {}),
      ...extra,
    });
    return { access, decisionPoint, cache, verifier };
  }

  it('names the device of a valid certificate in the tuple, the assertion (device_id) and the device header, and tags the cached decision with it', async () => {
    const { access, decisionPoint, cache, verifier } = setup();
    verifier.device('laptop-cert', 'laptop-1');
    const verdict = await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy');
    expect(verdict.kind).toBe('allow');
    if (verdict.kind !== 'allow') return;
    expect(decisionPoint.calls[0]?.request.deviceId).toBe('laptop-1');
    expect(verdict.headers['X-Device']).toBe('laptop-1');
    const key = await importJWK(signer.jwks().keys[0]!, 'ES256');
    const { payload } = await jwtVerify(verdict.headers['X-Tenet-Assertion'] ?? '', key, { audience: 'wiki' });
    expect(payload['device_id']).toBe('laptop-1');

    expect(cache.size).toBe(1);
    expect(cache.invalidateDevice('laptop-1')).toBe(1);
    expect(cache.size).toBe(0);
    await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy');
    expect(cache.invalidate(sessionTag(session.id))).toBe(1);
    await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy');
    expect(cache.invalidate(deviceTag('laptop-2'))).toBe(0);
    expect(decisionPoint.calls).toHaveLength(3);
  });

  it('leaves the device unknown on an optional route when the certificate is absent or invalid, and lets the policy decide', async () => {
    const { access, decisionPoint, verifier } = setup();
    verifier.fail('old-cert', 'expired');
    expect(await access.authorize(facts(), 'proxy')).toMatchObject({ kind: 'allow' });
    expect(await access.authorize(facts({ clientCertificate: cert('old-cert') }), 'forward-auth')).toMatchObject({ kind: 'allow' });
    expect(await access.authorize(facts({ clientCertificate: cert('stranger') }), 'ext-authz')).toMatchObject({ kind: 'allow' });
    for (const call of decisionPoint.calls) expect(call.request.deviceId).toBeUndefined();
  });

  it('refuses a route that requires a device, before any decision and before the session, naming the problem', async () => {
    const { access, decisionPoint, verifier } = setup();
    verifier.fail('old-cert', 'expired');
    verifier.fail('lost-cert', 'revoked');
    verifier.fail('bare-cert', 'no-device-id');
    const vault = (extra: FactsOverrides) => access.authorize(facts({ host: 'vault.test', ...extra }), 'proxy');
    expect(await vault({})).toMatchObject({ kind: 'device-required', problem: 'no client certificate', browser: true, route: { name: 'vault' } });
    expect(await vault({ cookie: undefined, accept: 'application/json' })).toMatchObject({ kind: 'device-required', problem: 'no client certificate', browser: false });
    expect(await vault({ clientCertificate: cert('old-cert') })).toMatchObject({ kind: 'device-required', problem: 'the client certificate has expired' });
    expect(await vault({ clientCertificate: cert('lost-cert') })).toMatchObject({ kind: 'device-required', problem: 'the client certificate has been revoked' });
    expect(await vault({ clientCertificate: cert('bare-cert') })).toMatchObject({ kind: 'device-required', problem: 'the client certificate names no device' });
    const stranger = await vault({ clientCertificate: cert('stranger') });
    expect(stranger).toMatchObject({ kind: 'device-required', problem: 'the client certificate was not issued by the device certificate authority' });
    // The verifier's detail (certificate contents) never reaches the answer.
    expect(JSON.stringify(stranger)).not.toContain('Somebody Else');
    expect(decisionPoint.calls).toHaveLength(0);

    verifier.device('laptop-cert', 'laptop-1');
    expect(await vault({ clientCertificate: cert('laptop-cert') })).toMatchObject({ kind: 'allow' });
    expect(decisionPoint.calls[0]?.request.deviceId).toBe('laptop-1');
  });

  it('never serves the allow cached for a certificate once it is revoked: the verifier runs per request and the device is part of the key', async () => {
    const { access, decisionPoint, verifier } = setup();
    verifier.device('laptop-cert', 'laptop-1');
    const first = await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy');
    expect(await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'allow', cached: true });
    expect(decisionPoint.calls).toHaveLength(1);

    verifier.fail('laptop-cert', 'revoked');
    const optional = await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy');
    expect(optional).toMatchObject({ kind: 'allow', cached: false });
    if (first.kind !== 'allow' || optional.kind !== 'allow') throw new Error('expected allows');
    expect(optional.decision.id).not.toBe(first.decision.id);
    expect(optional.headers['X-Device']).toBeUndefined();
    expect(decisionPoint.calls.at(-1)?.request.deviceId).toBeUndefined();
    expect(verifier.calls).toBe(3);

    // On a route that requires the device, the revoked certificate is refused even with a warm cache.
    verifier.device('laptop-cert', 'laptop-1');
    expect(await access.authorize(facts({ host: 'vault.test', clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'allow', cached: false });
    expect(await access.authorize(facts({ host: 'vault.test', clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'allow', cached: true });
    verifier.fail('laptop-cert', 'revoked');
    expect(await access.authorize(facts({ host: 'vault.test', clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'device-required', problem: 'the client certificate has been revoked' });
  });

  it('ignores certificates on an "off" route, and names no device without a verifier (refusing "required" routes: fail closed)', async () => {
    const { access, decisionPoint, verifier } = setup();
    verifier.device('laptop-cert', 'laptop-1');
    expect(await access.authorize(facts({ host: 'plain.test', clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'allow' });
    expect(decisionPoint.calls[0]?.request.deviceId).toBeUndefined();
    expect(verifier.calls).toBe(0);

    const { access: noPki, decisionPoint: noPkiDecisions } = setup({}, false);
    expect(await noPki.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'allow' });
    expect(noPkiDecisions.calls[0]?.request.deviceId).toBeUndefined();
    expect(await noPki.authorize(facts({ host: 'vault.test', clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({
      kind: 'device-required',
      problem: 'device certificates are not configured on this server',
    });
  });

  it('treats a verifier that throws as no device, never as a valid certificate', async () => {
    const throwing: DeviceCertificateVerifier = {
      verify: () => {
        throw new Error('store unavailable');
      },
    };
    const { access, decisionPoint } = setup({ deviceCertificates: throwing });
    expect(await access.authorize(facts({ clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({ kind: 'allow' });
    expect(decisionPoint.calls[0]?.request.deviceId).toBeUndefined();
    expect(await access.authorize(facts({ host: 'vault.test', clientCertificate: cert('laptop-cert') }), 'proxy')).toMatchObject({
      kind: 'device-required',
      problem: 'the client certificate could not be checked',
    });
  });
});
