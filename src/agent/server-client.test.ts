import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EnrollmentPending, PostureFacts } from '../devices/protocol.js';
import { AgentState } from './agent-state.js';
import { clientFor, renewCertificate, sendPostureReport } from './device-reports.js';
import { enrollDevice } from './enroll-device.js';
import { AgentServerRefusal, AgentServerUnreachable, ServerClient, normaliseServerUrl } from './server-client.js';
import { GOOD_TOKEN, startDeviceProtocolServer, type DeviceProtocolServer } from './testing/device-protocol-server.js';

const FACTS: PostureFacts = { os: 'linux', osVersion: '6.1.0', diskEncrypted: false, firewallEnabled: true, screenLockEnabled: null, lastPackageUpdateAt: null, agentVersion: '0.1.0' };

let server: DeviceProtocolServer;
let root: string;
let counter = 0;

beforeAll(async () => {
  server = await startDeviceProtocolServer();
  root = await mkdtemp(join(tmpdir(), 'tenet-agent-client-'));
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  server.pollScript = [];
  server.override = undefined;
});

function setup() {
  const state = new AgentState(join(root, `state-${(counter += 1)}`));
  const client = new ServerClient({ server: server.url, serverCa: server.tlsCaPem });
  const sleeps: number[] = [];
  const pendings: EnrollmentPending[] = [];
  const enroll = (token?: string) =>
    enrollDevice({
      state,
      client,
      ...(token === undefined ? {} : { token }),
      serverCa: server.tlsCaPem,
      description: { hostname: 'laptop-7', os: 'linux' },
      subjectCn: 'laptop-7',
      onPending: (pending) => pendings.push(pending),
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
  return { state, client, sleeps, pendings, enroll };
}

describe('enrollment against a real HTTPS server', () => {
  it('with a token: issued at once (201), the certificate certifies the new key, state saved', async () => {
    const { state, enroll, pendings } = setup();
    const enrolled = await enroll(GOOD_TOKEN);
    expect(pendings).toEqual([]);
    const saved = await state.requireEnrolled();
    expect(saved.config).toMatchObject({ server: server.url, deviceId: enrolled.deviceId });
    expect(saved.certificate.checkPrivateKey(saved.keys.privateKey)).toBe(true);
    expect(saved.certificate.verify(new X509Certificate(server.deviceCa.certPem).publicKey)).toBe(true);
    const request = server.received.find((entry) => entry.path === '/.tenet/device/enroll' && entry.body.includes(GOOD_TOKEN));
    expect(request?.contentType).toBe('application/json');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ description: { hostname: 'laptop-7' }, csr: expect.stringContaining('BEGIN CERTIFICATE REQUEST') });
  });

  it('with a bad token: the server\'s error and description are shown, nothing but the key is kept', async () => {
    const { state, enroll } = setup();
    const failure = enroll('wrong-token');
    await expect(failure).rejects.toBeInstanceOf(AgentServerRefusal);
    await expect(failure).rejects.toMatchObject({ error: 'invalid_token', status: 401, message: 'the server refused: invalid_token (the enrollment token is unknown, used or expired)' });
    expect(await state.readConfig()).toBeUndefined();
  });

  it('by approval: shows the user code, polls pending → slow_down → issued, adding 5 s after slow_down (RFC 8628 §3.5)', async () => {
    const { state, enroll, sleeps, pendings } = setup();
    server.pollScript = ['pending', 'slow_down', 'http-202', 'issued'];
    const enrolled = await enroll();
    expect(pendings.map((pending) => pending.user_code)).toEqual(['KDFM-XQ2P']);
    expect(sleeps).toEqual([5_000, 5_000, 10_000, 10_000]);
    expect((await state.requireEnrolled()).config.deviceId).toBe(enrolled.deviceId);
  });

  it('by approval, denied: stops with access_denied', async () => {
    const { state, enroll } = setup();
    server.pollScript = ['pending', 'denied'];
    await expect(enroll()).rejects.toMatchObject({ error: 'access_denied', message: expect.stringMatching(/the enrollment was denied/) });
    expect(await state.readConfig()).toBeUndefined();
  });

  it('by approval, expired: stops with expired_token', async () => {
    const { enroll } = setup();
    server.pollScript = ['expired'];
    await expect(enroll()).rejects.toMatchObject({ error: 'expired_token', message: expect.stringMatching(/start again/) });
  });

  it('refuses to enroll a state directory twice', async () => {
    const { enroll } = setup();
    await enroll(GOOD_TOKEN);
    await expect(enroll(GOOD_TOKEN)).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_ALREADY_ENROLLED' });
  });
});

