// Passkeys (WebAuthn / FIDO2) for the enforcement points: users register passkeys on the public
// host and use one to step up to phishing-resistant authentication without a round trip to the
// IdP (NIST SP 800-63B §5.1.8 / AAL3-style verifier-impersonation resistance, at Tenet). The
// composition root calls `startPasskeys` and routes /.tenet/passkeys… and /.tenet/step-up… to it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { AuthenticationConfig } from '../../config/enforcement-schema.js';
import type { Sessions } from '../../sessions/sessions.js';
import type { PasskeyStore } from '../../store/ports.js';
import { PendingChallenges } from './challenges.js';
import { passkeyEndpoints, type PasskeyEndpoints } from './endpoints.js';
import { relyingParty } from './relying-party.js';

export type { PasskeyEndpoints } from './endpoints.js';
export type { PasskeyCredential } from './passkey-credential.js';
export { isPasskeyPath } from './endpoints.js';
export { STEP_UP_PATH } from './step-up-endpoint.js';
export { MANAGE_PATH } from './registration-endpoints.js';

export interface PasskeyDeps {
  readonly config: AuthenticationConfig;
  /** proxy.publicUrl: the relying party's origin; its host name is the RP id. */
  readonly publicUrl: string;
  readonly sessions: Sessions;
  readonly passkeys: PasskeyStore;
  readonly returnToAllowed: (url: URL) => boolean;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

/** Builds the passkey endpoints. Passkeys that cannot work at this public URL are logged and left off (step-up then goes to the IdP). */
export function startPasskeys(deps: PasskeyDeps): PasskeyEndpoints {
  const now = deps.clock ?? (() => new Date());
  const settings = deps.config.passkeys;
  const candidate = settings.enabled ? relyingParty(deps.publicUrl, settings.rpName) : undefined;
  if (candidate !== undefined && 'problem' in candidate) deps.logger.warn({ problem: candidate.problem }, 'passkeys are off: step-up goes to the identity provider');
  const rp = candidate !== undefined && 'rp' in candidate ? candidate.rp : undefined;
  return passkeyEndpoints({
    config: settings,
    rp,
    publicHost: new URL(deps.publicUrl).host.toLowerCase(),
    sessions: deps.sessions,
    passkeys: deps.passkeys,
    challenges: new PendingChallenges(() => now().getTime()),
    returnToAllowed: deps.returnToAllowed,
    providerName: (id) => {
      const provider = deps.config.providers.find((one) => one.id === id);
      return provider === undefined ? undefined : (provider.name ?? provider.id);
    },
    webauthnScript: rp === undefined ? '' : readWebauthnBundle(),
    logger: deps.logger,
    now,
  });
}

/** @simplewebauthn/browser's UMD bundle from the installed package (never a CDN: the page runs only what we ship). */
function readWebauthnBundle(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  // The package exports only its entry points; the bundle sits at dist/bundle beside them.
  return readFileSync(join(dirname(dirname(entry)), 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}
