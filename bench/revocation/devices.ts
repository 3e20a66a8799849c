// Device identity for the revocation benchmark, as an agent and an administrator use it: enroll a
// device with a one-time admin enrollment token (a fresh P-256 key, a PKCS#10 request to
// /.tenet/device/enroll), send signed posture reports (what `tenet agent report` sends), and the
// certificate in the form nginx forwards it to forward-auth (`$ssl_client_escaped_cert`, URL-escaped
// PEM in X-Tenet-Client-Cert from the trusted loopback peer).
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { signPostureReport, type DeviceSigner } from '../../src/agent/signed-message.js';
import type { PostureFacts } from '../../src/devices/protocol.js';
import { createCertificationRequest } from '../../src/pki/certification-request.js';
import { APP_HOST, PUBLIC_URL, type BenchStack } from './stack.js';

export interface BenchDevice {
  readonly deviceId: string;
  readonly signer: DeviceSigner;
  /** X-Tenet-Client-Cert as nginx sends it. */
  readonly forwardedCertificate: string;
}

/** Facts that pass the quickstart's rules (diskEncrypted, firewallEnabled). */
export const COMPLIANT_FACTS: PostureFacts = {
  os: 'linux',
  osVersion: '6.12.0',
  diskEncrypted: true,
  firewallEnabled: true,
  screenLockEnabled: null,
  lastPackageUpdateAt: null,
  agentVersion: '0.1.0',
};

/** The same device with its firewall turned off: check "firewall" fails. */
export const NON_COMPLIANT_FACTS = { ...COMPLIANT_FACTS, firewallEnabled: false } as PostureFacts;

/** POST to a device endpoint on the proxy listener (public host); resolves with status and body. */
function deviceCall(stack: BenchStack, path: string, contentType: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.proxyPort, method: 'POST', path, agent: false, headers: { host: APP_HOST, 'content-type': contentType, accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Enrolls one device owned by `ownerId` (a User) and reports compliant posture for it. */
export async function enrollCompliantDevice(stack: BenchStack, ownerId: string): Promise<BenchDevice> {
  const tokenResponse = await fetch(`${stack.apiUrl}/admin/v1/device-enrollment-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ owner: { type: 'User', id: ownerId }, ttl: '1h' }),
  });
  if (tokenResponse.status !== 201) throw new Error(`enrollment token answered ${tokenResponse.status}: ${await tokenResponse.text()}`);
  const { token } = (await tokenResponse.json()) as { token: string };
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const enrolled = await deviceCall(stack, '/.tenet/device/enroll', 'application/json', JSON.stringify({ csr: createCertificationRequest(keys, `bench-${ownerId}`), token, description: { hostname: `bench-${ownerId}` } }));
  if (enrolled.status !== 201) throw new Error(`enrollment answered ${enrolled.status}: ${enrolled.body}`);
  const issued = JSON.parse(enrolled.body) as { device_id: string; certificate: string };
  const device: BenchDevice = {
    deviceId: issued.device_id,
    signer: { deviceId: issued.device_id, server: PUBLIC_URL, privateKey: keys.privateKey, certificatePem: issued.certificate },
    forwardedCertificate: encodeURIComponent(issued.certificate),
  };
  const report = await sendPostureReport(stack, await signPostureReport(device.signer, COMPLIANT_FACTS, new Date()));
  if (report.status !== 200 || !(JSON.parse(report.body) as { compliant?: boolean }).compliant) throw new Error(`the compliant report answered ${report.status}: ${report.body}`);
  return device;
}

/** POST /.tenet/device/posture with a signed report; the answer carries the server's verdict. */
export function sendPostureReport(stack: BenchStack, jws: string): Promise<{ status: number; body: string }> {
  return deviceCall(stack, '/.tenet/device/posture', 'application/jose', jws);
}
