// Tests for startThreatFeeds against a real HTTP server on 127.0.0.1 and a real (in-memory SQLite)
// store: conditional requests (ETag → 304), failures keeping the last good list, the size limit,
// the timeout, header secrets (sent, never logged, not forwarded across origins), the onChanged
// diff, and the schedule driven by injected timers and clock.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { fetchFeed } from './fetch-feed.js';
import { startThreatFeeds, type FeedTimers, type ThreatFeedChange, type ThreatFeeds, type ThreatSourceConfig } from './threat-feeds.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let handler: Handler = (_req, res) => res.end();
const requests: { url: string; headers: IncomingMessage['headers'] }[] = [];
let server: Server;
let other: Server;
let base = '';
let otherBase = '';

beforeAll(async () => {
  const listen = async (s: Server): Promise<string> => {
    await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  other = createServer((req, res) => {
    requests.push({ url: `other:${req.url ?? ''}`, headers: req.headers });
    res.end('203.0.113.99\n');
  });
  base = await listen(server);
  otherBase = await listen(other);
});

afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise<void>((done) => s.close(() => done()));
  }
});

/** Timers the test fires by hand: no waiting on the wall clock. */
class ManualTimers implements FeedTimers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;
  set(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.set(id, { callback, ms });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  delays(): number[] {
    return [...this.pending.values()].map((p) => p.ms);
  }
  fireAll(): void {
    const due = [...this.pending.entries()];
    this.pending.clear();
    for (const [, { callback }] of due) callback();
  }
}

const SECRET = 'k3y-that-must-not-leak-5e1f';
let store: Store;
let logLines: string[];
let changes: ThreatFeedChange[];
let feeds: ThreatFeeds | undefined;
let now: Date;
let dir: string;

