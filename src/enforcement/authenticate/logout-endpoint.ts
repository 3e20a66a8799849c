// Logout (RP-Initiated Logout 1.0), built so another site cannot log a user out (logout CSRF):
//   GET  /.tenet/logout      a confirmation page with a POST form; GET never changes anything
//   POST /.tenet/logout      only from our own pages (Fetch Metadata `Sec-Fetch-Site`, else `Origin`)
//                            → ends every session of the login, clears the cookie, then sends the
//                            browser to the provider's end_session_endpoint (id_token_hint,
//                            post_logout_redirect_uri) or straight to the signed-out page
//   GET  /.tenet/logged-out  "You are signed out"
import * as client from 'openid-client';
import { sessionLabel, type EndpointContext, type EndpointRequest } from './endpoint-context.js';
import { answerMethodNotAllowed, answerPage, answerRedirect } from './http-answers.js';
import { fromOwnPage } from './own-page.js';

export const LOGOUT_PATH = '/.tenet/logout';
export const LOGGED_OUT_PATH = '/.tenet/logged-out';

export async function handleLogout(context: EndpointContext, { req, res, facts }: EndpointRequest): Promise<void> {
  if (facts.method === 'GET') {
    return answerPage(res, 200, 'Sign out', [
      { text: 'Do you want to sign out? This ends your session on every application you opened with this sign-in.' },
      { postForm: { action: LOGOUT_PATH, button: 'Sign out' } },
    ]);
  }
  if (facts.method !== 'POST') return answerMethodNotAllowed(res, ['GET', 'POST']);
  req.resume(); // the form has no fields we need; discard the body
  if (!fromOwnPage(req, facts)) {
    context.logger.warn({ outcome: 'logout-refused', reason: 'cross-origin' }, 'logout refused: not sent from our own page');
    return answerPage(res, 403, 'Sign-out refused', [
      { text: 'This sign-out request did not come from this site, so it was ignored.' },
      { link: { href: LOGOUT_PATH, label: 'Sign out here' } },
    ]);
  }

  const clear = [context.sessions.clearCookie()];
  const signedOut = `${context.publicBase}${LOGGED_OUT_PATH}`;
  const secret = context.sessions.readCookie(facts.cookie);
  const session = secret === undefined ? undefined : await context.sessions.resume(secret, facts.host);
  if (session === undefined) return answerRedirect(res, LOGGED_OUT_PATH, { status: 303, setCookies: clear });

  const ended = await context.sessions.endLogin(session.id);
  const providerId = session.identity.providerId;
  context.logger.info({ provider: providerId, outcome: 'logout', session: sessionLabel(session.id), ended: ended.length }, 'logged out');
  // A provider that is not discovered (unreachable) cannot be sent the user: the Tenet sessions end, its own session stays.
  const provider = context.providers.byId(providerId)?.discovered;
  if (provider === undefined || !provider.endSession) return answerRedirect(res, LOGGED_OUT_PATH, { status: 303, setCookies: clear });
  const parameters: Record<string, string> = { post_logout_redirect_uri: signedOut };
  if (session.idToken !== undefined) parameters.id_token_hint = session.idToken;
  answerRedirect(res, client.buildEndSessionUrl(provider.client, parameters).href, { status: 303, setCookies: clear });
}

export async function handleLoggedOut(_context: EndpointContext, { res, facts }: EndpointRequest): Promise<void> {
  if (facts.method !== 'GET') return answerMethodNotAllowed(res, ['GET']);
  answerPage(res, 200, 'You are signed out', [{ text: 'You are signed out. You can close this window.' }]);
}
