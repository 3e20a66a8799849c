// Verifies a message a device signed with its key (posture report, renewal request): a compact JWS
// (RFC 7515) with alg ES256, an explicit `typ` (RFC 8725 §3.11), and the device certificate in
// `x5c` (RFC 7515 §4.1.6). Trust comes from the certificate, not from the header: it must verify
// as a current device certificate of this CA (chain, validity, not revoked) and be one Tenet
// recorded issuing; the signature must verify with its key; `iss` must be its device; `aud` this
// endpoint; `iat` within the allowed skew; and `jti` never seen before for the device (replay).
import { X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { z } from 'zod';
import type { DeviceCertificateVerifier } from '../enforcement/access/http-access.js';
import type { DeviceIdentityStore } from '../store/ports.js';
import { DeviceProtocolFailure } from './protocol-failure.js';
import { SIGNED_MESSAGE_MAX_SKEW_SECONDS } from './protocol.js';

export interface SignedMessageContext {
  readonly verifier: DeviceCertificateVerifier;
  readonly identities: DeviceIdentityStore;
  readonly clock: () => Date;
}

export interface VerifiedDeviceMessage<T> {
  readonly deviceId: string;
  readonly serial: string;
  readonly claims: T;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function invalid(description: string): DeviceProtocolFailure {
  return new DeviceProtocolFailure('invalid_signature', 401, description);
}

export async function verifyDeviceMessage<S extends z.ZodType<{ iss: string; aud: string; iat: number; jti: string }>>(
  jws: string,
  expected: { readonly typ: string; readonly audience: string; readonly claims: S },
  context: SignedMessageContext,
): Promise<VerifiedDeviceMessage<z.output<S>>> {
  if (!COMPACT_JWS.test(jws)) throw new DeviceProtocolFailure('invalid_request', 400, 'the body must be a compact JWS (header.payload.signature)');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new DeviceProtocolFailure('invalid_request', 400, 'the JWS header is not valid base64url JSON');
  }
  if (header.alg !== 'ES256') throw invalid(`alg must be ES256, got ${JSON.stringify(header.alg ?? null)}`);
  if (header.typ !== expected.typ) throw invalid(`typ must be ${expected.typ}, got ${JSON.stringify(header.typ ?? null)}`);
  // Only the leaf is needed: device certificates are issued directly by the device CA.
  const leaf = Array.isArray(header.x5c) && header.x5c.length >= 1 && typeof header.x5c[0] === 'string' ? header.x5c[0] : undefined;
  if (leaf === undefined || leaf.length > 16_384) throw invalid('x5c must hold the device certificate (base64 DER)');
  const der = Buffer.from(leaf, 'base64');
  const check = context.verifier.verify(der);
  if (!check.ok) {
    if (check.problem === 'revoked') throw new DeviceProtocolFailure('device_revoked', 403, 'the device certificate is revoked');
    throw invalid(`the device certificate is not valid: ${check.detail}`);
  }
  const recorded = await context.identities.getCertificate(check.serial);
  if (recorded === undefined || recorded.deviceId !== check.deviceId) throw new DeviceProtocolFailure('unknown_device', 403, 'the device certificate was not issued by this Tenet');

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, new X509Certificate(der).publicKey, { algorithms: ['ES256'] }));
  } catch {
    throw invalid('the signature does not verify with the device certificate\'s key');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new DeviceProtocolFailure('invalid_request', 400, 'the JWS payload is not JSON');
  }
  const parsed = expected.claims.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DeviceProtocolFailure('invalid_request', 400, `claims: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`);
  }
  const claims = parsed.data;
  if (claims.iss !== check.deviceId) throw invalid('iss does not name the certificate\'s device');
  if (claims.aud !== expected.audience) throw invalid(`aud must be ${expected.audience}`);
  const nowSeconds = Math.floor(context.clock().getTime() / 1000);
  if (Math.abs(nowSeconds - claims.iat) > SIGNED_MESSAGE_MAX_SKEW_SECONDS) {
    throw new DeviceProtocolFailure('stale', 400, `iat is more than ${SIGNED_MESSAGE_MAX_SKEW_SECONDS} s from the server's clock (check the device's time)`);
  }
  // Remembered for twice the window: by then a replay is refused as stale anyway.
  const rememberUntil = new Date((nowSeconds + 2 * SIGNED_MESSAGE_MAX_SKEW_SECONDS) * 1000).toISOString();
  if (!(await context.identities.rememberReportId(check.deviceId, claims.jti, rememberUntil))) {
    throw new DeviceProtocolFailure('replayed', 409, 'this message (jti) was already accepted');
  }
  return { deviceId: check.deviceId, serial: check.serial, claims };
}