beforeEach(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  logLines = [];
  changes = [];
  requests.length = 0;
  now = new Date('2025-03-01T00:00:00Z');
  dir = mkdtempSync(join(tmpdir(), 'tenet-feeds-'));
});
afterEach(async () => {
  feeds?.stop();
  feeds = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(list: ThreatSourceConfig[], timers: FeedTimers = new ManualTimers()): ThreatFeeds {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  feeds = startThreatFeeds({
    feeds: list,
    baseDir: dir,
    store,
    logger: pino({ level: 'debug' }, sink),
    onChanged: (change) => {
      changes.push(change);
    },
    clock: () => now,
    timers,
    env: { FEED_KEY: SECRET },
  });
  return feeds;
}

const urlFeed = (path: string, extra: Partial<ThreatSourceConfig> = {}): ThreatSourceConfig => ({
  source: 'feed',
  url: `${base}${path}`,
  allowInsecureHttp: true,
  category: 'botnet',
  timeout: '30s',
  maxBytes: 1_000_000,
  ...extra,
});
const stored = async (): Promise<string[]> => (await store.threats.list()).map((i) => `${i.indicator} ${i.category}`);

function serveList(body: () => string, etag = '"v1"'): void {
  handler = (req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('etag', etag);
    res.end(body());
  };
}

describe('URL feeds', () => {
  it('fetches at start, stores the list, then revalidates with If-None-Match and gets a 304', async () => {
    serveList(() => '192.0.2.0/24\nevil.example\n*.evil.example\n');
    const running = start([urlFeed('/list.txt')]);
    await running.ready;
    expect(await stored()).toEqual(['*.evil.example botnet', '192.0.2.0/24 botnet', 'evil.example botnet']);
    expect(changes).toEqual([{ source: 'feed', prefixes: ['192.0.2.0/24'], domains: ['evil.example', '*.evil.example'], removed: 0 }]);
    expect(await store.threatFeeds.get('feed')).toMatchObject({ location: `${base}/list.txt`, etag: '"v1"', succeededAt: now.toISOString(), indicators: 3 });

    now = new Date('2025-03-01T01:00:00Z');
    expect(await running.refreshNow('feed')).toEqual([{ source: 'feed', status: 'not-modified', indicators: 3 }]);
    expect(requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
    expect(changes).toHaveLength(1);
    expect(await store.threatFeeds.get('feed')).toMatchObject({ etag: '"v1"', checkedAt: now.toISOString() });
  });

  it('keeps the last good list when a fetch or a parse fails, and records why', async () => {
    serveList(() => '192.0.2.1\n');
    const running = start([urlFeed('/list.txt')]);
    await running.ready;
    handler = (_req, res) => {
      res.statusCode = 503;
      res.end('down');
    };
    const [failed] = await running.refreshNow();
    expect(failed).toMatchObject({ status: 'failed', indicators: 1, error: `fetching ${base}/list.txt: HTTP 503` });
    expect(await stored()).toEqual(['192.0.2.1/32 botnet']);
    expect(await store.threatFeeds.get('feed')).toMatchObject({ lastError: `fetching ${base}/list.txt: HTTP 503`, etag: '"v1"' });

    serveList(() => '192.0.2.2\n192.0.2.999\n', '"v2"');
    expect((await running.refreshNow())[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('nothing was imported') });
    expect(await stored()).toEqual(['192.0.2.1/32 botnet']);
    expect(logLines.join('')).toContain('the last good list stays');

    serveList(() => '192.0.2.2\n', '"v3"');
    expect((await running.refreshNow())[0]).toMatchObject({ status: 'updated', added: 1, removed: 1 });
    expect((await store.threatFeeds.get('feed'))?.lastError).toBeUndefined();
  });

  it('refuses a body over maxBytes, declared or streamed', async () => {
    const big = '192.0.2.1\n'.repeat(200);
    handler = (req, res) => {
      if (req.url === '/chunked') res.write(big);
      res.end(req.url === '/chunked' ? '' : big);
    };
    const running = start([urlFeed('/declared', { source: 'declared', maxBytes: 1000 }), urlFeed('/chunked', { source: 'chunked', maxBytes: 1000 })]);
    await running.ready;
    const outcomes = await running.refreshNow();
    expect(outcomes.map((o) => o.error)).toEqual([
      `fetching ${base}/declared: body of 2000 bytes is over the limit of 1000`,
      `fetching ${base}/chunked: body is over the limit of 1000 bytes`,
    ]);
    expect(await stored()).toEqual([]);
  });

  it('gives up after the timeout', async () => {
    handler = () => {
      // Never answers.
    };
    const running = start([urlFeed('/slow', { timeout: '1s' })]);
    await running.ready;
    expect((await running.refreshNow())[0]).toMatchObject({ status: 'failed', error: `fetching ${base}/slow: no complete answer within 1000 ms` });
  });

  it('sends header secrets from env or file, never logs them, and drops them on a redirect to another origin', async () => {
    writeFileSync(join(dir, 'token'), 'file-secret-77\n');
    serveList(() => '192.0.2.1\n');
    const running = start([
      urlFeed('/a.txt', { source: 'a', headers: { 'X-Api-Key': { env: 'FEED_KEY' }, Authorization: { file: 'token' } } }),
      urlFeed('/missing.txt', { source: 'b', headers: { 'X-Api-Key': { env: 'NOT_SET' } } }),
    ]);
    await running.ready;
    expect(requests[0]?.headers['x-api-key']).toBe(SECRET);
    expect(requests[0]?.headers.authorization).toBe('file-secret-77');
    expect((await store.threatFeeds.get('b'))?.lastError).toBe('header X-Api-Key: environment variable NOT_SET is not set');

    handler = (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `${otherBase}/moved.txt`);
      res.end();
    };
    expect((await running.refreshNow('a'))[0]).toMatchObject({ status: 'updated', added: 1 });
    const moved = requests.find((r) => r.url === 'other:/moved.txt');
    expect(moved?.headers['x-api-key']).toBeUndefined();
    expect(moved?.headers.authorization).toBeUndefined();
    expect(logLines.join('')).not.toContain(SECRET);
    expect(logLines.join('')).not.toContain('file-secret-77');
  });

  it('reads a STIX bundle (format from the .json path)', async () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        { type: 'indicator', id: 'indicator--1', pattern_type: 'stix', pattern: "[domain-name:value = 'c2.example'] OR [ipv4-addr:value = '198.51.100.0/24']", indicator_types: ['malicious-activity'], valid_from: '2025-01-01T00:00:00Z' },
        { type: 'indicator', id: 'indicator--2', pattern_type: 'stix', pattern: "[file:hashes.'SHA-256' = 'abc']", valid_from: '2025-01-01T00:00:00Z' },
      ],
    };
    serveList(() => JSON.stringify(bundle));
    await start([urlFeed('/bundle.json')]).ready;
    expect(await stored()).toEqual(['198.51.100.0/24 malicious-activity', 'c2.example malicious-activity']);
    expect(logLines.join('')).toContain('"unsupported-pattern":1');
  });

  it('refuses plain http unless the feed allows it', async () => {
    await expect(fetchFeed({ url: `${base}/x?key=${SECRET}`, allowInsecureHttp: false, headers: {}, timeoutMs: 5000, maxBytes: 100 })).rejects.toThrow(`fetching ${base}/x: refusing http: (only https)`);
  });
});

