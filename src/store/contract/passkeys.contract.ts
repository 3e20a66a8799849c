// Contract tests for PasskeyStore: add (unique ids), read, per-subject listing in registration
// order, recording use (counter and time), and removal scoped to the owner.
import { describe, expect, it } from 'vitest';
import type { EntityRef } from '../../engine/tuple.js';
import type { PasskeyCredential } from '../../enforcement/passkeys/passkey-credential.js';
import { useFreshStore, type OpenStore } from './harness.js';

const ALICE: EntityRef = { type: 'User', id: 'alice@example.com' };
const BOB: EntityRef = { type: 'User', id: 'bob@example.com' };

function passkey(id: string, overrides: Partial<PasskeyCredential> = {}): PasskeyCredential {
  return {
    id,
    subject: ALICE,
    publicKey: 'pQECAyYgASFYIKx7',
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'multiDevice',
    backedUp: true,
    name: `key ${id}`,
    createdAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

export function passkeyContract(open: OpenStore): void {
  describe('passkeys', () => {
    const store = useFreshStore(open);
    const passkeys = () => store().passkeys;

    it('round-trips a passkey with every optional field, and a minimal one without them', async () => {
      const complete = passkey('cred-full', { aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd', lastUsedAt: '2025-03-01T11:00:00.000Z', counter: 7, deviceType: 'singleDevice', backedUp: false, transports: [] });
      const minimal = passkey('cred-min');
      await passkeys().add(complete);
      await passkeys().add(minimal);
      expect(await passkeys().get('cred-full')).toEqual(complete);
      const read = await passkeys().get('cred-min');
      expect(read).toEqual(minimal);
      expect(read !== undefined && ('aaguid' in read || 'lastUsedAt' in read)).toBe(false);
      expect(await passkeys().get('unknown')).toBeUndefined();
    });

    it('refuses a second passkey with the same credential id, even for another subject, and keeps the first', async () => {
      await passkeys().add(passkey('dup'));
      await expect(passkeys().add(passkey('dup', { subject: BOB }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      expect((await passkeys().get('dup'))?.subject).toEqual(ALICE);
    });

    it('refuses a record with a bad time or counter, writing nothing', async () => {
      await expect(passkeys().add(passkey('bad-time', { createdAt: 'yesterday' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      await expect(passkeys().add(passkey('bad-counter', { counter: -1 }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect(await passkeys().get('bad-time')).toBeUndefined();
      expect(await passkeys().get('bad-counter')).toBeUndefined();
    });

    it('lists one subject\'s passkeys, oldest first, and nobody else\'s', async () => {
      await passkeys().add(passkey('late', { createdAt: '2025-03-01T12:00:00.000Z' }));
      // 11:30+02:00 is 09:30Z: the oldest, whatever its text says.
      await passkeys().add(passkey('early', { createdAt: '2025-03-01T11:30:00.000+02:00' }));
      await passkeys().add(passkey('middle', { createdAt: '2025-03-01T10:00:00.000Z' }));
      await passkeys().add(passkey('bobs', { subject: BOB }));
      expect((await passkeys().listFor(ALICE)).map((one) => one.id)).toEqual(['early', 'middle', 'late']);
      expect((await passkeys().listFor(BOB)).map((one) => one.id)).toEqual(['bobs']);
      // Same id, another type: a different principal.
      expect(await passkeys().listFor({ type: 'Admin', id: ALICE.id })).toEqual([]);
    });

    it('records use: the new counter and when; an unknown id is a no-op; a bad time or counter is refused', async () => {
      await passkeys().add(passkey('used', { counter: 3 }));
      await passkeys().recordUse('used', 4, '2025-03-01T11:00:00.000Z');
      expect(await passkeys().get('used')).toMatchObject({ counter: 4, lastUsedAt: '2025-03-01T11:00:00.000Z' });
      await expect(passkeys().recordUse('ghost', 1, '2025-03-01T11:00:00.000Z')).resolves.toBeUndefined();
      await expect(passkeys().recordUse('used', 5, 'now')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
      await expect(passkeys().recordUse('used', 2 ** 32, '2025-03-01T12:00:00.000Z')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
      expect((await passkeys().get('used'))?.counter).toBe(4);
    });

    it('removes a passkey only for its owner', async () => {
      await passkeys().add(passkey('mine'));
      expect(await passkeys().remove(BOB, 'mine')).toBe(false);
      expect(await passkeys().get('mine')).toBeDefined();
      expect(await passkeys().remove(ALICE, 'mine')).toBe(true);
      expect(await passkeys().get('mine')).toBeUndefined();
      expect(await passkeys().remove(ALICE, 'mine')).toBe(false);
    });
  });
}
