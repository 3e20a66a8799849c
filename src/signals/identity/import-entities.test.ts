// Tests for importEntities against a real (in-memory SQLite) store: all or nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { importEntities } from './import-entities.js';

describe('importEntities', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('upserts every entity of a good file', async () => {
    const text = JSON.stringify([{ uid: { type: 'User', id: 'a' }, attrs: {}, parents: [] }, { uid: { type: 'User', id: 'b' }, attrs: {}, parents: [] }]);
    expect(await importEntities(store, text, 'users.json')).toEqual({ imported: 2 });
    expect(await store.entities.count()).toBe(2);
  });

  it('writes nothing when any element is bad', async () => {
    const text = JSON.stringify([{ uid: { type: 'User', id: 'a' } }, { uid: { type: 'User', id: 42 } }]);
    await expect(importEntities(store, text, 'users.json')).rejects.toMatchObject({ code: 'TENET_ERR_IMPORT_INVALID' });
    expect(await store.entities.count()).toBe(0);
  });
});
