// Shared setup for the store contract suite: every test gets a freshly opened store and closes it
// afterwards, so adapters are tested from an empty state and leaked handles surface as failures.
import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../ports.js';

export type OpenStore = () => Promise<Store>;

/** Registers per-test open/close hooks in the current describe block; call `current()` inside a test. */
export function useFreshStore(open: OpenStore): () => Store {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  return () => {
    if (store === undefined) throw new Error('store contract: no store open (used outside a test?)');
    return store;
  };
}
