// Builds the device's signed messages (src/devices/protocol.ts): a compact JWS (RFC 7515), ES256
// with the device key, explicit `typ` (RFC 8725 §3.11) and the device certificate as the only
// `x5c` entry (RFC 7515 §4.1.6: standard base64 of the DER, not base64url). The claims bind the
// message to the device (`iss`), to one endpoint (`aud`, built as the server builds it: the path
// resolved against the server URL), to a moment (`iat`) and to one use (`jti`, 18 random bytes).
import { X509Certificate, randomBytes, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { DEVICE_PATHS, POSTURE_JWS_TYPE, RENEWAL_JWS_TYPE, type PostureClaims, type PostureFacts, type RenewalClaims } from '../devices/protocol.js';

export interface DeviceSigner {
  readonly deviceId: string;
  readonly server: string;
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
}

export function deviceAudience(server: string, path: string): string {
  return new URL(path, server).toString();
}

export function postureClaims(signer: DeviceSigner, facts: PostureFacts, observedAt: Date, now: Date = new Date()): PostureClaims {
  return { ...commonClaims(signer, DEVICE_PATHS.posture, now), posture: { observedAt: observedAt.toISOString(), facts } };
}

export function renewalClaims(signer: DeviceSigner, csr: string, now: Date = new Date()): RenewalClaims {
  return { ...commonClaims(signer, DEVICE_PATHS.renew, now), csr };
}

export async function signPostureReport(signer: DeviceSigner, facts: PostureFacts, observedAt: Date, now?: Date): Promise<string> {
  return sign(signer, POSTURE_JWS_TYPE, postureClaims(signer, facts, observedAt, now));
}

export async function signRenewalRequest(signer: DeviceSigner, csr: string, now?: Date): Promise<string> {
  return sign(signer, RENEWAL_JWS_TYPE, renewalClaims(signer, csr, now));
}

function commonClaims(signer: DeviceSigner, path: string, now: Date): { iss: string; aud: string; iat: number; jti: string } {
  return { iss: signer.deviceId, aud: deviceAudience(signer.server, path), iat: Math.floor(now.getTime() / 1000), jti: randomBytes(18).toString('base64url') };
}

async function sign(signer: DeviceSigner, typ: string, claims: object): Promise<string> {
  const x5c = [new X509Certificate(signer.certificatePem).raw.toString('base64')];
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'ES256', typ, x5c }).sign(signer.privateKey);
}
