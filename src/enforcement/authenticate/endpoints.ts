// The login endpoints as a table: path on any proxy host → handler. `handle` resolves false for
// any other path so the proxy goes on with the request. An unexpected failure (store down, provider
// unreachable) is answered with a plain error and logged without request secrets: fail closed, no
// session is created.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequestFacts } from '../access/http-access.js';
import { BACKCHANNEL_LOGOUT_PATH, handleBackchannelLogout } from './backchannel-logout-endpoint.js';
import { handleCallback } from './callback-endpoint.js';
import type { EndpointContext, EndpointHandler } from './endpoint-context.js';
import { HANDOFF_PATH, handleHandoff } from './handoff-endpoint.js';
import { answerJson, answerPage } from './http-answers.js';
import { CALLBACK_PATH, handleLogin, LOGIN_PATH } from './login-endpoint.js';
import { handleLoggedOut, handleLogout, LOGGED_OUT_PATH, LOGOUT_PATH } from './logout-endpoint.js';

export interface LoginEndpoints {
  /** Handles the login paths on the proxy listener; resolves false when the path is not one of them (the caller then goes on). */
  handle(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts): Promise<boolean>;
}

const ROUTES: ReadonlyMap<string, EndpointHandler> = new Map([
  [LOGIN_PATH, handleLogin],
  [CALLBACK_PATH, handleCallback],
  [HANDOFF_PATH, handleHandoff],
  [LOGOUT_PATH, handleLogout],
  [LOGGED_OUT_PATH, handleLoggedOut],
  [BACKCHANNEL_LOGOUT_PATH, handleBackchannelLogout],
]);

/** Every path the login endpoints answer (the proxy never forwards these upstream). */
export const LOGIN_ENDPOINT_PATHS: readonly string[] = [...ROUTES.keys()];

export function loginEndpoints(context: EndpointContext): LoginEndpoints {
  return {
    async handle(req, res, facts) {
      const queryStart = facts.path.indexOf('?');
      const pathname = queryStart < 0 ? facts.path : facts.path.slice(0, queryStart);
      const handler = ROUTES.get(pathname);
      if (handler === undefined) return false;
      const query = new URLSearchParams(queryStart < 0 ? '' : facts.path.slice(queryStart + 1));
      try {
        await handler(context, { req, res, facts, query });
      } catch (error) {
        context.logger.error({ path: pathname, err: { message: error instanceof Error ? error.message : String(error) } }, 'login endpoint failed');
        if (res.headersSent) {
          res.destroy();
        } else if (pathname === BACKCHANNEL_LOGOUT_PATH) {
          // Back-Channel Logout 1.0 §2.8: a logout that failed is answered 400.
          answerJson(res, 400, { error: 'invalid_request', error_description: 'the logout could not be completed' });
        } else {
          answerPage(res, 500, 'Something went wrong', [{ text: 'Signing in or out failed on our side. Please try again in a moment.' }]);
        }
      }
      return true;
    },
  };
}
