// Tests for importThreatIndicators against a real (in-memory SQLite) store: replace-by-source,
// all or nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { importThreatIndicators } from './import-indicators.js';

const now = new Date('2025-03-01T00:00:00Z');

describe('importThreatIndicators', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it("replaces the source's previous list and leaves other sources alone", async () => {
    await importThreatIndicators(store, '10.0.0.0/8\n192.0.2.1\n', { format: 'text', source: 'a', category: 'botnet', now });
    await importThreatIndicators(store, 'indicator,category\n198.51.100.0/24,tor\n', { format: 'csv', source: 'b', now });
    expect(await importThreatIndicators(store, '192.0.2.1\n', { format: 'text', source: 'a', category: 'botnet', now })).toEqual({ imported: 1 });
    expect((await store.threats.list()).map((i) => `${i.source} ${i.indicator}`)).toEqual(['a 192.0.2.1/32', 'b 198.51.100.0/24']);
  });

  it('writes nothing when any line is bad', async () => {
    await importThreatIndicators(store, '10.0.0.0/8\n', { format: 'text', source: 'a', category: 'botnet', now });
    await expect(importThreatIndicators(store, '192.0.2.1\n192.0.2.300\n', { format: 'text', source: 'a', category: 'botnet', now })).rejects.toMatchObject({
      code: 'TENET_ERR_IMPORT_INVALID',
    });
    expect((await store.threats.list()).map((i) => i.indicator)).toEqual(['10.0.0.0/8']);
  });
});
