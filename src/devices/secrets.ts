// The random values device enrollment hands out, and how they are kept: the poll secret and admin
// tokens are 256-bit values stored only as SHA-256; device ids and user codes are public.
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** 256-bit random value, base64url without padding (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function secretId(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

// RFC 8628 §6.1: a user code from an alphabet without vowels (no words) and without look-alike
// characters, grouped for reading aloud. 20^8 ≈ 2.6e10 codes; pending ones are few and short-lived,
// and the approval page requires a logged-in user, so guessing one buys an attacker nothing.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export function newUserCode(): string {
  let code = '';
  for (let index = 0; index < 8; index += 1) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** A user code as typed (any case, with or without the dash or spaces), or undefined when it cannot be one. */
export function normaliseUserCode(typed: string): string | undefined {
  const letters = typed.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== 8 || ![...letters].every((letter) => USER_CODE_ALPHABET.includes(letter))) return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

/** A new device id: public, unguessable enough not to reveal fleet size, valid in a URI SAN. */
export function newDeviceId(): string {
  return `dev-${randomBytes(10).toString('hex')}`;
}

/** Device ids Tenet accepts from any source (certificates, imports, the admin API). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
