// Caller authentication for protected routes: an onRequest hook per scope (`pdp` for /access/v1/*,
// `admin` for /admin/v1/* and /metrics). It runs before the body is read, so an unauthenticated
// caller cannot make the server parse a large body. Failures are 401 with `WWW-Authenticate`
// (RFC 6750 §3; AuthZEN 1.0 "Sender Authentication Failure"), a valid caller without the scope gets 403
// `insufficient_scope`.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { TenetError, isTenetError } from '../errors.js';
import type { ApiScope, Store } from '../store/ports.js';
import { verifyClientCertificate, type PeerSocket } from './auth-mtls.js';
import { verifyBearerToken } from './auth-token.js';
import type { ApiCaller } from './caller.js';
import type { ApiAuthSettings } from './deps.js';

const REALM = 'tenet';

const LOOPBACK_CALLER: ApiCaller = { name: 'loopback', scopes: ['pdp', 'admin', 'ssf'], via: 'none' };

async function authenticate(request: FastifyRequest, settings: ApiAuthSettings, store: Store): Promise<ApiCaller> {
  switch (settings.mode) {
    case 'none':
      return LOOPBACK_CALLER;
    case 'token':
      return verifyBearerToken(request.headers.authorization, settings.staticTokens, store.apiTokens);
    case 'mtls':
      return verifyClientCertificate(request.raw.socket as PeerSocket, settings.clients);
  }
}

/** RFC 6750 §3: tell a bearer client what went wrong; mTLS has no challenge scheme to offer. */
function challenge(reply: FastifyReply, settings: ApiAuthSettings, error: TenetError | undefined, scope: ApiScope): void {
  if (settings.mode !== 'token') return;
  if (error === undefined) {
    reply.header('www-authenticate', `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`);
  } else if (error.code === 'TENET_ERR_AUTH_MISSING_CREDENTIALS') {
    reply.header('www-authenticate', `Bearer realm="${REALM}"`);
  } else {
    reply.header('www-authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
  }
}

/** The onRequest hook that admits only callers holding `scope`. */
export function requireScope(scope: ApiScope, settings: ApiAuthSettings, store: Store): onRequestAsyncHookHandler {
  return async function authenticateCaller(request, reply) {
    let caller: ApiCaller;
    try {
      caller = await authenticate(request, settings, store);
    } catch (error) {
      if (isTenetError(error) && error.code.startsWith('TENET_ERR_AUTH_')) challenge(reply, settings, error, scope);
      throw error;
    }
    if (!caller.scopes.includes(scope)) {
      challenge(reply, settings, undefined, scope);
      throw new TenetError('TENET_ERR_AUTH_INSUFFICIENT_SCOPE', `This endpoint requires the "${scope}" scope.`);
    }
    request.caller = caller;
  };
}
