// A user's registered passkey (WebAuthn Level 3 public key credential source, as the relying party
// keeps it): enough to verify the next assertion and to show the user what they registered.
import type { EntityRef } from '../../engine/tuple.js';

export interface PasskeyCredential {
  /** The credential id (base64url), unique per authenticator credential. */
  readonly id: string;
  /** The Cedar principal it belongs to, e.g. `User::"alice@example.com"`. */
  readonly subject: EntityRef;
  /** The COSE public key (base64url). */
  readonly publicKey: string;
  /** Signature counter from the last verified assertion (0 when the authenticator keeps none). */
  readonly counter: number;
  /** Transports the browser reported (`internal`, `usb`, `hybrid`, …), as hints for later assertions. */
  readonly transports: readonly string[];
  /** Authenticator model id (AAGUID), when attested. */
  readonly aaguid?: string;
  /** `singleDevice` or `multiDevice` (synced passkey), from the backup-eligible flag. */
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly backedUp: boolean;
  /** A name the user chose, shown in the list. */
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
}
