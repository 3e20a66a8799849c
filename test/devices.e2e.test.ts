// Device identity end to end, through the real quickstart stack (Tenet with its built-in device CA,
// the proxy terminating TLS and asking for client certificates, the example app): enrollment by an
// admin token and by the owner's approval, mTLS through the proxy with valid, expired, revoked,
// wrong-CA and no certificates, signed posture reports (valid, forged, replayed, stale, from a
// revoked device), and a device that turns non-compliant losing access on its very next request.
import { X509Certificate, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPostureReport, type DeviceSigner } from '../src/agent/signed-message.js';
import { DEVICE_CA_CERT_FILE, DEVICE_CA_KEY_FILE } from '../src/devices/pki/device-ca-files.js';
import type { PostureFacts } from '../src/devices/protocol.js';
import { issuerFromCertificate } from '../src/pki/certificate-issuer.js';
import { createCertificationRequest } from '../src/pki/certification-request.js';
import { issueCertificate } from '../src/pki/issue-certificate.js';
import { startStack, type RunningStack } from './support/stack.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

interface ClientCertificate {
  readonly cert: string;
  readonly key: KeyObject;
}

let stack: RunningStack;
let aliceCookie: string;

/** One HTTPS request to the proxy, on a fresh connection (no TLS session carried between certificates). */
function call(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; client?: ClientCertificate; cookie?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: stack.proxyPort,
        servername: 'localhost',
        ca: stack.certificate,
        agent: false,
        method: options.method ?? 'GET',
        path,
        ...(options.client === undefined ? {} : { cert: options.client.cert, key: options.client.key.export({ type: 'pkcs8', format: 'pem' }) }),
        headers: { host: stack.publicHost, accept: 'application/json', ...(options.cookie === undefined ? {} : { cookie: options.cookie }), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${stack.apiUrl}/admin/v1${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function newKey(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

async function enrollWithToken(owner = 'alice'): Promise<ClientCertificate & { deviceId: string; serial: string }> {
  const token = await api('POST', '/device-enrollment-tokens', { owner: { type: 'User', id: owner }, ttl: '1h' });
  expect(token.status).toBe(201);
  const keys = newKey();
  const answer = await call('/.tenet/device/enroll', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ csr: createCertificationRequest(keys, 'e2e'), token: token.json['token'], description: { hostname: 'e2e-host' } }),
  });
  expect(answer.status).toBe(201);
  const issued = JSON.parse(answer.body) as { device_id: string; certificate: string };
  return { deviceId: issued.device_id, cert: issued.certificate, key: keys.privateKey, serial: new X509Certificate(issued.certificate).serialNumber.toLowerCase() };
}

const GOOD_FACTS: PostureFacts = {
  os: 'linux',
  osVersion: '6.12.0',
  diskEncrypted: true,
  firewallEnabled: true,
  screenLockEnabled: null,
  lastPackageUpdateAt: null,
  agentVersion: '0.1.0',
};

function signer(device: ClientCertificate & { deviceId: string }): DeviceSigner {
  return { deviceId: device.deviceId, server: stack.publicUrl, privateKey: device.key, certificatePem: device.cert };
}

function report(jws: string): Promise<Answer> {
  return call('/.tenet/device/posture', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
}

beforeAll(async () => {
  stack = await startStack({
    extraRoutes: ({ publicHost, appUrl }) => [
      { name: 'device-only', host: publicHost, pathPrefix: '/device-only', upstream: appUrl, resource: { type: 'App', id: 'hello' }, clientCertificate: 'required' },
    ],
  });
  // alice, logged in with a passkey a moment ago: what payroll's policy asks of the user, so the
  // device alone decides these tests.
  const { secret, record } = await stack.enforcement.sessions.start({
    identity: { providerId: 'dev', idpSubject: 'alice', subject: { type: 'User', id: 'alice' }, parents: [], attributes: {}, groups: [], email: 'alice@example.com' },
    authn: { methods: ['hwk', 'mfa'], phishingResistant: true, authenticatedAt: new Date().toISOString() },
    host: stack.publicHost,
  });
  aliceCookie = stack.enforcement.sessions.setCookie(secret, record).split(';')[0] ?? '';
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('device certificates through the proxy', () => {
  it('names the device with a valid certificate; posture then decides payroll', async () => {
    const device = await enrollWithToken();
    // Enrolled, but no posture yet: not compliant, payroll denied with the reason.
    const before = await call('/payroll', { client: device, cookie: aliceCookie });
    expect(before.status).toBe(403);
    expect(before.body).toContain('no posture reported');

    const accepted = await report(await signPostureReport(signer(device), GOOD_FACTS, new Date()));
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body)).toMatchObject({ accepted: true, device_id: device.deviceId, compliant: true, failed_checks: [] });

    const allowed = await call('/payroll', { client: device, cookie: aliceCookie });
    expect(allowed.status).toBe(200);
    // The example app echoes the verified assertion: the device is in it.
    expect(allowed.body).toContain(device.deviceId);

    // The same user without the certificate: unknown device, denied.
    const bare = await call('/payroll', { cookie: aliceCookie });
    expect(bare.status).toBe(403);
    expect(bare.body).toContain('device');
  });

  it('loses access on the next request when the device turns non-compliant, and regains it', async () => {
    const device = await enrollWithToken();
    await report(await signPostureReport(signer(device), GOOD_FACTS, new Date()));
    expect((await call('/payroll', { client: device, cookie: aliceCookie })).status).toBe(200);
    // Cached allow for this exact request now; the report must drop it.
    expect((await call('/payroll', { client: device, cookie: aliceCookie })).status).toBe(200);

    const worse = await report(await signPostureReport(signer(device), { ...GOOD_FACTS, firewallEnabled: false } as PostureFacts, new Date()));
    expect(JSON.parse(worse.body)).toMatchObject({ compliant: false, failed_checks: [{ check: 'firewall' }] });
    const denied = await call('/payroll', { client: device, cookie: aliceCookie });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('firewall');

    await report(await signPostureReport(signer(device), GOOD_FACTS, new Date()));
    expect((await call('/payroll', { client: device, cookie: aliceCookie })).status).toBe(200);
  });

  it('treats an expired, a wrong-CA and no certificate as an unknown device', async () => {
    const caDir = dirname(stack.storePath);
    const caCertificate = new X509Certificate(readFileSync(join(caDir, DEVICE_CA_CERT_FILE)));
    const caKey = createPrivateKey(readFileSync(join(caDir, DEVICE_CA_KEY_FILE)));
    const device = await enrollWithToken();
    await report(await signPostureReport(signer(device), GOOD_FACTS, new Date()));

    // The same device id and the real CA, but expired yesterday.
    const expiredKeys = newKey();
    const expired = issueCertificate(
      { subjectCn: device.deviceId, publicKey: expiredKeys.publicKey, notBefore: new Date(Date.now() - 7 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000), ca: false, clientAuth: true, uris: [`urn:tenet:device:${device.deviceId}`] },
      issuerFromCertificate(caCertificate, caKey),
    );
    expect((await call('/payroll', { client: { cert: expired, key: expiredKeys.privateKey }, cookie: aliceCookie })).status).toBe(403);

    // Another CA with the same name, naming the same device.
    const rogue = newKey();
    const rogueCa = issueCertificate({ subjectCn: 'Tenet device CA', publicKey: rogue.publicKey, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), ca: true }, { cn: 'Tenet device CA', ...rogue });
    const forgedKeys = newKey();
    const forged = issueCertificate(
      { subjectCn: device.deviceId, publicKey: forgedKeys.publicKey, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), ca: false, clientAuth: true, uris: [`urn:tenet:device:${device.deviceId}`] },
      issuerFromCertificate(new X509Certificate(rogueCa), rogue.privateKey),
    );
    expect((await call('/payroll', { client: { cert: forged, key: forgedKeys.privateKey }, cookie: aliceCookie })).status).toBe(403);

    // The genuine certificate still works, so the refusals above were about the certificates.
    expect((await call('/payroll', { client: device, cookie: aliceCookie })).status).toBe(200);
  });

  it('refuses a route that requires a device certificate without one, before any decision', async () => {
    const none = await call('/device-only/', { cookie: aliceCookie });
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body)).toMatchObject({ error: 'device_certificate_required' });
    const device = await enrollWithToken();
    expect((await call('/device-only/', { client: device, cookie: aliceCookie })).status).toBe(200);
  });

  it('revokes a device with immediate effect: access, posture reports, the CRL', async () => {
    const device = await enrollWithToken();
    await report(await signPostureReport(signer(device), GOOD_FACTS, new Date()));
    expect((await call('/payroll', { client: device, cookie: aliceCookie })).status).toBe(200);

    expect((await api('POST', `/devices/${device.deviceId}/status`, { status: 'revoked' })).status).toBe(200);
    expect((await call('/payroll', { client: device, cookie: aliceCookie })).status).toBe(403);
    // hello needs no device: the revoked certificate names none, so the request is decided as without one.
    expect((await call('/', { client: device, cookie: aliceCookie })).status).toBe(200);

    const refused = await report(await signPostureReport(signer(device), GOOD_FACTS, new Date()));
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'device_revoked' });

    const crl = await call('/.tenet/device/crl');
    expect(crl.status).toBe(200);
    expect(crl.headers['content-type']).toBe('application/pkix-crl');
    const shown = (await api('GET', `/devices/${device.deviceId}`)).json;
    expect(shown['certificates']).toEqual([expect.objectContaining({ serial: device.serial, revocationReason: 'cessationOfOperation' })]);
    // A revoked device cannot be reactivated.
    expect((await api('POST', `/devices/${device.deviceId}/status`, { status: 'active' })).status).toBe(409);
  });
});

