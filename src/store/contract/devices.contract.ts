// Contract tests for DeviceStore: inventory round trips, posture history (newest observedAt wins)
// and the newest report of each source (`postures`).
import { describe, expect, it } from 'vitest';
import type { DevicePosture, DeviceRecord, DeviceStatus } from '../../engine/signals.js';
import { useFreshStore, type OpenStore } from './harness.js';

const laptop: DeviceRecord = {
  id: 'dev-1',
  owner: { type: 'User', id: 'alice' },
  managed: true,
  status: 'active',
  posture: { facts: { os: 'macOS', osVersion: '14.4', diskEncrypted: true }, compliant: true, observedAt: '2025-03-01T10:00:00.000Z', source: 'mdm' },
  attributes: { model: 'MacBookPro18,3', serial: 'C02XYZ' },
};

function posture(observedAt: string, facts: Record<string, unknown> = {}, source = 'agent'): DevicePosture {
  return { facts, observedAt, source };
}

export function deviceContract(open: OpenStore): void {
  describe('devices', () => {
    const store = useFreshStore(open);

    it('round-trips a device with owner, posture and attributes', async () => {
      await store().devices.upsertMany([laptop]);
      expect(await store().devices.get('dev-1')).toEqual({ ...laptop, postures: [laptop.posture] });
      expect(await store().devices.get('dev-404')).toBeUndefined();
    });

    it('round-trips a minimal device without optional fields present', async () => {
      await store().devices.upsertMany([{ id: 'bare', managed: false, status: 'quarantined' }]);
      const read = await store().devices.get('bare');
      expect(read).toEqual({ id: 'bare', managed: false, status: 'quarantined' });
      expect(Object.keys(read ?? {}).sort()).toEqual(['id', 'managed', 'status']);
    });

    it('upsert replaces inventory fields but keeps posture history', async () => {
      await store().devices.upsertMany([laptop]);
      const { posture: _dropped, ...withoutPosture } = laptop;
      const changed: DeviceRecord = { ...withoutPosture, managed: false, status: 'revoked', owner: { type: 'User', id: 'bob' }, attributes: { model: 'new' } };
      await store().devices.upsertMany([changed]);
      expect(await store().devices.get('dev-1')).toEqual({ ...changed, posture: laptop.posture, postures: [laptop.posture] });
      expect(await store().devices.postureHistory('dev-1', 10)).toHaveLength(1);
    });

    it('makes the newest observedAt current, whatever the arrival order', async () => {
      await store().devices.upsertMany([{ id: 'd', managed: true, status: 'active' }]);
      await store().devices.recordPosture('d', posture('2025-03-02T00:00:00Z', { n: 2 }));
      await store().devices.recordPosture('d', posture('2025-03-03T00:00:00Z', { n: 3 }));
      // A late report of an older observation must not become current.
      await store().devices.recordPosture('d', posture('2025-03-01T00:00:00Z', { n: 1 }));
      expect((await store().devices.get('d'))?.posture?.facts).toEqual({ n: 3 });
      expect((await store().devices.list())[0]?.posture?.facts).toEqual({ n: 3 });
      expect((await store().devices.postureHistory('d', 10)).map((p) => p.facts['n'])).toEqual([3, 2, 1]);
      expect((await store().devices.postureHistory('d', 2)).map((p) => p.facts['n'])).toEqual([3, 2]);
    });

    it('reads the newest report of each source, newest first, in get and list alike', async () => {
      await store().devices.upsertMany([{ id: 'a', managed: true, status: 'active' }, { id: 'b', managed: true, status: 'active' }, { id: 'c', managed: false, status: 'active' }]);
      await store().devices.recordPosture('a', posture('2025-03-01T10:00:00Z', { n: 'mdm-old' }, 'mdm'));
      await store().devices.recordPosture('a', { ...posture('2025-03-02T10:00:00Z', { n: 'mdm-new' }, 'mdm'), compliant: false });
      await store().devices.recordPosture('a', posture('2025-03-03T10:00:00Z', { n: 'agent-new' }, 'agent'));
      await store().devices.recordPosture('a', posture('2025-03-01T12:00:00Z', { n: 'agent-old' }, 'agent'));
      await store().devices.recordPosture('a', posture('2025-02-01T00:00:00Z', { n: 'edr' }, 'edr'));
      await store().devices.recordPosture('b', posture('2025-03-05T00:00:00Z', { n: 'b' }, 'agent'));
      const expected: DeviceRecord = {
        id: 'a',
        managed: true,
        status: 'active',
        posture: posture('2025-03-03T10:00:00Z', { n: 'agent-new' }, 'agent'),
        postures: [
          posture('2025-03-03T10:00:00Z', { n: 'agent-new' }, 'agent'),
          { ...posture('2025-03-02T10:00:00Z', { n: 'mdm-new' }, 'mdm'), compliant: false },
          posture('2025-02-01T00:00:00Z', { n: 'edr' }, 'edr'),
        ],
      };
      expect(await store().devices.get('a')).toEqual(expected);
      const listed = await store().devices.list();
      expect(listed.map((d) => d.id)).toEqual(['a', 'b', 'c']);
      expect(listed[0]).toEqual(expected);
      expect(listed[1]?.postures?.map((p) => p.facts['n'])).toEqual(['b']);
      expect(listed[2]).toEqual({ id: 'c', managed: false, status: 'active' });
      // A record read back can be written again whole: history does not grow.
      await store().devices.upsertMany([expected]);
      expect(await store().devices.postureHistory('a', 10)).toHaveLength(5);
    });

    it('orders posture by instant, not by text, when UTC offsets differ', async () => {
      await store().devices.upsertMany([{ id: 'd', managed: true, status: 'active' }]);
      // 09:00+02:00 is 07:00Z: earlier than 08:00Z although it sorts later as text.
      await store().devices.recordPosture('d', posture('2025-03-01T09:00:00+02:00', { which: 'offset' }));
      await store().devices.recordPosture('d', posture('2025-03-01T08:00:00Z', { which: 'utc' }));
      expect((await store().devices.get('d'))?.posture?.facts).toEqual({ which: 'utc' });
    });

    it('does not grow history when the same source re-reports the same observation', async () => {
      await store().devices.upsertMany([laptop]);
      await store().devices.upsertMany([laptop]);
      await store().devices.recordPosture('dev-1', { ...laptop.posture!, facts: { corrected: true } });
      const history = await store().devices.postureHistory('dev-1', 10);
      expect(history).toHaveLength(1);
      expect(history[0]?.facts).toEqual({ corrected: true });
    });

    it('rejects posture for an unknown device', async () => {
      await expect(store().devices.recordPosture('ghost', posture('2025-03-01T00:00:00Z'))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_NOT_FOUND' });
      expect(await store().devices.postureHistory('ghost', 5)).toEqual([]);
    });

    it('sets status, and rejects it for an unknown device', async () => {
      await store().devices.upsertMany([laptop]);
      await store().devices.setStatus('dev-1', 'quarantined');
      expect((await store().devices.get('dev-1'))?.status).toBe('quarantined');
      await expect(store().devices.setStatus('ghost', 'revoked')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_NOT_FOUND' });
    });

    it('applies nothing when one device in a batch is invalid', async () => {
      const bad = { id: 'bad', managed: true, status: 'lost' as DeviceStatus };
      await expect(store().devices.upsertMany([laptop, bad])).rejects.toMatchObject({ code: expect.stringMatching(/^TENET_ERR_STORE_/) });
      const badPosture: DeviceRecord = { id: 'ok', managed: true, status: 'active', posture: posture('not a time') };
      await expect(store().devices.upsertMany([laptop, badPosture])).rejects.toMatchObject({ code: expect.stringMatching(/^TENET_ERR_STORE_/) });
      expect(await store().devices.list()).toEqual([]);
    });

    it('lists devices ordered by id', async () => {
      await store().devices.upsertMany(['c', 'a', 'b'].map((id) => ({ id, managed: true, status: 'active' as const })));
      expect((await store().devices.list()).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    });

    it('removes a device together with its posture history', async () => {
      await store().devices.upsertMany([laptop]);
      expect(await store().devices.remove('dev-1')).toBe(true);
      expect(await store().devices.remove('dev-1')).toBe(false);
      expect(await store().devices.postureHistory('dev-1', 10)).toEqual([]);
      // Re-adding the id starts with no history.
      await store().devices.upsertMany([{ id: 'dev-1', managed: true, status: 'active' }]);
      expect((await store().devices.get('dev-1'))?.posture).toBeUndefined();
    });
  });
}
