// Contract tests for SubjectSignalStore: one record per (subject, source), newer reports replace
// older ones, older ones are ignored, ordering, per-subject listing, removal and validation.
import { describe, expect, it } from 'vitest';
import type { SubjectSignalRecord } from '../ports.js';
import { useFreshStore, type OpenStore } from './harness.js';

const ALICE = 'User::"alice@example.com"';
const BOB = 'User::"bob@example.com"';

function signal(overrides: Partial<SubjectSignalRecord> = {}): SubjectSignalRecord {
  return { subject: ALICE, source: 'ssf:idp', riskLevel: 'high', reason: 'credentials found in a breach', observedAt: '2025-03-01T10:00:00.000Z', ...overrides };
}

export function subjectSignalContract(open: OpenStore): void {
  describe('subject signals', () => {
    const store = useFreshStore(open);
    const signals = () => store().subjectSignals;

    it('stores one record per subject and source, listed by subject then source', async () => {
      expect(await signals().put(signal({ subject: BOB }))).toBe(true);
      expect(await signals().put(signal({ source: 'ssf:edr', riskLevel: 'medium' }))).toBe(true);
      expect(await signals().put(signal())).toBe(true);
      expect(await signals().list()).toEqual([signal({ source: 'ssf:edr', riskLevel: 'medium' }), signal(), signal({ subject: BOB })]);
      expect(await signals().listFor(ALICE)).toEqual([signal({ source: 'ssf:edr', riskLevel: 'medium' }), signal()]);
      expect(await signals().listFor('User::"nobody"')).toEqual([]);
    });

    it('replaces with a newer (or equally new) report and ignores an older one', async () => {
      await signals().put(signal());
      expect(await signals().put(signal({ riskLevel: 'low', reason: 'cleared', observedAt: '2025-03-01T11:00:00.000Z' }))).toBe(true);
      expect(await signals().put(signal({ riskLevel: 'high', observedAt: '2025-03-01T10:30:00+00:00' }))).toBe(false);
      expect(await signals().listFor(ALICE)).toEqual([signal({ riskLevel: 'low', reason: 'cleared', observedAt: '2025-03-01T11:00:00.000Z' })]);
    });

    it('removes one (subject, source) record', async () => {
      await signals().put(signal());
      await signals().put(signal({ source: 'ssf:edr' }));
      expect(await signals().remove(ALICE, 'ssf:idp')).toBe(true);
      expect(await signals().remove(ALICE, 'ssf:idp')).toBe(false);
      expect((await signals().list()).map((record) => record.source)).toEqual(['ssf:edr']);
    });

    it('refuses a bad level, an empty subject or a time without offset, writing nothing', async () => {
      await expect(signals().put(signal({ riskLevel: 'severe' as 'high' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      await expect(signals().put(signal({ subject: '' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      await expect(signals().put(signal({ observedAt: '2025-03-01 10:00' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect(await signals().list()).toEqual([]);
    });
  });
}
