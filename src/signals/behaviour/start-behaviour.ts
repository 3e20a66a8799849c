// Starts behaviour analytics from `behaviour` in tenet.yaml: opens the GeoIP database (or says at
// start that impossible-travel detection is off), reads the webhook secret, builds the baselines
// from the decision log, and returns the service the decision point is given
// (PdpOptions.behaviour). Undefined when `behaviour.enabled` is false.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { BehaviourConfig } from '../../config/behaviour-schema.js';
import { durationSeconds } from '../../config/duration.js';
import { TenetError } from '../../errors.js';
import type { AuditStore } from '../../store/ports.js';
import { AlertWebhook } from './alert-webhook.js';
import { BehaviourAlerts } from './behaviour-alerts.js';
import { BehaviourAnalytics } from './behaviour-analytics.js';
import { behaviourSettingsFrom } from './behaviour-settings.js';
import { buildBaselines } from './build-baselines.js';
import { openMaxMindLocator, type GeoLocator } from './geo-locator.js';

export interface StartBehaviourOptions {
  readonly config: BehaviourConfig;
  /** Relative paths in config (the GeoIP database, the secret file) resolve against this. */
  readonly baseDir: string;
  readonly audit: AuditStore;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** Replaces the MaxMind database (tests). */
  readonly locator?: GeoLocator;
  /** Passed to the webhook (tests: no real waiting between retries). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface BehaviourService {
  readonly analytics: BehaviourAnalytics;
  /** The webhook, when configured: `drain()` at shutdown delivers what is queued. */
  readonly webhook: AlertWebhook | undefined;
}

export async function startBehaviour(options: StartBehaviourOptions): Promise<BehaviourService | undefined> {
  const { config, logger } = options;
  if (!config.enabled) {
    logger.info('behaviour analytics disabled (behaviour.enabled: false)');
    return undefined;
  }
  const settings = behaviourSettingsFrom(config);
  const locator = options.locator ?? (config.geoip.database === undefined ? undefined : await openMaxMindLocator(resolve(options.baseDir, config.geoip.database)));
  if (locator === undefined) logger.warn('behaviour: no GeoIP database (behaviour.geoip.database); impossible-travel detection is off');
  const hook = config.alerts.webhook;
  const webhook = hook === undefined
    ? undefined
    : new AlertWebhook({
        url: hook.url,
        secret: readSecret(hook.secret, options.baseDir),
        timeoutMs: durationSeconds(hook.timeout) * 1000,
        retries: hook.retries,
        logger,
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
  const alerts = new BehaviourAlerts(settings.alertCooldownMs, settings.maxSubjects * 5, logger, webhook);
  const analytics = new BehaviourAnalytics({ settings, alerts, ...(locator === undefined ? {} : { locator }) });
  const now = options.clock?.() ?? new Date();
  const built = await buildBaselines(analytics, options.audit, now, { windowMs: settings.historyWindowMs, maxRecords: settings.historyMaxRecords });
  logger.info({ records: built.records, skipped: built.skipped, subjects: analytics.subjects(), geoip: locator !== undefined, webhook: webhook !== undefined }, 'behaviour baselines built from the decision log');
  return { analytics, webhook };
}

function readSecret(ref: { readonly file?: string | undefined; readonly env?: string | undefined }, baseDir: string): string {
  const path = 'behaviour.alerts.webhook.secret';
  let secret: string | undefined;
  if (ref.file !== undefined) {
    try {
      secret = readFileSync(resolve(baseDir, ref.file), 'utf8').trim();
    } catch (error) {
      throw new TenetError('TENET_ERR_CONFIG_SECRET_UNREADABLE', `${path}: cannot read ${ref.file}: ${(error as Error).message}`, [{ path, message: 'the secret file cannot be read' }]);
    }
  } else if (ref.env !== undefined) {
    secret = process.env[ref.env]?.trim();
  }
  if (secret === undefined || secret.length < 16) {
    throw new TenetError('TENET_ERR_CONFIG_SECRET_MISSING', `${path}: the webhook secret is missing or shorter than 16 characters`, [{ path, message: 'give a secret of at least 16 characters', hint: 'e.g. openssl rand -hex 32 > webhook-secret' }]);
  }
  return secret;
}
