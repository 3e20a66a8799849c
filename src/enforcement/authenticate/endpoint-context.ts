// What every login endpoint handler receives: the shared services (one object built at start) and
// the request at hand. Handlers read the request only through HttpRequestFacts (built by the PEP
// from trusted sources) plus the raw request for its body and fetch-metadata headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthenticationConfig } from '../../config/enforcement-schema.js';
import type { Sessions } from '../../sessions/sessions.js';
import type { SessionStore } from '../../store/ports.js';
import type { HttpRequestFacts } from '../access/http-access.js';
import type { ProviderRegistry } from './provider-registry.js';
import type { JtiReplaySet } from './jti-replay.js';

export interface EndpointContext {
  readonly config: AuthenticationConfig;
  readonly providers: ProviderRegistry;
  /** publicUrl without a trailing slash, e.g. `https://login.example.com`. */
  readonly publicBase: string;
  /** publicUrl's host (lower-case, port only when not the default), compared with HttpRequestFacts.host. */
  readonly publicHost: string;
  readonly sessions: Sessions;
  readonly store: SessionStore;
  readonly returnToAllowed: (url: URL) => boolean;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly logoutTokens: JtiReplaySet;
}

export interface EndpointRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly facts: HttpRequestFacts;
  readonly query: URLSearchParams;
}

export type EndpointHandler = (context: EndpointContext, request: EndpointRequest) => Promise<void>;

/** The origin the request was addressed to, as a browser would write it in `Origin`. */
export function requestOrigin(facts: HttpRequestFacts): string {
  return `${facts.scheme}://${facts.host}`;
}

/** A log-safe prefix of a session id (ids are SHA-256 of secrets; a prefix identifies without exposing). */
export function sessionLabel(sessionId: string): string {
  return sessionId.slice(0, 8);
}
