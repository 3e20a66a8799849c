// The Authentication a verified passkey assertion gives a login (what the engine and Cedar see as
// `context.authn`). The methods are RFC 8176 `amr` values:
//   hwk  proof of possession of a hardware-secured key: the authenticator signed our challenge
//        with the credential's private key, which never leaves it (synced passkeys included: the
//        key is held by the platform's authenticator and released only to it).
//   mfa  only when the authenticator performed user verification (the UV flag, WebAuthn Level 3
//        §6.1): possession plus a PIN or a biometric checked on the device. RFC 8176 has `pin`,
//        `fpt`, `face`… but the UV flag does not say which one was used, so naming one would be a
//        guess; `mfa` ("multiple-factor authentication", RFC 8176 §2) is what is known.
// `user` (a presence test) is not listed even though presence is always required: the engine
// counts two distinct methods as multi-factor (src/engine/authn-facts.ts), and a touch is no factor.
// Phishing resistance holds either way: the browser binds the assertion to our origin and RP id
// (WebAuthn Level 3 §13.4.9), so a look-alike site cannot obtain one for us.
import type { Authentication } from '../../engine/tuple.js';

export function passkeyAuthentication(previous: Authentication, userVerified: boolean, at: Date): Authentication {
  return {
    methods: userVerified ? ['hwk', 'mfa'] : ['hwk'],
    phishingResistant: true,
    authenticatedAt: at.toISOString(),
    // The IdP's acr describes the IdP login, which still stands (identity and groups come from it);
    // it is kept so policies reading acr see the same value as before the step-up.
    ...(previous.acr === undefined ? {} : { acr: previous.acr }),
  };
}
