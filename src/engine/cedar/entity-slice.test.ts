// EntitySlice with request-time parents: they join the stored parents in the request's copy of the
// entity (never in the stored object), their stored ancestors come along, scope matching sees
// them, and malformed or cyclic ones are an invalid request.
import { describe, expect, it } from 'vitest';
import { isTenetError } from '../../errors.js';
import type { CedarEntity } from '../signals.js';
import { entityLookup } from '../testdata/fixtures.js';
import { MAX_REQUEST_PARENTS, type EntityRef, type RequestEntity } from '../tuple.js';
import { entityKey } from './entity-key.js';
import { EntitySlice } from './entity-slice.js';

const group = (id: string): EntityRef => ({ type: 'Group', id });
const STORE: readonly CedarEntity[] = [
  { uid: { type: 'User', id: 'alice' }, attrs: { level: 3 }, parents: [group('engineers')], tags: { team: 'core' } },
  { uid: group('engineers'), attrs: {}, parents: [group('staff')] },
  { uid: group('staff'), attrs: {}, parents: [] },
  { uid: group('finance'), attrs: {}, parents: [group('corp')] },
  { uid: group('corp'), attrs: {}, parents: [] },
  { uid: group('loop'), attrs: {}, parents: [{ type: 'User', id: 'bob' }] },
  { uid: { type: 'App', id: 'ledger' }, attrs: {}, parents: [] },
];
const newSlice = (): EntitySlice => new EntitySlice(entityLookup(STORE), new Map());
const stored = (ref: EntityRef): CedarEntity => STORE.find((entity) => entityKey(entity.uid) === entityKey(ref)) as CedarEntity;
const entry = (slice: EntitySlice, ref: EntityRef): CedarEntity | undefined => slice.toArray().find((entity) => entityKey(entity.uid) === entityKey(ref));

