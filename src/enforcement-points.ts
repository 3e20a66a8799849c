// Composition root for the enforcement points (NIST SP 800-207 PEPs): sessions and the decision
// cache (the Policy Administrator's state), the identity assertion signer, OIDC login, the shared
// access pipeline, and the listeners that speak to clients and proxies — the identity-aware proxy
// (which also serves forward-auth, ext_authz HTTP, login and JWKS under /.tenet/) and the ext_authz
// gRPC service. Only this file, src/runtime.ts and src/server.ts wire concrete pieces together.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { durationSeconds } from './config/duration.js';
import type { OidcProviderConfig } from './config/enforcement-schema.js';
import { resolveInput, type LoadedConfig } from './config/load.js';
import { createHttpAccess, type CachedVerdict } from './enforcement/access/authorize-http.js';
import type { HttpAccess, HttpRequestFacts } from './enforcement/access/http-access.js';
import { AssertionSigner } from './enforcement/access/identity-assertion.js';
import { renderVerdict } from './enforcement/access/render-verdict.js';
import { meteredAccess } from './enforcement/access/metered-access.js';
import { RouteTable } from './enforcement/access/route-table.js';
import { startAuthentication } from './enforcement/authenticate/index.js';
import { extAuthzHttpHandler, startExtAuthzGrpc } from './enforcement/ext-authz/index.js';
import { forwardAuthHandler } from './enforcement/forward-auth/index.js';
import { startPasskeys } from './enforcement/passkeys/index.js';
import { generateSelfSignedCertificate, startProxy } from './enforcement/proxy/index.js';
import type { Runtime } from './runtime.js';
import type { RunningDeviceIdentity } from './device-identity.js';
import { deviceEndpoints } from './enforcement/device-enrollment/device-endpoints.js';
import { DecisionCache } from './sessions/decision-cache.js';
import { ContinuousVerifier } from './continuous/continuous-verifier.js';
import type { SignalChanges } from './continuous/signal-change.js';
import { LiveConnections } from './enforcement/proxy/live-connections.js';
import { Sessions } from './sessions/sessions.js';

export interface RunningEnforcement {
  /** The proxy's bound URL (when a proxy is configured). */
  readonly proxyUrl?: string;
  /** The ext_authz gRPC port (when configured). */
  readonly grpcPort?: number;
  readonly sessions: Sessions;
  readonly access: HttpAccess;
  readonly signer: AssertionSigner;
  stop(): Promise<void>;
}

