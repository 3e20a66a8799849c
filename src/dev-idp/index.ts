// The bundled development IdP (`tenet dev-idp`): what the CLI, the quickstart and tests use.
export { startDevIdp, DEFAULT_DEV_IDP_HOST, DEFAULT_DEV_IDP_PORT, type DevIdpOptions, type RunningDevIdp } from './dev-idp.js';
export { loadDevIdpFile, parseDevIdpFile, parseDevClient, type DevClient, type DevIdpFile, type DevUser } from './users-file.js';
export { ACR_PASSWORD, ACR_PHISHING_RESISTANT } from './accounts.js';