describe('signed posture reports', () => {
  it('refuses a forged signature, a replay and a stale report', async () => {
    const device = await enrollWithToken();
    const good = await signPostureReport(signer(device), GOOD_FACTS, new Date());
    expect((await report(good)).status).toBe(200);
    const replay = await report(good);
    expect(replay.status).toBe(409);
    expect(JSON.parse(replay.body)).toMatchObject({ error: 'replayed' });

    // The device's certificate in x5c, but signed with another key.
    const [header, payload] = good.split('.');
    const other = newKey();
    const claims = { ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')), jti: 'forged-jti-0123456789' };
    const forged = await new CompactSign(Buffer.from(JSON.stringify(claims)))
      .setProtectedHeader(JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')))
      .sign(other.privateKey);
    const forgedAnswer = await report(forged);
    expect(forgedAnswer.status).toBe(401);
    expect(JSON.parse(forgedAnswer.body)).toMatchObject({ error: 'invalid_signature' });

    const hourAgo = new Date(Date.now() - 3_600_000);
    const stale = await report(await signPostureReport(signer(device), GOOD_FACTS, hourAgo, hourAgo));
    expect(stale.status).toBe(400);
    expect(JSON.parse(stale.body)).toMatchObject({ error: 'stale' });

    const garbage = await report('not-a-jws');
    expect(garbage.status).toBe(400);
  });
});

describe('enrollment approved by the owner', () => {
  it('issues the certificate to the polling agent after alice approves on the page; a cross-site approval is refused', async () => {
    const keys = newKey();
    const started = await call('/.tenet/device/enroll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csr: createCertificationRequest(keys, 'laptop'), description: { hostname: 'alice-new-laptop' } }) });
    expect(started.status).toBe(202);
    const pending = JSON.parse(started.body) as { enrollment: string; user_code: string; verification_uri_complete: string };
    const poll = () => call(`/.tenet/device/enroll/${pending.enrollment}`, { method: 'POST' });
    expect(JSON.parse((await poll()).body)).toMatchObject({ error: 'authorization_pending' });

    const approvePath = `/.tenet/devices/approve?code=${pending.user_code}`;
    // Not logged in: sent to log in first.
    expect((await call(approvePath)).status).toBe(302);
    const page = await call(approvePath, { cookie: aliceCookie, headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('alice-new-laptop');

    const crossSite = await call(`${approvePath}&decision=approve`, { method: 'POST', cookie: aliceCookie, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const approved = await call(`${approvePath}&decision=approve`, { method: 'POST', cookie: aliceCookie, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(approved.status).toBe(200);

    const issued = await poll();
    expect(issued.status).toBe(200);
    const certificate = JSON.parse(issued.body) as { device_id: string; certificate: string };
    const device = (await api('GET', `/devices/${certificate.device_id}`)).json['device'];
    expect(device).toMatchObject({ owner: { type: 'User', id: 'alice' }, status: 'active', managed: true });
    // The certificate certifies the agent's key.
    expect(new X509Certificate(certificate.certificate).publicKey.export({ type: 'spki', format: 'der' })).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
    // The code is spent.
    expect((await call(approvePath, { cookie: aliceCookie })).status).toBe(404);
  });
});
