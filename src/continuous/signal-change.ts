// Continuous verification's one vocabulary (NIST SP 800-207 §2.1 tenet 6, §3.3: access is
// re-evaluated while it lasts): a change to a signal that earlier decisions may have used. Whoever
// changes a signal publishes one — sessions revoked, a device's posture or status, a user disabled
// or moved between groups, IPs added to a threat list, a policy reload, a CAEP event — and the
// continuous verifier drops the affected cached decisions and re-checks the live connections they
// admitted. Publishing resolves once every subscriber has acted, so "the change took effect" is
// true when `publish` returns.
import type { EntityRef } from '../engine/tuple.js';

export type SignalChange =
  /** Sessions ended (logout, admin, CAEP session-revoked / credential-change, back-channel logout). */
  | { readonly kind: 'sessions'; readonly sessionIds: readonly string[]; readonly reason: string }
  /** Something about a subject changed: disabled, groups, reported risk level, assurance, claims, behaviour. */
  | { readonly kind: 'subject'; readonly subject: EntityRef; readonly reason: string }
  /** A device's posture, status or certificates changed. */
  | { readonly kind: 'device'; readonly deviceId: string; readonly reason: string }
  /** Threat indicators were added or changed: decisions for client IPs inside these prefixes. */
  | { readonly kind: 'network'; readonly prefixes: readonly string[]; readonly reason: string }
  /** Everything may have changed (policy or entity reload): every cached decision goes, every live connection is re-checked. */
  | { readonly kind: 'all'; readonly reason: string };

export type SignalChangeListener = (change: SignalChange) => Promise<void> | void;

/** The in-process bus. Listeners run in subscription order; one that throws does not stop the others (its error is reported). */
export class SignalChanges {
  readonly #listeners: SignalChangeListener[] = [];
  readonly #onError: (error: unknown, change: SignalChange) => void;

  constructor(onError: (error: unknown, change: SignalChange) => void) {
    this.#onError = onError;
  }

  subscribe(listener: SignalChangeListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  async publish(change: SignalChange): Promise<void> {
    for (const listener of [...this.#listeners]) {
      try {
        await listener(change);
      } catch (error) {
        this.#onError(error, change);
      }
    }
  }
}
