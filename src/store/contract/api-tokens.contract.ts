// Contract tests for ApiTokenStore: creation, lookup by hash, uniqueness, revocation.
import { describe, expect, it } from 'vitest';
import type { ApiScope, ApiTokenRecord } from '../ports.js';
import { useFreshStore, type OpenStore } from './harness.js';

function token(id: string, hash: string, createdAt = '2025-03-01T00:00:00.000Z'): ApiTokenRecord {
  return { id, name: `token ${id}`, tokenHash: hash, scopes: ['pdp'], createdAt };
}

export function apiTokenContract(open: OpenStore): void {
  describe('api tokens', () => {
    const store = useFreshStore(open);

    it('finds a token by hash', async () => {
      const t: ApiTokenRecord = { ...token('t1', 'a'.repeat(64)), scopes: ['pdp', 'admin'] };
      await store().apiTokens.create(t);
      expect(await store().apiTokens.findByHash('a'.repeat(64))).toEqual(t);
      expect(await store().apiTokens.findByHash('b'.repeat(64))).toBeUndefined();
    });

    it('rejects a duplicate id or hash', async () => {
      await store().apiTokens.create(token('t1', 'h1'));
      await expect(store().apiTokens.create(token('t1', 'h2'))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      await expect(store().apiTokens.create(token('t2', 'h1'))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      expect(await store().apiTokens.list()).toHaveLength(1);
    });

    it('rejects unknown scopes', async () => {
      await expect(store().apiTokens.create({ ...token('t1', 'h1'), scopes: ['root' as ApiScope] })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect(await store().apiTokens.list()).toEqual([]);
    });

    it('revokes once and keeps the first revocation time', async () => {
      await store().apiTokens.create(token('t1', 'h1'));
      expect(await store().apiTokens.revoke('t1', '2025-03-02T00:00:00.000Z')).toBe(true);
      expect(await store().apiTokens.revoke('t1', '2025-03-09T00:00:00.000Z')).toBe(false);
      expect(await store().apiTokens.revoke('ghost', '2025-03-02T00:00:00.000Z')).toBe(false);
      // Revoked tokens are still found, carrying revokedAt, so callers can reject them explicitly.
      expect((await store().apiTokens.findByHash('h1'))?.revokedAt).toBe('2025-03-02T00:00:00.000Z');
    });

    it('lists tokens in creation order', async () => {
      await store().apiTokens.create(token('b', 'h2', '2025-03-02T00:00:00.000Z'));
      await store().apiTokens.create(token('a', 'h1', '2025-03-03T00:00:00.000Z'));
      await store().apiTokens.create(token('c', 'h3', '2025-03-01T00:00:00.000Z'));
      expect((await store().apiTokens.list()).map((t) => t.id)).toEqual(['c', 'b', 'a']);
    });
  });
}
