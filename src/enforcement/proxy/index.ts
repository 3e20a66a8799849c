// The identity-aware reverse proxy's public surface (see start-proxy.ts for the request pipeline).
export { startProxy, type ProxyDeps, type RunningProxy, type Refusal } from './start-proxy.js';
export { requestFacts } from './request-facts.js';
export { generateSelfSignedCertificate, SELF_SIGNED_CERT_FILE, SELF_SIGNED_KEY_FILE } from './self-signed-certificate.js';
export { LiveConnections, type LiveConnection } from './live-connections.js';
export { FORGEABLE_IDENTITY_HEADERS } from './forgeable-identity-headers.js';
export { clientCertificateServerOptions, type ClientCertificateTls } from './tls-client-certificate.js';
export { LOGIN_COOKIE_NAME } from './tenet-cookies.js';
