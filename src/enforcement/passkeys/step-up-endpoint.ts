// GET /.tenet/step-up?rd=…&provider=…&step_up=1&max_age=…[&phr=1] — where the access pipeline
// sends a browser that needs stronger authentication (src/enforcement/access/login-urls.ts). Steps:
//   checkReturnTo    rd must be one of our hosts (the login endpoints' rule: never an open redirect)
//   parseStepUp      the same requirement parameters the login endpoint reads
//   passkeyPossible  passkeys on, a session on the public host, and at least one passkey of its user
//                    → "confirm it's you" with a passkey (a fresh assertion meets any max_age and
//                    phishing resistance), with a link to the identity provider instead
//   otherwise        → the IdP step-up: the very same query on /.tenet/login
import { answerMethodNotAllowed, answerPage, answerRedirect } from '../authenticate/http-answers.js';
import { LOGIN_PATH, single } from '../authenticate/login-endpoint.js';
import { checkReturnTo } from '../authenticate/return-to.js';
import { parseStepUp } from '../authenticate/step-up.js';
import { publicSession, type PasskeyContext, type PasskeyRequest } from './passkey-context.js';
import { answerScriptedPage, stepUpBody } from './passkey-pages.js';

export const STEP_UP_PATH = '/.tenet/step-up';

export async function handleStepUp(context: PasskeyContext, { res, facts, query }: PasskeyRequest): Promise<void> {
  if (facts.method !== 'GET') return answerMethodNotAllowed(res, ['GET']);
  const returnTo = checkReturnTo(single(query, 'rd'), context.returnToAllowed);
  if (!returnTo.ok) {
    context.logger.warn({ outcome: 'step-up-refused', reason: 'return-address' }, 'step-up refused: return address not allowed');
    return answerPage(res, 400, 'Sign-in link not accepted', [
      { text: returnTo.problem },
      { text: 'For your safety this sign-in does not continue. Go back to the application and follow its sign-in link again.' },
    ]);
  }
  const stepUp = parseStepUp(query);
  if ('problem' in stepUp) return answerPage(res, 400, 'Sign-in link not accepted', [{ text: stepUp.problem }]);

  const idpHref = `${LOGIN_PATH}?${query.toString()}`;
  if (context.rp === undefined) return answerRedirect(res, idpHref);
  const session = await publicSession(context, facts);
  if (session === undefined) return answerRedirect(res, idpHref);
  const passkeys = await context.passkeys.listFor(session.identity.subject);
  if (passkeys.length === 0) return answerRedirect(res, idpHref);

  const providerId = single(query, 'provider') ?? session.identity.providerId;
  const idpName = context.providerName(providerId) ?? 'your identity provider';
  answerScriptedPage(res, 200, 'Confirm it is you', stepUpBody(returnTo.url.href, idpHref, idpName));
}
