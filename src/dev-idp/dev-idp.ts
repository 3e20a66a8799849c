// `startDevIdp`: the bundled development OpenID Provider (oidc-provider 9) that the quickstart logs
// in with. Authorization code + PKCE (S256), ID tokens with email/name/groups/acr/amr/sid, max_age
// and prompt=login re-authentication, acr_values step-up, RP-initiated and back-channel logout,
// discovery and JWKS, demo users from a file. Everything lives in memory, signing keys included
// (new ones each start). It is NOT an identity provider for real users: passwords are plain text
// in a file and it listens on loopback unless told otherwise. Any standards IdP replaces it by
// config (authentication.providers in tenet.yaml).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, { type JWK } from 'oidc-provider';
import type { Logger } from 'pino';
import { TenetError } from '../errors.js';
import { DevAccounts } from './accounts.js';
import { isLoopbackHost } from './backchannel-delivery.js';
import { interactionHandler, isInteractionPath } from './interactions.js';
import { createMemoryStorage } from './memory-adapter.js';
import { errorPage, PAGE_HEADERS } from './pages.js';
import { providerConfiguration } from './provider-configuration.js';
import type { DevClient, DevUser } from './users-file.js';

export const DEFAULT_DEV_IDP_HOST = '127.0.0.1';
export const DEFAULT_DEV_IDP_PORT = 9400;

export interface DevIdpOptions {
  /** Issuer identifier, the URL browsers and Tenet reach the IdP at (no path). Default: http://<host>:<bound port>. */
  readonly issuer?: string;
  /** Address to listen on (default 127.0.0.1). A non-loopback address needs `allowRemote`. */
  readonly host?: string;
  /** Port to listen on (default 9400; 0 picks a free one). */
  readonly port?: number;
  readonly users: readonly DevUser[];
  readonly clients: readonly DevClient[];
  readonly logger: Logger;
  /** Allow listening on a non-loopback address (the demo users' passwords are in a file). */
  readonly allowRemote?: boolean;
  /** Extra PEM CA for back-channel logout deliveries to non-loopback https URIs. */
  readonly backchannelCa?: string;
}

export interface RunningDevIdp {
  /** Where the server actually listens, e.g. http://127.0.0.1:9400. */
  readonly url: string;
  /** The issuer identifier (`iss`), e.g. http://127.0.0.1:9400. */
  readonly issuer: string;
  readonly provider: Provider;
  stop(): Promise<void>;
}

export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const host = options.host ?? DEFAULT_DEV_IDP_HOST;
  const port = options.port ?? DEFAULT_DEV_IDP_PORT;
  checkOptions(options, host);
  const { logger } = options;
  logger.warn(
    '*** Tenet development IdP: NOT FOR PRODUCTION. Demo users with plain-text passwords, in-memory sessions, signing keys that change at every start. ***',
  );

  const signingKey = await generateSigningKey();
  // The provider is made after listening, since the default issuer names the bound port.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle === undefined) {
      res.writeHead(503, { 'retry-after': '1' }).end();
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  const issuer = (options.issuer ?? url).replace(/\/$/, '');

  let provider: Provider;
  try {
    const accounts = new DevAccounts(options.users);
    provider = new Provider(
      issuer,
      providerConfiguration({
        accounts,
        clients: options.clients,
        signingKey,
        cookieKeys: [randomBytes(32).toString('base64url')],
        storage: createMemoryStorage(),
        backchannel: options.backchannelCa === undefined ? {} : { ca: options.backchannelCa },
      }),
    );
    // An https issuer means a TLS-terminating proxy in front: believe its X-Forwarded-Proto so
    // URLs and cookie flags say https.
    if (issuer.startsWith('https://')) provider.proxy = true;
    logProviderEvents(provider, logger);

    const issuerUrl = new URL(issuer);
    const interactions = interactionHandler({ provider, accounts, issuerOrigin: issuerUrl.origin, logger });
    const oidc = provider.callback();
    handle = (req, res) => {
      // DNS rebinding, and the usual 127.0.0.1-vs-localhost mix-up (cookies would not match): only
      // the issuer's host is served.
      if (!sameHost(req.headers.host, issuerUrl)) {
        const html = errorPage('Wrong address', { error: `this IdP answers at ${issuerUrl.host} (its issuer is ${issuer})` });
        res.writeHead(421, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(html) }).end(html);
        return;
      }
      const pathname = (req.url ?? '/').split('?')[0] ?? '/';
      if (isInteractionPath(pathname)) void interactions(req, res);
      else void oidc(req, res);
    };
    logger.info(
      { issuer, url, discovery: `${issuer}/.well-known/openid-configuration`, users: options.users.length, clients: options.clients.map((client) => client.clientId) },
      'dev IdP listening',
    );
  } catch (error) {
    await closeServer(server);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    issuer,
    provider,
    stop: () => (stopping ??= closeServer(server)),
  };
}

