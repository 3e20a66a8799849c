// What every passkey endpoint handler receives: the services built once at start, and the request.
// Handlers read the request through HttpRequestFacts (built by the PEP from trusted sources) plus the
// raw request for its body and its Origin / Fetch Metadata headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthenticationConfig } from '../../config/enforcement-schema.js';
import type { SessionRecord } from '../../sessions/session.js';
import type { Sessions } from '../../sessions/sessions.js';
import type { PasskeyStore } from '../../store/ports.js';
import type { HttpRequestFacts } from '../access/http-access.js';
import type { PendingChallenges } from './challenges.js';
import type { RelyingParty } from './relying-party.js';

export interface PasskeyContext {
  readonly config: AuthenticationConfig['passkeys'];
  /** Undefined when passkeys are off (config) or cannot work at this public URL: step-up goes to the IdP then. */
  readonly rp: RelyingParty | undefined;
  /** publicUrl's host (lower-case, with a non-default port), compared with HttpRequestFacts.host. */
  readonly publicHost: string;
  readonly sessions: Sessions;
  readonly passkeys: PasskeyStore;
  readonly challenges: PendingChallenges;
  /** The same return-address rule the login endpoints use (one of our hosts). */
  readonly returnToAllowed: (url: URL) => boolean;
  /** A provider's display name, for "use <IdP> instead". */
  readonly providerName: (providerId: string) => string | undefined;
  /** @simplewebauthn/browser's UMD bundle, read from the installed package at start. */
  readonly webauthnScript: string;
  readonly logger: Logger;
  readonly now: () => Date;
}

export interface PasskeyRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly facts: HttpRequestFacts;
  readonly query: URLSearchParams;
}

export type PasskeyHandler = (context: PasskeyContext, request: PasskeyRequest) => Promise<void>;

/** The session the browser holds on the public host, or undefined (none, expired, revoked). */
export async function publicSession(context: PasskeyContext, facts: HttpRequestFacts): Promise<SessionRecord | undefined> {
  const secret = context.sessions.readCookie(facts.cookie);
  return secret === undefined ? undefined : context.sessions.resume(secret, facts.host);
}

/** A log-safe label of a credential id: enough to tell passkeys apart in logs, not the whole id. */
export function credentialLabel(id: string): string {
  return id.slice(0, 8);
}