/** How often expired and revoked sessions are deleted from the store. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Starts the configured enforcement points; undefined when neither a proxy nor ext_authz gRPC is configured. */
export async function startEnforcementPoints(
  runtime: Runtime,
  options: {
    readonly storePath: string;
    readonly logger: Logger;
    readonly metricsRegistry?: Registry;
    readonly clock?: () => Date;
    readonly devices?: RunningDeviceIdentity;
    /** Continuous verification: signal changes (sessions, subjects, devices, networks, reloads) the verifier acts on. */
    readonly signalChanges?: SignalChanges;
  },
): Promise<RunningEnforcement | undefined> {
  const { loaded } = runtime;
  const { config } = loaded;
  const { logger } = options;
  if (config.proxy === undefined && config.extAuthz.grpcListen === undefined) return undefined;
  const publicUrl = config.proxy?.publicUrl ?? config.api.publicUrl ?? `http://${config.listen}`;
  const clock = options.clock ?? (() => new Date());
  const { devices } = options;
  const stops: (() => Promise<void>)[] = [];
  try {
    const sessionSettings = config.authentication.session;
    const sessions = new Sessions(
      runtime.store.sessions,
      { cookieName: sessionSettings.cookieName, idleTimeoutSeconds: durationSeconds(sessionSettings.idleTimeout), absoluteTimeoutSeconds: durationSeconds(sessionSettings.absoluteTimeout) },
      clock,
    );
    const cache = new DecisionCache<CachedVerdict>(config.proxy?.decisionCache.maxEntries ?? 10_000);
    const signer = await assertionSigner(loaded, options.storePath, publicUrl, clock);
    const routes = new RouteTable(config.routes);
    const publicHost = new URL(publicUrl).host.toLowerCase();

    const authentication =
      config.authentication.providers.length === 0
        ? undefined
        : await startAuthentication({
            config: config.authentication,
            publicUrl,
            sessions,
            store: runtime.store.sessions,
            returnToAllowed: (url) => (url.protocol === 'https:' || url.protocol === 'http:') && (url.host.toLowerCase() === publicHost || routes.knowsHost(url.host)),
            readSecret: (provider) => clientSecret(loaded, provider),
            logger,
            clock,
          });
    if (authentication !== undefined) stops.push(() => authentication.close());
    // ── passkeys (src/enforcement/passkeys): registration at /.tenet/passkeys and the step-up page
    // at /.tenet/step-up, on the public host; the same return-address rule as the login endpoints.
    const passkeys = startPasskeys({
      config: config.authentication,
      publicUrl,
      sessions,
      passkeys: runtime.store.passkeys,
      returnToAllowed: (url) => (url.protocol === 'https:' || url.protocol === 'http:') && (url.host.toLowerCase() === publicHost || routes.knowsHost(url.host)),
      logger,
      clock,
    });
    // ── end passkeys

    const decided = createHttpAccess({
      routes,
      decisionPoint: runtime.pdp,
      sessions,
      ...(authentication !== undefined && config.authentication.bearerTokens ? { bearer: authentication.bearer } : {}),
      signer,
      cache,
      publicUrl,
      assertionHeader: config.proxy?.assertionHeader ?? 'X-Tenet-Assertion',
      ...(devices === undefined ? {} : { deviceCertificates: devices.verifier }),
      clock,
    });
    const access = options.metricsRegistry === undefined ? decided : meteredAccess(decided, options.metricsRegistry);
    const trustedProxies = config.proxy?.trustedProxies ?? ['127.0.0.1/32', '::1/128'];
    // Routes, proxies and providers are read at start: changing them needs a restart (a reload re-reads policies and signals).
    const clientCertificateHeader = config.proxy?.clientCertificateHeader ?? 'X-Tenet-Client-Cert';
    const forwardAuth = forwardAuthHandler({ access, trustedProxies, renderVerdict, logger, clientCertificateHeader });
    const extAuthzHttp = extAuthzHttpHandler({
      access,
      trustedProxies,
      renderVerdict,
      logger,
      pathPrefix: config.extAuthz.httpPathPrefix,
      assertionHeader: config.proxy?.assertionHeader ?? 'X-Tenet-Assertion',
      // No clientCertificateHeader: the documented Envoy config lets client headers through to the
      // HTTP check, so a certificate there could be the client's own claim. Envoy users pass
      // device certificates over gRPC (attributes.source.certificate), which Envoy fills itself.
    });
    // Device enrollment, signed posture reports, the CA certificate and CRL, the approval page.
    const deviceRequests =
      devices === undefined
        ? undefined
        : deviceEndpoints({
            service: devices.service,
            publicUrl,
            currentSession: async (facts) => {
              const secret = sessions.readCookie(facts.cookie);
              return secret === undefined ? undefined : sessions.resume(secret, facts.host);
            },
            logger,
          });
    const jwks = JSON.stringify(signer.jwks());

    const reserved = async (req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts): Promise<boolean> => {
      const path = facts.path.split('?', 1)[0] ?? '';
      if (path === '/.tenet/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' }).end(jwks);
        return true;
      }
      if (path === '/.tenet/forward-auth') {
        await forwardAuth(req, res);
        return true;
      }
      if (path === config.extAuthz.httpPathPrefix || path.startsWith(`${config.extAuthz.httpPathPrefix}/`)) {
        await extAuthzHttp(req, res);
        return true;
      }
      if (deviceRequests !== undefined && (await deviceRequests.handle(req, res, facts))) return true;
      // ── passkeys: /.tenet/passkeys… and /.tenet/step-up…
      if (await passkeys.handle(req, res, facts)) return true;
      // ── end passkeys
      return authentication === undefined ? false : authentication.endpoints.handle(req, res, facts);
    };

    // ── continuous verification (src/continuous): each signal change drops the cached decisions made
    // with that signal and re-checks (or cuts) the live connections they admitted; each connection
    // is also re-checked as its admitting decision's reevaluateAfterSeconds says.
    const liveConnections = new LiveConnections();
    const verifier = new ContinuousVerifier({ cache, connections: liveConnections, forgetSessions: (ids) => sessions.forget(ids), logger });
    const unsubscribeVerifier = (options.signalChanges ?? runtime.signalChanges).subscribe(async (change) => {
      await verifier.handle(change);
    });
    stops.push(async () => {
      unsubscribeVerifier();
      verifier.stop();
    });
    const continuousProxyDeps = { connections: liveConnections, recheck: (facts: HttpRequestFacts) => decided.recheck(facts, 'proxy') };
    // ── end continuous verification

    let proxyUrl: string | undefined;
    const unsubscribers: (() => void)[] = [];
    if (config.proxy !== undefined) {
      const proxyConfig = config.proxy;
      const tls = await proxyTls(loaded, options.storePath, publicHost, routes);
      // With device identity, the TLS listener asks clients for a certificate from the device CA.
      const clientCertificates = devices === undefined ? undefined : { ca: devices.trustAnchorsPem.join('\n') };
      const proxy = await startProxy({
        config: proxyConfig,
        ...(tls === undefined ? {} : { tls: { ...tls, ...(clientCertificates === undefined ? {} : { clientCertificates }) } }),
        access,
        renderVerdict,
        reserved,
        sessionCookieName: sessionSettings.cookieName,
        routes: () => routes.routes,
        ...continuousProxyDeps, // continuous verification
        upstreamCa: (route) => (route.upstreamCa === undefined ? undefined : readFileSync(resolveInput(loaded, route.upstreamCa))),
        logger,
      });
      stops.push(() => proxy.stop());
      proxyUrl = proxy.url;
      unsubscribers.push(sessions.onRevoked((ids) => ids.forEach((id) => proxy.connections.closeSession(id))));
    }
    // A revoked session's cached decisions go at once (NIST SP 800-207 §2.1 tenet 6).
    unsubscribers.push(sessions.onRevoked((ids) => ids.forEach((id) => cache.invalidateSession(id))));
    // …and everyone else follows through the bus (live connections re-checked, CAEP session-revoked transmitted).
    const bus = options.signalChanges ?? runtime.signalChanges;
    unsubscribers.push(
      sessions.onRevoked((ids, reason) => {
        bus.publish({ kind: 'sessions', sessionIds: ids, reason }).catch((error: unknown) => logger.error({ err: error }, 'publishing a session revocation failed'));
      }),
    );
    // ── passkeys: a strengthened login's cached decisions go at once, so its next request is decided with the new authentication.
    unsubscribers.push(sessions.onAuthnChanged((ids) => ids.forEach((id) => cache.invalidateSession(id))));
    // ── end passkeys
    let grpcPort: number | undefined;
    if (config.extAuthz.grpcListen !== undefined) {
      const grpc = await startExtAuthzGrpc({ listen: config.extAuthz.grpcListen, access, renderVerdict, logger, trustedPeers: trustedProxies, assertionHeader: config.proxy?.assertionHeader ?? 'X-Tenet-Assertion' });
      stops.push(() => grpc.stop());
      grpcPort = grpc.port;
    }
    const purge = setInterval(() => {
      runtime.store.sessions.purge(clock().toISOString()).catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'session purge failed'));
    }, PURGE_INTERVAL_MS);
    purge.unref();
    stops.push(async () => clearInterval(purge));
    stops.push(async () => unsubscribers.forEach((unsubscribe) => unsubscribe()));
    logger.info({ proxyUrl, publicUrl, grpcPort, routes: config.routes.length, providers: config.authentication.providers.map((provider) => provider.id), assertionKeyId: signer.keyId }, 'enforcement points are serving');
    return {
      ...(proxyUrl === undefined ? {} : { proxyUrl }),
      ...(grpcPort === undefined ? {} : { grpcPort }),
      sessions,
      access,
      signer,
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: readonly (() => Promise<void>)[]): Promise<void> {
  for (const stop of [...stops].reverse()) await stop();
}

