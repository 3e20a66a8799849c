// `tenet serve`: the runtime (store, decision log, PDP) plus the HTTP API, listening. Reloads on
// SIGHUP; on SIGINT/SIGTERM stops accepting requests, flushes the decision log (signing a final
// checkpoint) and closes the store.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { buildApiServer } from './api/server.js';
import type { ApiAuthSettings } from './api/deps.js';
import { resolveInput, type LoadedConfig } from './config/load.js';
import { parseDevices } from './signals/devices/index.js';
import { parseEntities } from './signals/identity/index.js';
import { parseThreatIndicators, startThreatFeeds } from './signals/threat-intel/index.js';
import { openRuntime, type Runtime } from './runtime.js';
import { startEnforcementPoints, type RunningEnforcement } from './enforcement-points.js';
import { openDeviceIdentity, type RunningDeviceIdentity } from './device-identity.js';
import { registerSharedSignalsReceiver, startSharedSignalsTransmitter, type RunningSharedSignals, type SharedSignalsReceiverSlot } from './shared-signals.js';
import { Sessions } from './sessions/sessions.js';
import { durationSeconds } from './config/duration.js';

export interface RunningServer {
  readonly runtime: Runtime;
  readonly api: FastifyInstance;
  /** The address actually bound, e.g. `http://127.0.0.1:8180`. */
  readonly url: string;
  /** The proxy / forward-auth / ext_authz listeners, when configured. */
  readonly enforcement: RunningEnforcement | undefined;
  stop(): Promise<void>;
}

export interface ServeOptions {
  readonly logger?: Logger;
  /** Install SIGHUP/SIGINT/SIGTERM handlers (the CLI does; tests do not). */
  readonly handleSignals?: boolean;
}

