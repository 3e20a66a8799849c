// Contract tests for SsfReceiverStore: jti replay memory per issuer (first wins, expiry, forget,
// purge) and the receiver's stream records.
import { describe, expect, it } from 'vitest';
import { useFreshStore, type OpenStore } from './harness.js';

const LATER = '2999-01-01T00:00:00.000Z';
const PAST = '2000-01-01T00:00:00.000Z';

export function ssfReceiverContract(open: OpenStore): void {
  describe('ssf receiver', () => {
    const store = useFreshStore(open);
    const receiver = () => store().ssfReceiver;

    it('remembers a jti once per issuer: the second time is a replay, another issuer is not', async () => {
      expect(await receiver().rememberJti('https://a.example', 'j1', LATER)).toBe(true);
      expect(await receiver().rememberJti('https://a.example', 'j1', LATER)).toBe(false);
      expect(await receiver().rememberJti('https://b.example', 'j1', LATER)).toBe(true);
    });

    it('forgets an expired jti, and one it was told to forget', async () => {
      expect(await receiver().rememberJti('https://a.example', 'old', PAST)).toBe(true);
      expect(await receiver().rememberJti('https://a.example', 'old', LATER)).toBe(true);
      expect(await receiver().forgetJti('https://a.example', 'old')).toBe(true);
      expect(await receiver().forgetJti('https://a.example', 'old')).toBe(false);
      expect(await receiver().rememberJti('https://a.example', 'old', LATER)).toBe(true);
    });

    it('purges jtis whose memory ended, keeping the rest', async () => {
      await receiver().rememberJti('https://a.example', 'gone', '2020-01-01T00:00:00.000Z');
      await receiver().rememberJti('https://a.example', 'kept', LATER);
      expect(await receiver().purgeJtis('2021-01-01T00:00:00.000Z')).toBe(1);
      expect(await receiver().rememberJti('https://a.example', 'kept', LATER)).toBe(false);
      await expect(receiver().purgeJtis('soon')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
      await expect(receiver().rememberJti('https://a.example', 'x', 'soon')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
    });

    it('keeps one stream per transmitter, replaced on put, removable', async () => {
      expect(await receiver().getStream('idp')).toBeUndefined();
      const stream = { transmitterId: 'idp', issuer: 'https://a.example', streamId: 's1', delivery: 'push' as const, createdAt: '2025-03-01T10:00:00.000Z' };
      await receiver().putStream(stream);
      expect(await receiver().getStream('idp')).toEqual(stream);
      await receiver().putStream({ ...stream, streamId: 's2', delivery: 'poll' });
      expect(await receiver().getStream('idp')).toMatchObject({ streamId: 's2', delivery: 'poll' });
      await expect(receiver().putStream({ ...stream, createdAt: 'now' })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
      expect(await receiver().removeStream('idp')).toBe(true);
      expect(await receiver().removeStream('idp')).toBe(false);
    });
  });
}
