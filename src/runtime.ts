// Composition root for everything that decides: the store, the decision log on top of it, and the
// PDP. `tenet serve` adds the HTTP API (src/server.ts); `tenet check`, `tenet policy test` and the
// tests use this directly. Only this file and src/server.ts wire concrete pieces together.
import { existsSync, readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { dirname, resolve } from 'node:path';
import { AuditLog, loadOrCreateAuditKey, loadOrCreateAuditKeyFile, type AuditSigningKey } from './audit/index.js';
import { durationSeconds } from './config/duration.js';
import { resolveInput, type LoadedConfig } from './config/load.js';
import { PolicyDecisionPoint } from './pdp/service.js';
import { SignalChanges } from './continuous/signal-change.js';
import { startBehaviour } from './signals/behaviour/index.js';
import { TenetError } from './errors.js';
import { openSqliteStore } from './store/sqlite/index.js';
import type { Store } from './store/ports.js';

export interface RuntimeOptions {
  /** Overrides `store.path` (e.g. `:memory:` for golden tests). */
  readonly storePath?: string;
  readonly logger?: Logger;
  readonly clock?: () => Date;
}

export interface Runtime {
  readonly loaded: LoadedConfig;
  readonly store: Store;
  readonly auditLog: AuditLog;
  readonly auditKey: AuditSigningKey;
  readonly pdp: PolicyDecisionPoint;
  readonly logger: Logger;
  /**
   * Continuous verification's bus (src/continuous): whoever changes a signal publishes, after the
   * decision point's signals were refreshed; caches, live connections and CAEP transmission follow.
   */
  readonly signalChanges: SignalChanges;
  /** Flushes the decision log (signing a final checkpoint) and closes the store. */
  close(): Promise<void>;
}

export async function openRuntime(loaded: LoadedConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? pino({ level: loaded.config.logging.level });
  const storePath = options.storePath ?? loaded.config.store.path;
  const store = await openSqliteStore({ path: storePath });
  try {
    const { audit } = loaded.config;
    const auditKey = await loadAuditKey(loaded, store, storePath);
    const auditLog = await AuditLog.open({
      store: store.audit,
      signingKey: auditKey,
      checkpointEvery: audit.checkpointEvery,
      checkpointIntervalMs: durationSeconds(audit.checkpointInterval) * 1000,
      maxQueue: audit.maxQueue,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      onError: (error) => logger.error({ code: error.code, err: error.message }, 'decision log write failed'),
    });
    // Behaviour analytics: baselines from the decision log, then updated by every decision.
    const behaviour = await startBehaviour({ config: loaded.config.behaviour, baseDir: loaded.baseDir, audit: store.audit, logger, ...(options.clock === undefined ? {} : { clock: options.clock }) });
    const pdp = await PolicyDecisionPoint.start({
      loaded,
      store,
      log: auditLog,
      logger,
      ...(behaviour === undefined ? {} : { behaviour: behaviour.analytics }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    const signalChanges = new SignalChanges((error, change) => logger.error({ err: error, change: change.kind, reason: change.reason }, 'a signal change listener failed'));
    return {
      loaded,
      store,
      auditLog,
      auditKey,
      pdp,
      logger,
      signalChanges,
      async close() {
        try {
          await behaviour?.webhook?.drain();
          await auditLog.close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The checkpoint signing key: the configured file (`audit.signingKey`); else, for a file database,
 * `audit-signing-key.pem` beside it (generated once, mode 0600); else (in-memory store) a key in
 * the settings store, which lives exactly as long as the log it signs.
 */
export async function loadAuditKey(loaded: LoadedConfig, store: Store, storePath: string, options: { readonly create: boolean } = { create: true }): Promise<AuditSigningKey> {
  const configured = loaded.config.audit.signingKey;
  if (configured !== undefined) return loadOrCreateAuditKey(store.settings, readFileSync(resolveInput(loaded, configured), 'utf8'));
  if (storePath === ':memory:') return loadOrCreateAuditKey(store.settings);
  const path = auditKeyPath(storePath);
  if (!options.create && !existsSync(path)) {
    throw new TenetError('TENET_ERR_AUDIT_KEY_MISSING', `no audit signing key at ${path}`, [
      { path, message: 'the key is created when `tenet serve` first runs on this database', hint: 'pass the verification key with --public-key' },
    ]);
  }
  return loadOrCreateAuditKeyFile(path);
}

/** Where a generated signing key lives for a file database. */
export function auditKeyPath(storePath: string): string {
  return resolve(dirname(storePath), 'audit-signing-key.pem');
}
