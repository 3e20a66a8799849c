// Contract tests for SsfTransmitterStore: streams (create, read, per-owner listing, update scoped
// to the owner, delete with everything attached), subjects (added/removed, replaced by key), and
// pending SETs (oldest first, bounded by maxPending dropping the oldest, acknowledged by jti).
import { describe, expect, it } from 'vitest';
import type { SsfStreamRecord } from '../ports.js';
import { useFreshStore, type OpenStore } from './harness.js';

function stream(id: string, overrides: Partial<SsfStreamRecord> = {}): SsfStreamRecord {
  return {
    id,
    owner: 'token:receiver-a',
    audience: ['https://receiver.example'],
    deliveryMethod: 'push',
    endpointUrl: 'https://receiver.example/ssf/events',
    eventsRequested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'],
    defaultSubjects: 'ALL',
    status: 'enabled',
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

const event = (streamId: string, jti: string) => ({ streamId, jti, token: `header.${jti}.signature`, createdAt: '2025-03-01T10:00:00.000Z' });

export function ssfTransmitterContract(open: OpenStore): void {
  describe('ssf transmitter', () => {
    const store = useFreshStore(open);
    const ssf = () => store().ssfTransmitter;

    it('round-trips a stream with every optional field and one without, and refuses a duplicate id', async () => {
      const full = stream('s-full', { authorizationHeader: 'Bearer push-secret', description: 'for tests', statusReason: 'new', deliveryMethod: 'push' });
      const poll = stream('s-poll', { deliveryMethod: 'poll', defaultSubjects: 'NONE' });
      const { endpointUrl: _unused, ...pollWithoutUrl } = poll;
      await ssf().createStream(full);
      await ssf().createStream(pollWithoutUrl);
      expect(await ssf().getStream('s-full')).toEqual(full);
      expect(await ssf().getStream('s-poll')).toEqual(pollWithoutUrl);
      expect(await ssf().getStream('nope')).toBeUndefined();
      await expect(ssf().createStream(stream('s-full', { owner: 'token:other' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      await expect(ssf().createStream(stream('s-bad', { createdAt: 'today' }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONSTRAINT' });
    });

    it('lists one owner\'s streams oldest first, or all', async () => {
      await ssf().createStream(stream('late', { createdAt: '2025-03-01T12:00:00.000Z' }));
      await ssf().createStream(stream('early', { createdAt: '2025-03-01T09:00:00.000Z' }));
      await ssf().createStream(stream('other', { owner: 'token:receiver-b' }));
      expect((await ssf().listStreams('token:receiver-a')).map((one) => one.id)).toEqual(['early', 'late']);
      expect((await ssf().listStreams('token:receiver-b')).map((one) => one.id)).toEqual(['other']);
      expect((await ssf().listStreams()).map((one) => one.id).sort()).toEqual(['early', 'late', 'other']);
    });

    it('updates a stream only under its owner, and can clear optional fields', async () => {
      await ssf().createStream(stream('s1', { description: 'before', authorizationHeader: 'Bearer x' }));
      const { description: _d, authorizationHeader: _a, ...rest } = stream('s1');
      const changed: SsfStreamRecord = { ...rest, status: 'paused', statusReason: 'maintenance', eventsRequested: [], updatedAt: '2025-03-01T11:00:00.000Z' };
      expect(await ssf().updateStream(changed)).toBe(true);
      expect(await ssf().getStream('s1')).toEqual(changed);
      expect(await ssf().updateStream({ ...changed, owner: 'token:intruder', status: 'disabled' })).toBe(false);
      expect((await ssf().getStream('s1'))?.status).toBe('paused');
      expect(await ssf().updateStream(stream('ghost'))).toBe(false);
    });

    it('keeps one entry per subject key, replaced on each change', async () => {
      await ssf().createStream(stream('s1'));
      await ssf().putSubject('s1', { key: 'b', subject: { format: 'email', email: 'b@example.com' }, included: true });
      await ssf().putSubject('s1', { key: 'a', subject: { format: 'email', email: 'a@example.com' }, included: true });
      await ssf().putSubject('s1', { key: 'b', subject: { format: 'email', email: 'b@example.com' }, included: false });
      expect(await ssf().listSubjects('s1')).toEqual([
        { key: 'a', subject: { format: 'email', email: 'a@example.com' }, included: true },
        { key: 'b', subject: { format: 'email', email: 'b@example.com' }, included: false },
      ]);
      await expect(ssf().putSubject('ghost', { key: 'a', subject: {}, included: true })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_NOT_FOUND' });
    });

    it('queues events oldest first, drops the oldest beyond maxPending, and removes acknowledged ones', async () => {
      await ssf().createStream(stream('s1'));
      await ssf().createStream(stream('s2'));
      for (const jti of ['j1', 'j2', 'j3']) expect(await ssf().enqueue(event('s1', jti), 3)).toEqual([]);
      expect(await ssf().enqueue(event('s1', 'j4'), 3)).toEqual(['j1']);
      expect(await ssf().enqueue(event('s1', 'j5'), 2)).toEqual(['j2', 'j3']);
      await ssf().enqueue(event('s2', 'j1'), 3);
      expect(await ssf().pending('s1', 10)).toEqual([event('s1', 'j4'), event('s1', 'j5')]);
      expect(await ssf().pending('s1', 1)).toEqual([event('s1', 'j4')]);
      expect(await ssf().countPending('s1')).toBe(2);
      await expect(ssf().enqueue(event('s1', 'j5'), 3)).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
      await expect(ssf().enqueue(event('ghost', 'j1'), 3)).rejects.toMatchObject({ code: 'TENET_ERR_STORE_NOT_FOUND' });
      expect(await ssf().acknowledge('s1', ['j4', 'j4', 'unknown'])).toBe(1);
      expect(await ssf().acknowledge('s2', ['j5'])).toBe(0);
      expect((await ssf().pending('s1', 10)).map((one) => one.jti)).toEqual(['j5']);
      expect(await ssf().clearPending('s1')).toBe(1);
      expect(await ssf().countPending('s2')).toBe(1);
    });

    it('deletes a stream with its subjects and pending events', async () => {
      await ssf().createStream(stream('s1'));
      await ssf().putSubject('s1', { key: 'a', subject: { format: 'opaque', id: 'x' }, included: true });
      await ssf().enqueue(event('s1', 'j1'), 5);
      expect(await ssf().deleteStream('s1')).toBe(true);
      expect(await ssf().deleteStream('s1')).toBe(false);
      expect(await ssf().getStream('s1')).toBeUndefined();
      expect(await ssf().listSubjects('s1')).toEqual([]);
      expect(await ssf().countPending('s1')).toBe(0);
      await ssf().createStream(stream('s1'));
      expect(await ssf().pending('s1', 5)).toEqual([]);
    });
  });
}
