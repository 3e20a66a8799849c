// Whether a state-changing request (POST) comes from one of Tenet's own pages on this origin:
// the defence against cross-site request forgery for the logout, approval and passkey forms
// (cookies are SameSite=Lax, and this check does not depend on that).
import type { IncomingMessage } from 'node:http';
import type { HttpRequestFacts } from '../access/http-access.js';
import { requestOrigin } from './endpoint-context.js';

/**
 * Fetch Metadata (W3C): `same-origin` (our form) or `none` (typed by the user) are ours. Browsers
 * without it fall back to `Origin`, which must be exactly this request's origin; a request with
 * neither is refused (deny by default).
 */
export function fromOwnPage(req: IncomingMessage, facts: HttpRequestFacts): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return true;
  const origin = req.headers.origin;
  return site === undefined && origin !== undefined && origin === requestOrigin(facts);
}