function checkOptions(options: DevIdpOptions, host: string): void {
  if (!options.allowRemote && !isLoopbackHost(host)) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID', `the development IdP refuses to listen on ${host}, which is not a loopback address`, [
      { path: '--listen', message: `${host} is reachable from other machines; the demo users' passwords are in a plain file`, hint: 'listen on 127.0.0.1 or [::1], or pass --allow-remote if you really mean it' },
    ]);
  }
  if ((host === '0.0.0.0' || host === '::') && options.issuer === undefined) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID', `listening on every address (${host}) needs an explicit issuer`, [
      { path: '--issuer', message: 'is required with an unspecified listen address', hint: 'the URL browsers and Tenet reach the IdP at, e.g. http://devbox.internal:9400' },
    ]);
  }
  if (options.users.length === 0) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID', 'the development IdP needs at least one user', [{ path: 'users', message: 'is empty' }]);
  }
  if (options.clients.length === 0) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID', 'the development IdP needs at least one client', [
      { path: 'clients', message: 'no client is configured', hint: 'add a clients section to the users file, or pass --client-id, --client-secret and --redirect-uri' },
    ]);
  }
  if (options.issuer !== undefined) {
    let issuer: URL;
    try {
      issuer = new URL(options.issuer);
    } catch {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', `--issuer is not a URL: ${options.issuer}`, [{ path: '--issuer', message: 'expected e.g. http://127.0.0.1:9400' }]);
    }
    const problems = [
      issuer.protocol === 'http:' || issuer.protocol === 'https:' ? undefined : 'must be http:// or https://',
      issuer.pathname === '/' ? undefined : 'must not have a path (the IdP serves its endpoints at the root)',
      issuer.search === '' && issuer.hash === '' ? undefined : 'must not have a query or fragment (OIDC Discovery §3)',
      issuer.username === '' && issuer.password === '' ? undefined : 'must not contain credentials',
    ].filter((problem): problem is string => problem !== undefined);
    if (problems.length > 0) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', `--issuer ${options.issuer} is not usable`, problems.map((message) => ({ path: '--issuer', message })));
    }
  }
}

async function generateSigningKey(): Promise<JWK> {
  // RS256: the algorithm every OIDC relying party must support (OIDC Core §15.1).
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' } as JWK;
}

function sameHost(hostHeader: string | undefined, issuer: URL): boolean {
  if (hostHeader === undefined) return false;
  let requested: URL;
  try {
    requested = new URL(`${issuer.protocol}//${hostHeader}`);
  } catch {
    return false;
  }
  // URL drops default ports, so "host:80" and "host" compare equal for http.
  return requested.host.toLowerCase() === issuer.host.toLowerCase();
}

function logProviderEvents(provider: Provider, logger: Logger): void {
  // Only error descriptions and ids: never tokens, codes, cookies or secrets.
  provider.on('server_error', (_ctx, error) => logger.error({ err: error }, 'dev IdP: server error'));
  provider.on('authorization.error', (_ctx, error) => logger.warn({ error: error.error, description: error.error_description }, 'dev IdP: authorization request refused'));
  provider.on('grant.error', (_ctx, error) => logger.warn({ error: error.error, description: error.error_description }, 'dev IdP: token request refused'));
  provider.on('end_session.success', (ctx) => logger.info({ clientId: ctx.oidc.client?.clientId }, 'dev IdP: user logged out'));
  provider.on('backchannel.success', (_ctx, client, accountId, sid) =>
    logger.info({ clientId: client.clientId, sub: accountId, sid }, 'dev IdP: back-channel logout delivered'),
  );
  provider.on('backchannel.error', (_ctx, error, client, accountId, sid) =>
    logger.warn({ clientId: client.clientId, sub: accountId, sid, error: error.message }, 'dev IdP: back-channel logout delivery failed'),
  );
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