describe('change announcements', () => {
  it('reports added and changed indicators, counts removals, and stays quiet when nothing changed', async () => {
    let body = 'indicator,category,expires_at\n192.0.2.1,botnet,\n192.0.2.2,botnet,\nold.example,phish,\nsame.example,phish,\n';
    handler = (_req, res) => res.end(body);
    const running = start([urlFeed('/list.csv')]);
    await running.ready;
    const firstAddedAt = (await store.threats.list()).find((i) => i.indicator === 'same.example')?.addedAt;
    changes.length = 0;

    now = new Date('2025-03-02T00:00:00Z');
    body = 'indicator,category,expires_at\n192.0.2.1,tor,\n192.0.2.3,botnet,\nsame.example,phish,\nnew.example,phish,2025-04-01T00:00:00Z\n';
    expect((await running.refreshNow())[0]).toMatchObject({ status: 'updated', indicators: 4, added: 2, changed: 1, removed: 2 });
    expect(changes).toEqual([{ source: 'feed', prefixes: ['192.0.2.3/32', '192.0.2.1/32'], domains: ['new.example'], removed: 2 }]);
    // An indicator that stays keeps the time it was first added.
    expect((await store.threats.list()).find((i) => i.indicator === 'same.example')?.addedAt).toBe(firstAddedAt);

    expect((await running.refreshNow())[0]).toMatchObject({ status: 'unchanged' });
    expect(changes).toHaveLength(1);
  });
});

describe('schedule', () => {
  it('re-reads a file feed every refresh, and fetches a URL feed at start and hourly by default', async () => {
    const file = join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.1\n');
    serveList(() => '198.51.100.1\n');
    const timers = new ManualTimers();
    const running = start([{ source: 'file', file: 'list.txt', allowInsecureHttp: false, category: 'scan', refresh: '10m', timeout: '30s', maxBytes: 1000 }, urlFeed('/u.txt', { source: 'url' })], timers);
    // The file was loaded by the PDP at start: only the URL feed runs now.
    await running.ready;
    expect(await stored()).toEqual(['198.51.100.1/32 botnet']);
    expect(timers.delays().sort((a, b) => a - b)).toEqual([600_000, 3_600_000]);

    writeFileSync(file, '192.0.2.1\n192.0.2.2\n');
    const before = requests.length;
    timers.fireAll();
    await expect.poll(async () => stored()).toEqual(['192.0.2.1/32 scan', '192.0.2.2/32 scan', '198.51.100.1/32 botnet']);
    await expect.poll(() => timers.delays().length).toBe(2);
    expect(requests.length).toBe(before + 1);
    expect(requests.at(-1)?.headers['if-none-match']).toBe('"v1"');

    running.stop();
    expect(timers.pending.size).toBe(0);
    await expect(running.refreshNow('nope')).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_UNKNOWN_FEED' });
  });
});
