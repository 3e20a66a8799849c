// The passkey endpoints as a table: path → handler, on the public host only (the relying party's
// origin; any other host gets 404). `handle` resolves false for paths outside /.tenet/passkeys and
// /.tenet/step-up so the proxy goes on. With passkeys off (or impossible at this public URL) only the
// step-up endpoint answers, and it sends everyone to the identity provider. An unexpected failure is
// logged without request secrets and answered 500: fail closed, nothing is strengthened.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequestFacts } from '../access/http-access.js';
import { answerJson, answerPage } from '../authenticate/http-answers.js';
import { AUTHENTICATION_OPTIONS_PATH, AUTHENTICATION_VERIFY_PATH, handleAuthenticationOptions, handleAuthenticationVerify } from './assertion-endpoints.js';
import { handleManagePage, handleRemove, REMOVE_PATH } from './management-endpoints.js';
import type { PasskeyContext, PasskeyRequest } from './passkey-context.js';
import { PAGE_SCRIPT_PATH, WEBAUTHN_SCRIPT_PATH } from './passkey-pages.js';
import { PAGE_SCRIPT } from './page-script.js';
import type { RelyingParty } from './relying-party.js';
import { handleRegistrationOptions, handleRegistrationVerify, MANAGE_PATH, REGISTRATION_OPTIONS_PATH, REGISTRATION_VERIFY_PATH } from './registration-endpoints.js';
import { handleStepUp, STEP_UP_PATH } from './step-up-endpoint.js';

export interface PasskeyEndpoints {
  /** Handles /.tenet/passkeys… and /.tenet/step-up…; resolves false for any other path (the caller then goes on). */
  handle(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts): Promise<boolean>;
}

type PasskeyRoute = (context: PasskeyContext, request: PasskeyRequest, rp: RelyingParty) => Promise<void>;

const ROUTES: ReadonlyMap<string, PasskeyRoute> = new Map([
  [MANAGE_PATH, handleManagePage],
  [REGISTRATION_OPTIONS_PATH, handleRegistrationOptions],
  [REGISTRATION_VERIFY_PATH, handleRegistrationVerify],
  [AUTHENTICATION_OPTIONS_PATH, handleAuthenticationOptions],
  [AUTHENTICATION_VERIFY_PATH, handleAuthenticationVerify],
  [REMOVE_PATH, handleRemove],
  [WEBAUTHN_SCRIPT_PATH, async (context, { res }) => answerScript(res, context.webauthnScript)],
  [PAGE_SCRIPT_PATH, async (_context, { res }) => answerScript(res, PAGE_SCRIPT)],
]);

/** True for the paths these endpoints own (the proxy never forwards them upstream). */
export function isPasskeyPath(pathname: string): boolean {
  return pathname === MANAGE_PATH || pathname.startsWith(`${MANAGE_PATH}/`) || pathname === STEP_UP_PATH || pathname.startsWith(`${STEP_UP_PATH}/`);
}

export function passkeyEndpoints(context: PasskeyContext): PasskeyEndpoints {
  return {
    async handle(req, res, facts) {
      const queryStart = facts.path.indexOf('?');
      const pathname = queryStart < 0 ? facts.path : facts.path.slice(0, queryStart);
      if (!isPasskeyPath(pathname)) return false;
      const query = new URLSearchParams(queryStart < 0 ? '' : facts.path.slice(queryStart + 1));
      const request: PasskeyRequest = { req, res, facts, query };
      const json = facts.method === 'POST';
      try {
        const route = ROUTES.get(pathname);
        if (facts.host !== context.publicHost) {
          notFound(res, json);
        } else if (pathname === STEP_UP_PATH) {
          await handleStepUp(context, request);
        } else if (route === undefined || context.rp === undefined) {
          notFound(res, json);
        } else {
          await route(context, request, context.rp);
        }
      } catch (error) {
        context.logger.error({ path: pathname, err: { message: error instanceof Error ? error.message : String(error) } }, 'passkey endpoint failed');
        if (res.headersSent) res.destroy();
        else if (json) answerJson(res, 500, { error: 'server_error', error_description: 'the passkey request failed on our side; try again in a moment' });
        else answerPage(res, 500, 'Something went wrong', [{ text: 'This page failed on our side. Please try again in a moment.' }]);
      }
      return true;
    },
  };
}

function notFound(res: ServerResponse, json: boolean): void {
  if (json) answerJson(res, 404, { error: 'not_found', error_description: 'no such endpoint here' });
  else answerPage(res, 404, 'Not found', [{ text: 'There is nothing at this address.' }]);
}

function answerScript(res: ServerResponse, source: string): void {
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(source));
  res.writeHead(200);
  res.end(source);
}
