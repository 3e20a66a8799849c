// The WebAuthn relying party Tenet is (WebAuthn Level 3 §5.1.2, §13.4.9): its id is the host name
// of proxy.publicUrl and the only origin it accepts is that URL's origin. Passkeys are therefore
// scoped to the login host, and every passkey ceremony happens there; application hosts only ever
// see the strengthened session that results.
import { isIP } from 'node:net';

export interface RelyingParty {
  /** RP id: the public URL's host name, without port. */
  readonly id: string;
  /** The one expected origin, e.g. `https://login.example.com:8443` (scheme, host and port exactly as browsers write `Origin`). */
  readonly origin: string;
  /** The name browsers show while registering. */
  readonly name: string;
}

/** The relying party for `publicUrl`, or why passkeys cannot work there (the caller then leaves them off: step-up goes to the IdP). */
export function relyingParty(publicUrl: string, name: string): { readonly rp: RelyingParty } | { readonly problem: string } {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return { problem: `proxy.publicUrl "${publicUrl}" is not a URL` };
  }
  // Browsers offer WebAuthn only in secure contexts: https, or http://localhost (potentially trustworthy).
  if (url.protocol !== 'https:' && url.hostname !== 'localhost') return { problem: `passkeys need proxy.publicUrl on https://, got ${url.origin}` };
  // An RP id is a domain (WebAuthn Level 3 §5.1.2 "valid domain"); browsers refuse IP addresses.
  const bare = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return { problem: `passkeys need proxy.publicUrl to name a host, not an IP address (${url.hostname})` };
  return { rp: { id: url.hostname, origin: url.origin, name } };
}
