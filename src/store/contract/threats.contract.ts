// Contract tests for ThreatIntelStore (per-source replacement, upsert keys, removal, domain
// indicators) and ThreatFeedStateStore (fetch state per feed).
import { describe, expect, it } from 'vitest';
import type { ThreatIndicator } from '../ports.js';
import { useFreshStore, type OpenStore } from './harness.js';

const addedAt = '2025-03-01T00:00:00.000Z';
function indicator(cidr: string, source: string, category = 'botnet', expiresAt?: string): ThreatIndicator {
  return expiresAt === undefined ? { indicator: cidr, category, source, addedAt } : { indicator: cidr, category, source, addedAt, expiresAt };
}

export function threatContract(open: OpenStore): void {
  threatFeedStateContract(open);
  describe('threat indicators', () => {
    const store = useFreshStore(open);

    it('round-trips indicators with and without expiry', async () => {
      const items = [indicator('203.0.113.0/24', 'feed-a', 'scanner', '2025-04-01T00:00:00.000Z'), indicator('2001:db8::/32', 'feed-a')];
      await store().threats.upsertMany(items);
      const listed = await store().threats.list();
      expect(listed).toEqual([items[1], items[0]]);
      expect('expiresAt' in (listed[0] ?? {})).toBe(false);
    });

    it('keys by indicator and source: the same network from two feeds is kept twice', async () => {
      await store().threats.upsertMany([indicator('198.51.100.7/32', 'feed-a', 'tor'), indicator('198.51.100.7/32', 'feed-b', 'botnet')]);
      expect(await store().threats.list()).toHaveLength(2);
      await store().threats.upsertMany([indicator('198.51.100.7/32', 'feed-a', 'scanner')]);
      const listed = await store().threats.list();
      expect(listed.map((i) => `${i.source}:${i.category}`)).toEqual(['feed-a:scanner', 'feed-b:botnet']);
    });

    it('replaceSource swaps one source and leaves the others', async () => {
      await store().threats.upsertMany([indicator('10.0.0.0/8', 'feed-a'), indicator('10.1.0.0/16', 'feed-a'), indicator('10.0.0.0/8', 'feed-b')]);
      await store().threats.replaceSource('feed-a', [indicator('192.0.2.0/24', 'feed-a')]);
      expect((await store().threats.list()).map((i) => `${i.source} ${i.indicator}`)).toEqual(['feed-a 192.0.2.0/24', 'feed-b 10.0.0.0/8']);
      await store().threats.replaceSource('feed-a', []);
      expect((await store().threats.list()).map((i) => i.source)).toEqual(['feed-b']);
    });

    it('replaceSource applies nothing when an indicator is invalid or from another source', async () => {
      await store().threats.upsertMany([indicator('10.0.0.0/8', 'feed-a')]);
      await expect(store().threats.replaceSource('feed-a', [indicator('192.0.2.0/24', 'feed-a'), indicator('192.0.2.1/32', 'feed-a', '')])).rejects.toMatchObject({
        code: expect.stringMatching(/^TENET_ERR_STORE_/),
      });
      await expect(store().threats.replaceSource('feed-a', [indicator('192.0.2.0/24', 'feed-z')])).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect((await store().threats.list()).map((i) => i.indicator)).toEqual(['10.0.0.0/8']);
    });

    it('upsertMany applies nothing when one indicator is invalid', async () => {
      await expect(store().threats.upsertMany([indicator('10.0.0.0/8', 'feed-a'), indicator('10.1.0.0/16', '')])).rejects.toMatchObject({
        code: expect.stringMatching(/^TENET_ERR_STORE_/),
      });
      expect(await store().threats.list()).toEqual([]);
    });

    it('stores domain indicators beside networks', async () => {
      await store().threats.replaceSource('feed-a', [indicator('evil.example', 'feed-a', 'phishing'), indicator('*.evil.example', 'feed-a', 'phishing'), indicator('192.0.2.0/24', 'feed-a')]);
      expect((await store().threats.list()).map((i) => i.indicator)).toEqual(['*.evil.example', '192.0.2.0/24', 'evil.example']);
    });

    it('removes an indicator from one source or from all', async () => {
      await store().threats.upsertMany([indicator('10.0.0.0/8', 'feed-a'), indicator('10.0.0.0/8', 'feed-b'), indicator('10.0.0.0/8', 'feed-c')]);
      expect(await store().threats.remove('10.0.0.0/8', 'feed-a')).toBe(1);
      expect(await store().threats.remove('10.0.0.0/8')).toBe(2);
      expect(await store().threats.remove('10.0.0.0/8')).toBe(0);
    });
  });
}

export function threatFeedStateContract(open: OpenStore): void {
  describe('threat feed state', () => {
    const store = useFreshStore(open);

    it('round-trips full and minimal states, replacing by source', async () => {
      const full = { source: 'feed-a', location: 'https://cti.example/feed.json', etag: 'W/"abc"', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT', checkedAt: '2025-03-01T00:00:00.000Z', succeededAt: '2025-03-01T00:00:00.000Z', indicators: 12 };
      await store().threatFeeds.put(full);
      expect(await store().threatFeeds.get('feed-a')).toEqual(full);
      const failed = { source: 'feed-a', location: 'https://cti.example/feed.json', checkedAt: '2025-03-01T01:00:00.000Z', lastError: 'HTTP 503', indicators: 12 };
      await store().threatFeeds.put(failed);
      expect(await store().threatFeeds.get('feed-a')).toEqual(failed);
      expect(await store().threatFeeds.get('feed-b')).toBeUndefined();
      await store().threatFeeds.put({ ...full, source: 'feed-0' });
      expect((await store().threatFeeds.list()).map((s) => s.source)).toEqual(['feed-0', 'feed-a']);
    });

    it('refuses an empty source or a negative count', async () => {
      const base = { source: 'x', location: '/etc/feed.txt', checkedAt: '2025-03-01T00:00:00.000Z', indicators: 0 };
      await expect(store().threatFeeds.put({ ...base, source: '' })).rejects.toMatchObject({ code: expect.stringMatching(/^TENET_ERR_STORE_/) });
      await expect(store().threatFeeds.put({ ...base, indicators: -1 })).rejects.toMatchObject({ code: expect.stringMatching(/^TENET_ERR_STORE_/) });
    });
  });
}
