// Forward-auth PEP for nginx auth_request, Caddy forward_auth and Traefik ForwardAuth
// (docs/integrations/). The lead mounts `forwardAuthHandler` at /.tenet/forward-auth.
export { DEFAULT_CLIENT_CERTIFICATE_HEADER, forwardAuthHandler, UNTRUSTED_CALLER_MESSAGE, type ForwardAuthDeps } from './handler.js';
export { DECISION_HEADER, LOGIN_HEADER } from './forward-auth-answer.js';
export type { Answer, HeaderValues, RenderedVerdict, RenderVerdict } from './answer.js';
export { trustedPeers, canonicalIp, type TrustedPeerTest } from '../access/trusted-peers.js';