export async function serve(loaded: LoadedConfig, options: ServeOptions = {}): Promise<RunningServer> {
  const runtime = await openRuntime(loaded, options.logger === undefined ? {} : { logger: options.logger });
  const { config } = loaded;
  const { logger } = runtime;
  for (const warning of loaded.warnings) logger.warn(warning);
  const [host, port] = splitListen(config.listen);
  const tls = config.api.tls;
  const scheme = tls ? 'https' : 'http';
  // One registry for the API's and the enforcement points' metrics, served on the API's /metrics.
  const metricsRegistry = new Registry();
  let devices: RunningDeviceIdentity | undefined;
  // Threat feeds fetched from URLs, and file feeds with a refresh schedule (all are also read at start and reload).
  const feeds = startThreatFeeds({
    feeds: config.signals.threatIntel,
    baseDir: loaded.baseDir,
    store: runtime.store,
    logger: logger.child({ component: 'threat-feeds' }),
    onChanged: async (change) => {
      // Removals matter to the indexes too; only additions can turn an allow into a deny.
      await runtime.pdp.refreshSignals();
      if (change.prefixes.length > 0) await runtime.signalChanges.publish({ kind: 'network', prefixes: change.prefixes, reason: `threat feed ${change.source} updated` });
      // Domains are matched against the request's host: the decisions they touch are not indexed by host, so all are re-checked.
      if (change.domains.length > 0) await runtime.signalChanges.publish({ kind: 'all', reason: `threat feed ${change.source} listed ${change.domains.length} domain(s)` });
    },
  });
  try {
    devices = await openDeviceIdentity(runtime, { storePath: config.store.path });
  } catch (error) {
    feeds.stop();
    await runtime.close();
    throw error;
  }
  let api: FastifyInstance;
  let sharedSignals: RunningSharedSignals | undefined;
  let receiverSlot: SharedSignalsReceiverSlot | undefined;
  try {
    api = await buildApiServer({
      metricsRegistry,
      decisionPoint: runtime.pdp,
      store: runtime.store,
      auth: apiAuth(loaded),
      limits: { bodyBytes: config.api.bodyLimitBytes, maxEvaluations: config.api.maxEvaluations },
      logger,
      importers: { parseEntities, parseDevices, parseThreatIndicators },
      policies: { policyIds: () => runtime.pdp.policySet().ids },
      publicBaseUrl: config.api.publicUrl ?? `${scheme}://${config.listen}`,
      ...(devices === undefined ? {} : { devices: devices.service }),
      signalChanges: runtime.signalChanges,
      ...(tls
        ? {
            tls: {
              cert: readFileSync(resolveInput(loaded, tls.cert)),
              key: readFileSync(resolveInput(loaded, tls.key)),
              ...(tls.clientCa ? { ca: readFileSync(resolveInput(loaded, tls.clientCa)) } : {}),
            },
          }
        : {}),
    });
    const apiBaseUrl = config.api.publicUrl ?? `${scheme}://${config.listen}`;
    sharedSignals = await startSharedSignalsTransmitter(runtime, api, { storePath: config.store.path, auth: apiAuth(loaded), issuer: apiBaseUrl });
    receiverSlot = await registerSharedSignalsReceiver(runtime, api, { apiBaseUrl });
    await api.listen({ host, port });
  } catch (error) {
    await sharedSignals?.stop();
    await devices?.stop();
    feeds.stop();
    await runtime.close();
    throw error;
  }
  let enforcement: RunningEnforcement | undefined;
  let receiver: RunningSharedSignals | undefined;
  try {
    enforcement = await startEnforcementPoints(runtime, { storePath: config.store.path, logger, metricsRegistry, ...(devices === undefined ? {} : { devices }) });
    // CAEP events end sessions: the receiver needs the enforcement points' sessions, or — without a
    // proxy — its own view of the same store.
    receiver = receiverSlot?.start(enforcement?.sessions ?? standaloneSessions(runtime));
  } catch (error) {
    await enforcement?.stop();
    await sharedSignals?.stop();
    await devices?.stop();
    feeds.stop();
    await api.close();
    await runtime.close();
    throw error;
  }
  const address = api.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.info({ url, policyVersion: runtime.pdp.policyVersion(), auditKeyId: runtime.auditKey.keyId }, 'tenet is serving');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await receiver?.stop();
      await enforcement?.stop();
      await sharedSignals?.stop();
      await devices?.stop();
      feeds.stop();
      await api.close();
      await runtime.close();
    })();
    return stopping;
  };

  if (options.handleSignals) {
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: reloading');
      void runtime.pdp.reload().then(async (result) => {
        if (result.ok) await runtime.signalChanges.publish({ kind: 'all', reason: `reload (SIGHUP) to policy set ${result.policyVersion}` });
      });
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { runtime, api, url, enforcement, stop };
}

function apiAuth(loaded: LoadedConfig): ApiAuthSettings {
  const { api } = loaded.config;
  if (api.auth === 'none') return { mode: 'none' };
  if (api.auth === 'mtls') return { mode: 'mtls', clients: api.mtlsClients };
  return { mode: 'token', staticTokens: api.tokens };
}

function splitListen(listen: string): [string, number] {
  const at = listen.lastIndexOf(':');
  return [listen.slice(0, at).replace(/^\[|\]$/g, ''), Number(listen.slice(at + 1))];
}

/** Sessions over the store for a Tenet without enforcement points (the CAEP receiver still ends them). */
function standaloneSessions(runtime: Runtime): Sessions {
  const settings = runtime.loaded.config.authentication.session;
  const sessions = new Sessions(runtime.store.sessions, { cookieName: settings.cookieName, idleTimeoutSeconds: durationSeconds(settings.idleTimeout), absoluteTimeoutSeconds: durationSeconds(settings.absoluteTimeout) });
  sessions.onRevoked((ids, reason) => {
    runtime.signalChanges.publish({ kind: 'sessions', sessionIds: ids, reason }).catch((error: unknown) => runtime.logger.error({ err: error }, 'publishing a session revocation failed'));
  });
  return sessions;
}
