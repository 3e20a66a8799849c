// Threat feeds on a schedule: URL feeds are fetched at start and every `refresh` (default 1h) with
// conditional requests; file feeds are read by the PDP at start and on reload, and also every
// `refresh` when one is set. Each successful read replaces the source's list in the store (the
// feed is the complete current list) — unless nothing changed, which writes nothing. A fetch or
// parse that fails keeps the last good list (stale intelligence beats none; the failure is logged
// and kept in the feed state). After a change, `onChanged` hears which prefixes and domains were
// added or changed, so continuous verification can re-check the decisions they now affect; the
// caller must refresh the PDP's indexes there (a removal alone also calls it, with empty lists).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { TenetConfig } from '../../config/schema.js';
import { parseDuration } from '../../config/duration.js';
import { TenetError } from '../../errors.js';
import type { Store, ThreatFeedState, ThreatIndicator } from '../../store/ports.js';
import { readThreatFile, threatFormatFor } from './feed-file.js';
import { fetchFeed, redactedUrl } from './fetch-feed.js';
import { indicatorKind } from './indicator-value.js';
import { parseThreatFeed, type ThreatFeedParse } from './parse-indicators.js';

export type ThreatSourceConfig = TenetConfig['signals']['threatIntel'][number];

/** What a feed update added or changed (removals only shrink access, so they are just counted). */
export interface ThreatFeedChange {
  readonly source: string;
  /** Canonical CIDRs added or changed (category or expiry): for a SignalChange of kind `network`. */
  readonly prefixes: string[];
  /** Domains added or changed (`evil.example`, `*.evil.example`). */
  readonly domains: string[];
  readonly removed: number;
}

export interface FeedTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ThreatFeedDeps {
  readonly feeds: readonly ThreatSourceConfig[];
  /** Directory that relative `file` paths and header secret files are resolved against (tenet.yaml's). */
  readonly baseDir: string;
  readonly store: Pick<Store, 'threats' | 'threatFeeds'>;
  readonly logger: Logger;
  /** Called after each update that changed the stored list; awaited before the update counts as done. */
  readonly onChanged: (change: ThreatFeedChange) => Promise<void> | void;
  readonly clock?: () => Date;
  /** Injected timers (tests); default setTimeout/clearTimeout, unref'd. */
  readonly timers?: FeedTimers;
  /** Environment for header secrets; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export type FeedStatus = 'updated' | 'unchanged' | 'not-modified' | 'failed';

export interface FeedOutcome {
  readonly source: string;
  readonly status: FeedStatus;
  /** Indicators the source holds afterwards. */
  readonly indicators: number;
  readonly added?: number;
  readonly changed?: number;
  readonly removed?: number;
  /** Why it failed (safe to show: no header values, no URL query). */
  readonly error?: string;
}

export interface ThreatFeeds {
  /** Runs the named feed (or every feed) now; resolves when done. Unknown source: TENET_ERR_CONFIG_UNKNOWN_FEED. */
  refreshNow(source?: string): Promise<FeedOutcome[]>;
  /** Resolves when the initial URL fetches started by startThreatFeeds have finished. */
  readonly ready: Promise<void>;
  /** Cancels the schedule and aborts fetches in flight. */
  stop(): void;
}

