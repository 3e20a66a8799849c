// Contract tests for SettingsStore.
import { describe, expect, it } from 'vitest';
import { useFreshStore, type OpenStore } from './harness.js';

export function settingsContract(open: OpenStore): void {
  describe('settings', () => {
    const store = useFreshStore(open);

    it('returns undefined for an unset name, then the latest value put', async () => {
      expect(await store().settings.get('policy.version')).toBeUndefined();
      await store().settings.put('policy.version', 'v1');
      await store().settings.put('policy.version', 'v2');
      expect(await store().settings.get('policy.version')).toBe('v2');
    });

    it('stores empty and large values verbatim', async () => {
      await store().settings.put('empty', '');
      const big = 'k'.repeat(256 * 1024);
      await store().settings.put('big', big);
      expect(await store().settings.get('empty')).toBe('');
      expect(await store().settings.get('big')).toBe(big);
    });
  });
}
