// GET /.tenet/session?code=<one-time code> — finishes a login on an application host other than
// the publicUrl host. `__Host-` cookies are bound to one host (RFC 6265bis §4.1.3.2), so the login
// host hands the login over with a 60-second single-use code redeemable only on the target host;
// the code travels in the URL once and is never logged (Referrer-Policy: no-referrer).
import { sessionLabel, type EndpointContext, type EndpointRequest } from './endpoint-context.js';
import { answerMethodNotAllowed, answerPage, answerRedirect } from './http-answers.js';
import { LOGIN_PATH, single } from './login-endpoint.js';
import { replacePreviousSession } from './session-rotation.js';

export const HANDOFF_PATH = '/.tenet/session';

const CODE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export async function handleHandoff(context: EndpointContext, { res, facts, query }: EndpointRequest): Promise<void> {
  if (facts.method !== 'GET') return answerMethodNotAllowed(res, ['GET']);
  const code = single(query, 'code');
  const redeemed = code !== undefined && CODE_FORMAT.test(code) ? await context.sessions.redeemHandoff(code, facts.host) : undefined;
  if (redeemed === undefined) {
    context.logger.warn({ outcome: 'handoff-refused', host: facts.host }, 'session hand-off refused');
    const again = `${LOGIN_PATH}?${new URLSearchParams({ rd: `${facts.scheme}://${facts.host}/` }).toString()}`;
    return answerPage(res, 400, 'Sign-in did not complete', [
      { text: 'This sign-in link has expired or was already used (it works once, for one minute, on this site only).' },
      { link: { href: again, label: 'Sign in again' } },
    ]);
  }
  await replacePreviousSession(context, facts);
  context.logger.info({ provider: redeemed.record.identity.providerId, outcome: 'handoff', session: sessionLabel(redeemed.record.id) }, 'session handed off');
  answerRedirect(res, redeemed.returnTo, { setCookies: [context.sessions.setCookie(redeemed.secret, redeemed.record)] });
}
