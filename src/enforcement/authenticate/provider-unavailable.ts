// The answer to a browser whose sign-in needs a provider Tenet has not discovered (yet): 503
// Service Unavailable with Retry-After (RFC 9110 §15.6.4, §10.2.3), so the user knows it is
// temporary and on the identity provider's side, and no cache keeps it (Cache-Control: no-store,
// http-answers.ts). Existing sessions are not affected; only new sign-ins with this provider wait.
import type { ServerResponse } from 'node:http';
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import { answerPage } from './http-answers.js';
import type { PageBlock } from './pages.js';

/** Retry-After, in seconds: about when the background retries (retry-backoff.ts) will have tried again. */
export const RETRY_AFTER_SECONDS = 30;

export function answerProviderUnavailable(res: ServerResponse, provider: OidcProviderConfig, more: readonly PageBlock[] = []): void {
  answerPage(res, 503, 'Sign-in unavailable', [{ text: `The sign-in service ${provider.name ?? provider.id} is unavailable right now; try again in a minute.` }, ...more], {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}
