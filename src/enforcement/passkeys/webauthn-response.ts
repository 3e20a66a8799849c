// What Tenet reads from a browser's WebAuthn response before handing it to @simplewebauthn/server:
// the outer shape (so a malformed body gets a clear 400, not a library stack), the challenge in
// clientDataJSON (to find and burn the pending challenge before verifying), and the signature
// counter in authenticatorData (to tell a cloned authenticator from a bad signature in the log).
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';

const base64url = z.string().min(1).max(2048).regex(/^[A-Za-z0-9_-]+$/, 'expected base64url');

const registrationResponse = z.looseObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().min(1), attestationObject: z.string().min(1) }),
});

const authenticationResponse = z.looseObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().min(1), authenticatorData: z.string().min(1), signature: z.string().min(1) }),
});

export const registrationVerifyBody = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(64, 'name must be at most 64 characters'),
  response: registrationResponse,
});

export const authenticationOptionsBody = z.strictObject({ rd: z.string() });
export const authenticationVerifyBody = z.strictObject({ response: authenticationResponse });
export const removeBody = z.strictObject({ id: base64url });

/** The first problem zod found, as one line for a JSON error. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid body' : `${issue.path.join('.') || 'body'}: ${issue.message}`;
}

export function asRegistrationResponse(value: z.infer<typeof registrationResponse>): RegistrationResponseJSON {
  return value as unknown as RegistrationResponseJSON;
}

export function asAuthenticationResponse(value: z.infer<typeof authenticationResponse>): AuthenticationResponseJSON {
  return value as unknown as AuthenticationResponseJSON;
}

/** The challenge the browser signed (WebAuthn Level 3 §5.8.1 CollectedClientData.challenge), or undefined when clientDataJSON is unreadable. */
export function signedChallenge(clientDataJSON: string): string | undefined {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    return typeof data === 'object' && data !== null && 'challenge' in data && typeof data.challenge === 'string' ? data.challenge : undefined;
  } catch {
    return undefined;
  }
}

/** signCount from authenticator data (WebAuthn Level 3 §6.1: rpIdHash 32 bytes, flags 1 byte, then a big-endian uint32), or undefined when too short. */
export function signCount(authenticatorData: string): number | undefined {
  const bytes = Buffer.from(authenticatorData, 'base64url');
  return bytes.length < 37 ? undefined : bytes.readUInt32BE(33);
}
