// Contract tests for the Store as a whole: health check and closing.
import { describe, expect, it } from 'vitest';
import type { OpenStore } from './harness.js';

export function lifecycleContract(open: OpenStore): void {
  describe('lifecycle', () => {
    it('pings while open, and reports unavailable after close', async () => {
      const store = await open();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toMatchObject({ code: 'TENET_ERR_STORE_UNAVAILABLE' });
      await expect(store.entities.count()).rejects.toMatchObject({ code: 'TENET_ERR_STORE_UNAVAILABLE' });
      // Closing twice is harmless (shutdown paths may overlap).
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