describe('signed reports and renewal against a real HTTPS server', () => {
  it('sends a posture report the server verifies, and shows its verdict', async () => {
    const { state, enroll } = setup();
    await enroll(GOOD_TOKEN);
    const enrolled = await state.requireEnrolled();
    const before = server.reports.length;
    const accepted = await sendPostureReport(enrolled, clientFor(enrolled), FACTS, new Date());
    expect(accepted).toMatchObject({ accepted: true, device_id: enrolled.config.deviceId, compliant: false, failed_checks: [{ check: 'diskEncrypted' }] });
    expect(server.reports.slice(before)).toHaveLength(1);
    expect(server.reports.at(-1)?.posture.facts).toEqual(FACTS);
    expect(server.received.at(-1)?.contentType).toBe('application/jose');
  });

  it('renews: a new certificate for the same device and key replaces the old one', async () => {
    const { state, enroll } = setup();
    await enroll(GOOD_TOKEN);
    const enrolled = await state.requireEnrolled();
    await renewCertificate(state, enrolled, clientFor(enrolled));
    const renewed = await state.requireEnrolled();
    expect(renewed.config.deviceId).toBe(enrolled.config.deviceId);
    expect(renewed.certificate.serialNumber).not.toBe(enrolled.certificate.serialNumber);
    expect(renewed.certificate.checkPrivateKey(enrolled.keys.privateKey)).toBe(true);
  });
});

describe('transport', () => {
  it('verifies TLS: without the server CA the server is not trusted, and the message says what to do', async () => {
    const client = new ServerClient({ server: server.url });
    const failure = client.enroll({ csr: 'x' });
    await expect(failure).rejects.toBeInstanceOf(AgentServerUnreachable);
    await expect(failure).rejects.toThrow(/not trusted; for a self-signed proxy certificate pass it with --server-ca/);
  });

  it('an error body on a 5xx is shown; a 5xx without one is "unreachable"; a non-protocol answer is named', async () => {
    const client = new ServerClient({ server: server.url, serverCa: server.tlsCaPem });
    server.override = { status: 503, body: JSON.stringify({ error: 'not_enabled', error_description: 'device enrollment is not configured' }) };
    await expect(client.enroll({ csr: 'x' })).rejects.toMatchObject({ status: 503, error: 'not_enabled', message: 'the server refused: not_enabled (device enrollment is not configured)' });
    server.override = { status: 502, body: '<html>bad gateway</html>' };
    await expect(client.enroll({ csr: 'x' })).rejects.toBeInstanceOf(AgentServerUnreachable);
    server.override = { status: 201, body: '{"status":"issued"}' };
    await expect(client.enroll({ csr: 'x' })).rejects.toThrow(/not what the protocol says \(device_id:/);
  });

  it('accepts only an https origin as the server', () => {
    expect(normaliseServerUrl('https://tenet.example:8443/')).toBe('https://tenet.example:8443');
    expect(() => normaliseServerUrl('http://tenet.example')).toThrow(/must be an https URL/);
    expect(() => normaliseServerUrl('https://tenet.example/app')).toThrow(/no path/);
    expect(() => normaliseServerUrl('tenet.example')).toThrow(/not a URL/);
  });
});