const DEFAULT_URL_REFRESH_SECONDS = 3600;
/** setTimeout's largest delay (about 24.8 days); a longer refresh runs at this interval. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const realTimers: FeedTimers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function startThreatFeeds(deps: ThreatFeedDeps): ThreatFeeds {
  const clock = deps.clock ?? (() => new Date());
  const timers = deps.timers ?? realTimers;
  const stopping = new AbortController();
  const inFlight = new Map<string, Promise<FeedOutcome>>();
  const scheduled = new Map<string, unknown>();
  const bySource = new Map(deps.feeds.map((feed) => [feed.source, feed]));

  const run = (feed: ThreatSourceConfig): Promise<FeedOutcome> => {
    const running = inFlight.get(feed.source);
    if (running !== undefined) return running;
    const next = updateFeed(feed, deps, clock, stopping.signal).finally(() => inFlight.delete(feed.source));
    inFlight.set(feed.source, next);
    return next;
  };

  const schedule = (feed: ThreatSourceConfig, seconds: number): void => {
    if (stopping.signal.aborted) return;
    const handle = timers.set(() => {
      scheduled.delete(feed.source);
      void run(feed).finally(() => schedule(feed, seconds));
    }, Math.min(seconds * 1000, MAX_TIMER_MS));
    scheduled.set(feed.source, handle);
  };

  const initial: Promise<FeedOutcome>[] = [];
  for (const feed of deps.feeds) {
    const seconds = refreshSeconds(feed);
    if (feed.url !== undefined) {
      // Fetched at once: the store may hold a list from the last run, but it may be hours old.
      initial.push(run(feed).finally(() => seconds !== undefined && schedule(feed, seconds)));
    } else if (seconds !== undefined) {
      schedule(feed, seconds);
    }
  }

  return {
    ready: Promise.all(initial).then(() => undefined),
    async refreshNow(source?: string): Promise<FeedOutcome[]> {
      if (source === undefined) return Promise.all(deps.feeds.map(run));
      const feed = bySource.get(source);
      if (feed === undefined) throw new TenetError('TENET_ERR_CONFIG_UNKNOWN_FEED', `no threat feed named "${source}" is configured`);
      return [await run(feed)];
    },
    stop(): void {
      stopping.abort();
      for (const handle of scheduled.values()) timers.clear(handle);
      scheduled.clear();
    },
  };
}

function refreshSeconds(feed: ThreatSourceConfig): number | undefined {
  if (feed.refresh !== undefined) return parseDuration(feed.refresh);
  return feed.url === undefined ? undefined : DEFAULT_URL_REFRESH_SECONDS;
}

async function updateFeed(feed: ThreatSourceConfig, deps: ThreatFeedDeps, clock: () => Date, stop: AbortSignal): Promise<FeedOutcome> {
  const now = clock();
  const location = feed.url === undefined ? resolve(deps.baseDir, feed.file ?? '') : redactedUrl(feed.url);
  const log = deps.logger.child({ feed: feed.source, location });
  let previous: ThreatFeedState | undefined;
  let current: ThreatIndicator[] = [];
  try {
    previous = await deps.store.threatFeeds.get(feed.source);
    current = (await deps.store.threats.list()).filter((indicator) => indicator.source === feed.source);
    const read = await readFeed(feed, deps, location, previous, now, stop);
    if (read.status === 'not-modified') {
      await deps.store.threatFeeds.put(successState(feed.source, location, previous, now, current.length));
      log.debug('threat feed not modified');
      return { source: feed.source, status: 'not-modified', indicators: current.length };
    }
    const stix = read.parsed.stix;
    if (stix !== undefined && Object.keys(stix.skipped).length > 0) {
      log.info({ skipped: stix.skipped, examples: stix.examples.slice(0, 5) }, 'STIX bundle: some objects were skipped');
    }
    const diff = diffIndicators(current, read.parsed.indicators);
    const validators = { etag: read.etag, lastModified: read.lastModified };
    if (diff.added.length === 0 && diff.changed.length === 0 && diff.removed === 0) {
      await deps.store.threatFeeds.put(successState(feed.source, location, validators, now, current.length));
      log.debug('threat feed unchanged');
      return { source: feed.source, status: 'unchanged', indicators: current.length };
    }
    await deps.store.threats.replaceSource(feed.source, diff.next);
    await deps.store.threatFeeds.put(successState(feed.source, location, validators, now, diff.next.length));
    const touched = [...diff.added, ...diff.changed];
    const change: ThreatFeedChange = {
      source: feed.source,
      prefixes: touched.filter((i) => indicatorKind(i) === 'prefix'),
      domains: touched.filter((i) => indicatorKind(i) === 'domain'),
      removed: diff.removed,
    };
    log.info({ indicators: diff.next.length, added: diff.added.length, changed: diff.changed.length, removed: diff.removed }, 'threat feed updated');
    try {
      await deps.onChanged(change);
    } catch (error) {
      log.error({ err: error }, 'threat feed change listener failed');
    }
    return { source: feed.source, status: 'updated', indicators: diff.next.length, added: diff.added.length, changed: diff.changed.length, removed: diff.removed };
  } catch (error) {
    const message = describe(error);
    // Stopped mid-fetch (shutdown or a reload restarting the feeds): not a feed failure.
    if (stop.aborted) return { source: feed.source, status: 'failed', indicators: current.length, error: message };
    log.error({ error: message, issues: issueSample(error) }, 'threat feed update failed; the last good list stays');
    try {
      await deps.store.threatFeeds.put({
        source: feed.source,
        location,
        ...(previous?.location === location && previous.etag !== undefined ? { etag: previous.etag } : {}),
        ...(previous?.location === location && previous.lastModified !== undefined ? { lastModified: previous.lastModified } : {}),
        checkedAt: now.toISOString(),
        ...(previous?.succeededAt === undefined ? {} : { succeededAt: previous.succeededAt }),
        lastError: message.slice(0, 2000),
        indicators: current.length,
      });
    } catch (stateError) {
      log.error({ err: stateError }, 'could not record the threat feed failure');
    }
    return { source: feed.source, status: 'failed', indicators: current.length, error: message };
  }
}

type FeedRead =
  | { readonly status: 'not-modified' }
  | { readonly status: 'ok'; readonly parsed: ThreatFeedParse; readonly etag?: string | undefined; readonly lastModified?: string | undefined };

async function readFeed(feed: ThreatSourceConfig, deps: ThreatFeedDeps, location: string, previous: ThreatFeedState | undefined, now: Date, stop: AbortSignal): Promise<FeedRead> {
  if (feed.url === undefined) return { status: 'ok', parsed: readThreatFile(location, feed, now) };
  // Validators belong to the URL they came from: a changed URL starts afresh.
  const same = previous?.location === location;
  const fetched = await fetchFeed({
    url: feed.url,
    allowInsecureHttp: feed.allowInsecureHttp,
    headers: headerValues(feed, deps),
    etag: same ? previous?.etag : undefined,
    lastModified: same ? previous?.lastModified : undefined,
    timeoutMs: (parseDuration(feed.timeout) ?? 30) * 1000,
    maxBytes: feed.maxBytes,
    signal: stop,
  });
  if (fetched.status === 'not-modified') {
    // A 304 to a request without validators is a broken server; treat it as a failure.
    if (!same || (previous?.etag === undefined && previous?.lastModified === undefined)) throw new TenetError('TENET_ERR_IMPORT_FETCH_FAILED', `fetching ${location}: HTTP 304 to an unconditional request`);
    return fetched;
  }
  const format = threatFormatFor(new URL(feed.url).pathname, feed.format);
  const parsed = parseThreatFeed(fetched.body, { format, source: feed.source, category: feed.category, now, fileName: location });
  return { status: 'ok', parsed, etag: fetched.etag, lastModified: fetched.lastModified };
}

/** Reads header values from their files or environment variables now, so a rotated key is picked up. */
function headerValues(feed: ThreatSourceConfig, deps: ThreatFeedDeps): Record<string, string> {
  const env = deps.env ?? process.env;
  const values: Record<string, string> = {};
  for (const [name, ref] of Object.entries(feed.headers ?? {})) {
    let value: string | undefined;
    if (ref.env !== undefined) {
      value = env[ref.env];
      if (value === undefined || value === '') throw new TenetError('TENET_ERR_CONFIG_SECRET_MISSING', `header ${name}: environment variable ${ref.env} is not set`);
    } else {
      const path = resolve(deps.baseDir, ref.file ?? '');
      try {
        value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        throw new TenetError('TENET_ERR_CONFIG_SECRET_MISSING', `header ${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    // A CR or LF would split the request; undici refuses it too, but with the value in the message.
    if (/[\r\n\0]/.test(value)) throw new TenetError('TENET_ERR_CONFIG_SECRET_INVALID', `header ${name}: the value contains a line break or NUL`);
    values[name] = value;
  }
  return values;
}

interface IndicatorDiff {
  /** The new list, keeping each unchanged or changed indicator's first addedAt. */
  readonly next: ThreatIndicator[];
  readonly added: string[];
  readonly changed: string[];
  readonly removed: number;
}

/** Compares by indicator: added = new, changed = category or expiry differs, removed = gone. */
export function diffIndicators(current: readonly ThreatIndicator[], incoming: readonly ThreatIndicator[]): IndicatorDiff {
  const before = new Map(current.map((indicator) => [indicator.indicator, indicator]));
  const added: string[] = [];
  const changed: string[] = [];
  const next = incoming.map((indicator) => {
    const old = before.get(indicator.indicator);
    if (old === undefined) {
      added.push(indicator.indicator);
      return indicator;
    }
    if (old.category !== indicator.category || old.expiresAt !== indicator.expiresAt) changed.push(indicator.indicator);
    return { ...indicator, addedAt: old.addedAt };
  });
  const incomingKeys = new Set(incoming.map((indicator) => indicator.indicator));
  const removed = current.filter((indicator) => !incomingKeys.has(indicator.indicator)).length;
  return { next, added, changed, removed };
}

function successState(
  source: string,
  location: string,
  validators: { readonly etag?: string | undefined; readonly lastModified?: string | undefined } | undefined,
  now: Date,
  indicators: number,
): ThreatFeedState {
  return {
    source,
    location,
    ...(validators?.etag === undefined ? {} : { etag: validators.etag }),
    ...(validators?.lastModified === undefined ? {} : { lastModified: validators.lastModified }),
    checkedAt: now.toISOString(),
    succeededAt: now.toISOString(),
    indicators,
  };
}

function describe(error: unknown): string {
  if (error instanceof TenetError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return `${code}: ${(error as Error).message}`;
  return error instanceof Error ? error.message : String(error);
}

function issueSample(error: unknown): readonly unknown[] | undefined {
  return error instanceof TenetError && error.issues.length > 0 ? error.issues.slice(0, 10) : undefined;
}