function invalidRequest(act: () => void): string {
  try {
    act();
  } catch (error) {
    if (isTenetError(error) && error.code === 'TENET_ERR_REQUEST_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected TENET_ERR_REQUEST_INVALID');
}

describe('EntitySlice request-time parents', () => {
  it('hands over the stored object itself when there is nothing to overlay, empty parents included', () => {
    for (const subject of [{ type: 'User', id: 'alice' }, { type: 'User', id: 'alice', parents: [] }] satisfies RequestEntity[]) {
      const slice = newSlice();
      slice.addRequestEntity(subject, 'subject');
      expect(entry(slice, subject)).toBe(stored(subject));
    }
  });

  it('unions stored and request parents in a new object, keeping attributes and tags, and leaves the store alone', () => {
    const slice = newSlice();
    const alice = { type: 'User', id: 'alice' };
    slice.addRequestEntity({ ...alice, parents: [group('finance'), group('engineers'), group('finance')] }, 'subject');
    const copy = entry(slice, alice);
    expect(copy).not.toBe(stored(alice));
    expect(copy).toEqual({ uid: alice, attrs: { level: 3 }, parents: [group('engineers'), group('finance')], tags: { team: 'core' } });
    expect(stored(alice).parents).toEqual([group('engineers')]);
    // The request parent's stored ancestors are in the slice and count as used signals.
    expect(entry(slice, group('corp'))).toBe(stored(group('corp')));
    expect([...slice.storedKeys].sort()).toEqual(['Group::"corp"', 'Group::"engineers"', 'Group::"finance"', 'Group::"staff"', 'User::"alice"']);
    expect([...slice.selfAndAncestors(alice)].sort()).toEqual(['Group::"corp"', 'Group::"engineers"', 'Group::"finance"', 'Group::"staff"', 'User::"alice"']);
  });

  it('gives an entity not in the store the request parents, known to the store or not', () => {
    const slice = newSlice();
    const bob = { type: 'User', id: 'bob' };
    slice.addRequestEntity({ ...bob, properties: { level: 1 }, parents: [group('finance'), group('ghosts')] }, 'subject');
    expect(entry(slice, bob)).toEqual({ uid: bob, attrs: { level: 1 }, parents: [group('finance'), group('ghosts')] });
    expect(entry(slice, group('ghosts'))).toBeUndefined();
    expect(slice.storedKeys.has('Group::"ghosts"')).toBe(false);
    expect([...slice.selfAndAncestors(bob)].sort()).toEqual(['Group::"corp"', 'Group::"finance"', 'Group::"ghosts"', 'User::"bob"']);
  });

  it('adds request parents to the resource as well', () => {
    const slice = newSlice();
    const ledger = { type: 'App', id: 'ledger' };
    slice.addRequestEntity({ type: 'User', id: 'alice' }, 'subject');
    slice.addRequestEntity({ ...ledger, parents: [{ type: 'AppGroup', id: 'finance-apps' }] }, 'resource');
    expect(entry(slice, ledger)?.parents).toEqual([{ type: 'AppGroup', id: 'finance-apps' }]);
    expect(slice.selfAndAncestors(ledger).has('AppGroup::"finance-apps"')).toBe(true);
  });

  it('rejects malformed parents, naming where', () => {
    const bob = { type: 'User', id: 'bob' };
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: [group('')] }, 'subject'))).toMatch(/^subject\.parents\[0\]\.id: /);
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: [group('a'), { type: '', id: 'x' }] }, 'subject'))).toMatch(/^subject\.parents\[1\]\.type: /);
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: [{ type: 'My Group', id: 'x' }] }, 'resource'))).toMatch(/^resource\.parents\[0\]\.type: /);
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: [{ type: 'in', id: 'x' }] }, 'subject'))).toMatch(/^subject\.parents\[0\]\.type: /);
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: [{ type: 'Group' } as EntityRef] }, 'subject'))).toMatch(/^subject\.parents\[0\]\.id: /);
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: [null as unknown as EntityRef] }, 'subject'))).toMatch(/^subject\.parents\[0\]: /);
    expect(invalidRequest(() => newSlice().addRequestEntity({ ...bob, parents: 'Group::"a"' as unknown as EntityRef[] }, 'subject'))).toMatch(/^subject\.parents: /);
  });

  it(`accepts ${MAX_REQUEST_PARENTS} parents and rejects one more`, () => {
    const many = (n: number): EntityRef[] => Array.from({ length: n }, (_, i) => group(`g${i}`));
    const slice = newSlice();
    slice.addRequestEntity({ type: 'User', id: 'bob', parents: many(MAX_REQUEST_PARENTS) }, 'subject');
    expect(entry(slice, { type: 'User', id: 'bob' })?.parents).toHaveLength(MAX_REQUEST_PARENTS);
    expect(invalidRequest(() => newSlice().addRequestEntity({ type: 'User', id: 'bob', parents: many(MAX_REQUEST_PARENTS + 1) }, 'subject'))).toMatch(/at most 256/);
  });

  it('rejects request parents that make the entity its own ancestor', () => {
    // Itself as a parent.
    expect(invalidRequest(() => newSlice().addRequestEntity({ type: 'User', id: 'bob', parents: [{ type: 'User', id: 'bob' }] }, 'subject'))).toMatch(/User::"bob" its own ancestor/);
    // Through the store: Group::"loop" is a child of User::"bob".
    expect(invalidRequest(() => newSlice().addRequestEntity({ type: 'User', id: 'bob', parents: [group('loop')] }, 'subject'))).toMatch(/^subject\.parents: /);
    // Through the other request entity's request parents: found when the second one is added.
    const slice = newSlice();
    slice.addRequestEntity({ type: 'User', id: 'bob', parents: [{ type: 'Doc', id: 'd' }] }, 'subject');
    expect(invalidRequest(() => slice.addRequestEntity({ type: 'Doc', id: 'd', parents: [{ type: 'User', id: 'bob' }] }, 'resource'))).toMatch(/^resource\.parents: .*Doc::"d"/);
  });
});
