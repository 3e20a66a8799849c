// The development IdP's interaction pages, at /interaction/<uid> (oidc-provider redirects the
// browser here whenever a login or consent is needed):
//   GET  → login prompt: the login form; consent prompt: granted at once (the only clients are the
//          ones the operator configured) and the browser is sent back to oidc-provider.
//   POST → checks the username and password (constant time) and finishes the login, or shows the
//          form again with an error.
// CSRF: oidc-provider binds each interaction to a SameSite=Lax cookie scoped to this path, which a
// cross-site POST does not carry, and the uid in the URL must be that cookie's interaction; a POST
// whose Origin is not the issuer's is refused as well.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import { errors as oidcErrors } from 'oidc-provider';
import { ACR_PHISHING_RESISTANT, DevAccounts } from './accounts.js';
import { errorPage, loginPage, PAGE_HEADERS } from './pages.js';
import { INTERACTION_PATH_PREFIX } from './provider-configuration.js';

/** A login form is two short fields and a checkbox. */
const FORM_BODY_LIMIT = 8 * 1024;

const UID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * What a login-prompt reason (oidc-provider's check names, plus our acr_values) tells the user; the
 * first reason present in this order is shown (max_age=0 also sets login_prompt, OIDC Core §3.1.2.1).
 */
const REASON_TEXT: readonly (readonly [string, string])[] = [
  ['acr_values', 'The application asks for phishing-resistant authentication (acr "phr"): tick "Also use my security key".'],
  ['max_age', 'The application asks for a recent sign-in (max_age), so please sign in again.'],
  ['login_prompt', 'The application asks you to sign in again (prompt=login).'],
  ['id_token_hint', 'The application expected another user to be signed in.'],
];

export interface InteractionDeps {
  readonly provider: Provider;
  readonly accounts: DevAccounts;
  /** The issuer's origin: a POST from any other origin is refused. */
  readonly issuerOrigin: string;
  readonly logger: Logger;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export function isInteractionPath(pathname: string): boolean {
  return pathname.startsWith(INTERACTION_PATH_PREFIX);
}

export function interactionHandler(deps: InteractionDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const uid = new URL(req.url ?? '/', 'http://unused').pathname.slice(INTERACTION_PATH_PREFIX.length);
    try {
      if (!UID_PATTERN.test(uid)) return sendPage(res, 404, errorPage('Not found', { error: 'no such sign-in page' }));
      if (req.method === 'GET') return await showInteraction(deps, req, res, uid);
      if (req.method === 'POST') return await submitLogin(deps, req, res, uid);
      res.setHeader('allow', 'GET, POST');
      return sendPage(res, 405, errorPage('Method not allowed', { error: `${req.method ?? ''} is not allowed here` }));
    } catch (error) {
      if (error instanceof oidcErrors.SessionNotFound) {
        return sendPage(
          res,
          400,
          errorPage('Sign-in expired', {
            error: 'this sign-in has expired or was started in another browser',
            next: 'go back to the application and start again',
          }),
        );
      }
      if (error instanceof RequestRefused) return sendPage(res, error.status, errorPage('Request refused', { error: error.message }));
      deps.logger.error({ err: error, uid }, 'dev IdP: interaction failed');
      if (!res.headersSent) sendPage(res, 500, errorPage('Something went wrong', { error: 'internal error (see the dev IdP log)' }));
      else res.destroy();
    }
  };
}

async function showInteraction(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const interaction = await deps.provider.interactionDetails(req, res);
  assertSameInteraction(interaction, uid);
  switch (interaction.prompt.name) {
    case 'login':
      return sendPage(res, 200, loginPage(loginPageInput(interaction, uid)));
    case 'consent':
      return grantConsent(deps, req, res, interaction);
    default:
      throw new RequestRefused(400, `unsupported interaction prompt "${interaction.prompt.name}"`);
  }
}

async function submitLogin(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const origin = req.headers.origin;
  // Browsers send Origin on every POST; "null" (opaque origins) is as foreign as any other.
  if (origin !== undefined && origin !== deps.issuerOrigin) throw new RequestRefused(403, 'the form was posted from another site');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') throw new RequestRefused(415, 'expected an HTML form (application/x-www-form-urlencoded)');
  const form = await readForm(req);
  const interaction = await deps.provider.interactionDetails(req, res);
  assertSameInteraction(interaction, uid);
  if (interaction.prompt.name !== 'login') throw new RequestRefused(400, 'this sign-in is not waiting for a password');

  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const withSecurityKey = form.get('securityKey') === 'yes';
  const clientId = String(interaction.params['client_id'] ?? '');
  const again = (error: string) => sendPage(res, 200, loginPage({ ...loginPageInput(interaction, uid), username, error }));

  const user = deps.accounts.verifyPassword(username, password);
  if (user === undefined) {
    deps.logger.warn({ username, clientId }, 'dev IdP: wrong username or password');
    return again('Wrong username or password.');
  }
  const outcome = DevAccounts.authentication(user, withSecurityKey);
  if (outcome === undefined) {
    deps.logger.warn({ username, clientId }, 'dev IdP: security key asked for, but the user has none');
    return again(`${username} has no security key (add "hwk" to the user's amr in the users file), so sign in with the password alone.`);
  }
  deps.logger.info({ sub: user.sub, clientId, acr: outcome.acr, amr: outcome.amr }, 'dev IdP: user logged in');
  await deps.provider.interactionFinished(
    req,
    res,
    // remember: false → a browser-session cookie at the IdP, gone when the browser closes.
    { login: { accountId: user.sub, acr: outcome.acr, amr: [...outcome.amr], remember: false } },
    { mergeWithLastSubmission: false },
  );
}

/**
 * Consent is implied for the configured clients: grant exactly what oidc-provider reports missing
 * (scopes, claims, resource scopes) and hand the browser back.
 */
async function grantConsent(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, interaction: Interaction): Promise<void> {
  const accountId = interaction.session?.accountId;
  const clientId = interaction.params['client_id'];
  if (accountId === undefined || typeof clientId !== 'string') throw new RequestRefused(400, 'consent asked for without a signed-in user');
  const existing = interaction.grantId === undefined ? undefined : await deps.provider.Grant.find(interaction.grantId);
  const grant = existing ?? new deps.provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details;
  const missingScopes = stringArray(details['missingOIDCScope']);
  if (missingScopes.length > 0) grant.addOIDCScope(missingScopes.join(' '));
  const missingClaims = stringArray(details['missingOIDCClaims']);
  if (missingClaims.length > 0) grant.addOIDCClaims(missingClaims);
  const missingResourceScopes = details['missingResourceScopes'];
  if (missingResourceScopes !== null && typeof missingResourceScopes === 'object') {
    for (const [indicator, scopes] of Object.entries(missingResourceScopes)) grant.addResourceScope(indicator, stringArray(scopes).join(' '));
  }
  const grantId = await grant.save();
  await deps.provider.interactionFinished(req, res, { consent: existing === undefined ? { grantId } : {} }, { mergeWithLastSubmission: true });
}

function loginPageInput(interaction: Interaction, uid: string) {
  const acrValues = interaction.params['acr_values'];
  const loginHint = interaction.params['login_hint'];
  const reason = REASON_TEXT.find(([name]) => interaction.prompt.reasons.includes(name))?.[1];
  return {
    action: `${INTERACTION_PATH_PREFIX}${uid}`,
    clientId: String(interaction.params['client_id'] ?? ''),
    securityKeyRequested: typeof acrValues === 'string' && acrValues.split(' ').includes(ACR_PHISHING_RESISTANT),
    ...(typeof loginHint === 'string' ? { username: loginHint } : {}),
    ...(reason === undefined ? {} : { reason }),
  };
}

function assertSameInteraction(interaction: Interaction, uid: string): void {
  // The cookie names the browser's interaction; the URL must be that one, not another's.
  if (interaction.uid !== uid) throw new RequestRefused(400, 'this sign-in page belongs to another sign-in; start again from the application');
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_BODY_LIMIT) throw new RequestRefused(413, 'the form is too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

class RequestRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