/** The assertion key: configured file, else assertion-signing-key.pem beside the database (generated once), else (in-memory store) ephemeral. */
async function assertionSigner(loaded: LoadedConfig, storePath: string, issuer: string, clock: () => Date): Promise<AssertionSigner> {
  const configured = loaded.config.proxy?.assertionKey;
  if (configured !== undefined) return AssertionSigner.fromPem(readFileSync(resolveInput(loaded, configured), 'utf8'), issuer, clock);
  if (storePath === ':memory:') return AssertionSigner.ephemeral(issuer, clock);
  return AssertionSigner.fromFile(resolve(dirname(storePath), 'assertion-signing-key.pem'), issuer, clock);
}

async function proxyTls(loaded: LoadedConfig, storePath: string, publicHost: string, routes: RouteTable): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  const tls = loaded.config.proxy?.tls;
  if (tls === undefined) return undefined;
  if (tls === 'self-signed') {
    const hosts = [publicHost, ...routes.routes.map((route) => route.host)].map((host) => host.replace(/:\d+$/, '')).filter((host) => host !== '*');
    const dir = storePath === ':memory:' ? resolve('data') : dirname(storePath);
    const { certPath, keyPath } = await generateSelfSignedCertificate([...new Set(hosts)], dir);
    return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  }
  return { cert: readFileSync(resolveInput(loaded, tls.cert)), key: readFileSync(resolveInput(loaded, tls.key)) };
}

function clientSecret(loaded: LoadedConfig, provider: OidcProviderConfig): string | undefined {
  if (provider.clientSecret !== undefined) return provider.clientSecret;
  if (provider.clientSecretFile !== undefined) return readFileSync(resolveInput(loaded, provider.clientSecretFile), 'utf8').trim();
  if (provider.clientSecretEnv !== undefined) return process.env[provider.clientSecretEnv];
  return undefined;
}
