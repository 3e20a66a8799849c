// Enrollment (src/devices/protocol.ts, shaped like RFC 8628): make or reuse the device key, send a
// PKCS#10 request for it, then either receive the certificate at once (admin token) or show the
// user code and poll until the owner approves, denies, or the enrollment expires. Polls wait
// `interval` seconds and 5 more after each `slow_down` (RFC 8628 §3.5). The issued certificate
// must certify our key before anything is saved.
import { X509Certificate } from 'node:crypto';
import type { CertificateIssued, EnrollmentPending } from '../devices/protocol.js';
import { TenetError } from '../errors.js';
import { createCertificationRequest } from '../pki/certification-request.js';
import type { AgentState } from './agent-state.js';
import type { ServerClient } from './server-client.js';

export interface EnrollDeviceOptions {
  readonly state: AgentState;
  readonly client: ServerClient;
  readonly token?: string;
  /** The PEM trust anchor the client was given for the server's TLS; kept for later reports. */
  readonly serverCa?: string;
  /** Shown to the approving user; never trusted by the server. */
  readonly description: Readonly<Record<string, string>>;
  /** Subject CN of the request (a suggestion; the server names the device). */
  readonly subjectCn: string;
  /** Told once, when the user must approve. */
  readonly onPending: (pending: EnrollmentPending) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface EnrolledDevice {
  readonly deviceId: string;
  readonly notAfter: string;
  readonly renewAfter: string;
}

const SLOW_DOWN_SECONDS = 5;

export async function enrollDevice(options: EnrollDeviceOptions): Promise<EnrolledDevice> {
  const existing = await options.state.readConfig();
  if (existing !== undefined) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_ALREADY_ENROLLED', `this state directory already holds device ${existing.deviceId} enrolled with ${existing.server}`, [
      { path: options.state.dir, message: 'already enrolled', hint: 'use `tenet agent status`, or another --state-dir to enroll again' },
    ]);
  }
  const keys = await options.state.loadOrCreateKey();
  const csr = createCertificationRequest({ publicKey: keys.publicKey, privateKey: keys.privateKey }, options.subjectCn);
  const first = await options.client.enroll({ csr, description: { ...options.description }, ...(options.token === undefined ? {} : { token: options.token }) });
  const issued = first.status === 'issued' ? first : await waitForApproval(first, options);
  return keep(issued, options);
}

async function waitForApproval(pending: EnrollmentPending, options: EnrollDeviceOptions): Promise<CertificateIssued> {
  options.onPending(pending);
  const now = options.now ?? Date.now;
  const deadline = now() + pending.expires_in * 1000;
  let interval = Math.max(1, pending.interval);
  for (;;) {
    await options.sleep(interval * 1000);
    if (now() > deadline) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_ENROLLMENT_EXPIRED', `the enrollment was not approved within ${pending.expires_in} s; run enroll again`);
    }
    const answer = await options.client.poll(pending.enrollment);
    if (answer.kind === 'issued') return answer.issued;
    if (answer.kind === 'slow_down') interval += SLOW_DOWN_SECONDS;
  }
}

async function keep(issued: CertificateIssued, options: EnrollDeviceOptions): Promise<EnrolledDevice> {
  const keys = await options.state.loadKey();
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(issued.certificate);
  } catch (error) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_CERTIFICATE_INVALID', 'the server issued something that is not a certificate', [{ path: 'certificate', message: (error as Error).message }]);
  }
  if (!certificate.checkPrivateKey(keys.privateKey)) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_CERTIFICATE_INVALID', 'the server issued a certificate for another key; nothing was saved');
  }
  if (!certificate.verify(new X509Certificate(issued.ca_certificate).publicKey)) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_CERTIFICATE_INVALID', 'the issued certificate is not signed by the CA the server sent; nothing was saved');
  }
  if (options.serverCa !== undefined) await options.state.saveServerCa(options.serverCa);
  await options.state.saveIssued(options.client.server, { deviceId: issued.device_id, certificatePem: issued.certificate, caPem: issued.ca_certificate, renewAfter: issued.renew_after });
  return { deviceId: issued.device_id, notAfter: issued.not_after, renewAfter: issued.renew_after };
}
