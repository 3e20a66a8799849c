// Tests for importDevices against a real (in-memory SQLite) store: all or nothing, history kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { importDevices } from './import-devices.js';

const now = new Date('2025-03-02T00:00:00Z');

describe('importDevices', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('upserts devices and appends posture to their history', async () => {
    const day1 = 'id,managed,status,observed_at,os\nd1,true,active,2025-03-01T00:00:00Z,14.3\nd2,false,active,,\n';
    const day2 = 'id,managed,status,observed_at,os\nd1,true,active,2025-03-01T12:00:00Z,14.4\n';
    expect(await importDevices(store, day1, 'csv', 'mdm', { now })).toEqual({ imported: 2, withPosture: 1 });
    await importDevices(store, day2, 'csv', 'mdm', { now });
    expect((await store.devices.get('d1'))?.posture?.facts).toEqual({ os: '14.4' });
    expect(await store.devices.postureHistory('d1', 10)).toHaveLength(2);
    expect(await store.devices.get('d2')).toEqual({ id: 'd2', managed: false, status: 'active' });
  });

  it('writes nothing when any row is bad', async () => {
    const text = 'id,managed,status\nd1,true,active\nd2,maybe,active\n';
    await expect(importDevices(store, text, 'csv', 'mdm', { now })).rejects.toMatchObject({ code: 'TENET_ERR_IMPORT_INVALID' });
    expect(await store.devices.list()).toEqual([]);
  });
});
