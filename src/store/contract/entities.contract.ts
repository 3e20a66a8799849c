// Contract tests for EntityStore: what every adapter must do with Cedar entities.
import { describe, expect, it } from 'vitest';
import type { CedarEntity } from '../../engine/signals.js';
import { useFreshStore, type OpenStore } from './harness.js';

const alice: CedarEntity = {
  uid: { type: 'User', id: 'alice' },
  attrs: { department: 'eng', level: 3, mfa: true, lastIp: { __extn: { fn: 'ip', arg: '10.0.0.1' } }, roles: ['dev', 'oncall'] },
  parents: [{ type: 'Group', id: 'eng' }],
  tags: { clearance: 'secret' },
};
const engGroup: CedarEntity = { uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [{ type: 'Group', id: 'all' }] };

export function entityContract(open: OpenStore): void {
  describe('entities', () => {
    const store = useFreshStore(open);

    it('round-trips an entity with attrs, parents and tags', async () => {
      await store().entities.upsertMany([alice, engGroup]);
      expect(await store().entities.get(alice.uid)).toEqual(alice);
      expect(await store().entities.get(engGroup.uid)).toEqual(engGroup);
      expect(await store().entities.get({ type: 'User', id: 'nobody' })).toBeUndefined();
      expect(await store().entities.count()).toBe(2);
    });

    it('keeps tags absent (not undefined or null) when none were given', async () => {
      await store().entities.upsertMany([engGroup]);
      const read = await store().entities.get(engGroup.uid);
      expect(read !== undefined && 'tags' in read).toBe(false);
    });

    it('distinguishes entities with the same id and different types', async () => {
      await store().entities.upsertMany([
        { uid: { type: 'User', id: 'x' }, attrs: { kind: 'user' }, parents: [] },
        { uid: { type: 'Group', id: 'x' }, attrs: { kind: 'group' }, parents: [] },
      ]);
      expect((await store().entities.get({ type: 'User', id: 'x' }))?.attrs).toEqual({ kind: 'user' });
      expect((await store().entities.get({ type: 'Group', id: 'x' }))?.attrs).toEqual({ kind: 'group' });
    });

    it('upsert replaces the whole entity, including dropping tags and parents', async () => {
      await store().entities.upsertMany([alice]);
      const replaced: CedarEntity = { uid: alice.uid, attrs: { department: 'sales' }, parents: [] };
      await store().entities.upsertMany([replaced]);
      expect(await store().entities.get(alice.uid)).toEqual(replaced);
      expect(await store().entities.count()).toBe(1);
    });

    it('lists entities ordered by type, then id', async () => {
      const refs = [
        { type: 'User', id: 'bob' },
        { type: 'Group', id: 'z' },
        { type: 'User', id: 'alice' },
        { type: 'Group', id: 'a' },
      ];
      await store().entities.upsertMany(refs.map((uid) => ({ uid, attrs: {}, parents: [] })));
      expect((await store().entities.list()).map((e) => `${e.uid.type}::${e.uid.id}`)).toEqual(['Group::a', 'Group::z', 'User::alice', 'User::bob']);
    });

    it('applies nothing when one entity in a batch is invalid', async () => {
      await store().entities.upsertMany([engGroup]);
      const invalid = { uid: { type: '', id: 'broken' }, attrs: {}, parents: [] };
      await expect(store().entities.upsertMany([alice, { ...engGroup, attrs: { changed: true } }, invalid])).rejects.toMatchObject({
        code: expect.stringMatching(/^TENET_ERR_STORE_/),
      });
      expect(await store().entities.get(alice.uid)).toBeUndefined();
      expect((await store().entities.get(engGroup.uid))?.attrs).toEqual({});
    });

    it('removes entities and reports how many existed', async () => {
      await store().entities.upsertMany([alice, engGroup]);
      expect(await store().entities.remove([alice.uid, { type: 'User', id: 'ghost' }])).toBe(1);
      expect(await store().entities.count()).toBe(1);
      expect(await store().entities.remove([])).toBe(0);
    });

    it('stores unusual ids verbatim', async () => {
      const ids = ['', 'with space', 'quote"and\\backslash', 'ünïcødé', 'a::b', '0'];
      await store().entities.upsertMany(ids.map((id) => ({ uid: { type: 'Thing', id }, attrs: { id }, parents: [] })));
      for (const id of ids) expect((await store().entities.get({ type: 'Thing', id }))?.attrs).toEqual({ id });
    });
  });
}
