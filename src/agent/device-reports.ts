// What an enrolled agent sends: a signed posture report, and a signed renewal request when the
// certificate is past its renewAfter (the same key, a new certificate; the server revokes the old
// one as superseded). Both read the state directory fresh so a renewal is picked up at once.
import { X509Certificate } from 'node:crypto';
import type { PostureAccepted, PostureFacts } from '../devices/protocol.js';
import { TenetError } from '../errors.js';
import { createCertificationRequest } from '../pki/certification-request.js';
import type { AgentState, EnrolledState } from './agent-state.js';
import { ServerClient } from './server-client.js';
import { signPostureReport, signRenewalRequest, type DeviceSigner } from './signed-message.js';

export function clientFor(enrolled: EnrolledState, timeoutMs?: number): ServerClient {
  return new ServerClient({ server: enrolled.config.server, ...(enrolled.serverCaPem === undefined ? {} : { serverCa: enrolled.serverCaPem }), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

export function signerFor(enrolled: EnrolledState): DeviceSigner {
  return { deviceId: enrolled.config.deviceId, server: enrolled.config.server, privateKey: enrolled.keys.privateKey, certificatePem: enrolled.certificatePem };
}

export async function sendPostureReport(enrolled: EnrolledState, client: ServerClient, facts: PostureFacts, observedAt: Date): Promise<PostureAccepted> {
  return client.report(await signPostureReport(signerFor(enrolled), facts, observedAt));
}

export function renewalDue(enrolled: EnrolledState, now: Date = new Date()): boolean {
  return now.getTime() >= Date.parse(enrolled.config.renewAfter);
}

/** Renews with the same key; the new certificate must certify it and come from the same CA. */
export async function renewCertificate(state: AgentState, enrolled: EnrolledState, client: ServerClient): Promise<{ readonly notAfter: string; readonly renewAfter: string }> {
  const csr = createCertificationRequest({ publicKey: enrolled.keys.publicKey, privateKey: enrolled.keys.privateKey }, enrolled.config.deviceId);
  const issued = await client.renew(await signRenewalRequest(signerFor(enrolled), csr));
  const certificate = new X509Certificate(issued.certificate);
  if (issued.device_id !== enrolled.config.deviceId || !certificate.checkPrivateKey(enrolled.keys.privateKey) || !certificate.verify(new X509Certificate(issued.ca_certificate).publicKey)) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_CERTIFICATE_INVALID', 'the renewed certificate is not for this device and key, or not signed by the CA sent; the old one is kept');
  }
  await state.saveIssued(enrolled.config.server, { deviceId: issued.device_id, certificatePem: issued.certificate, caPem: issued.ca_certificate, renewAfter: issued.renew_after });
  return { notAfter: issued.not_after, renewAfter: issued.renew_after };
}
