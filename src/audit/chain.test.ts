import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import canonicalize from 'canonicalize';
import { buildRecordFields, entityKey, recordTime } from './build.js';
import { EMPTY_HEAD, GENESIS_HASH, computeRecordHash, sealRecord } from './chain.js';
import { parseAuditBody } from './body.js';
import { sampleEntry } from './testing/fixtures.js';

describe('record building', () => {
  it('names entities the Cedar way', () => {
    expect(entityKey({ type: 'App::Route', id: 'wiki "main"' })).toBe('App::Route::"wiki \\"main\\""');
  });

  it('normalises the record time and falls back to the clock for an unparseable one', () => {
    expect(recordTime('2025-03-01T11:00:00+01:00', new Date(0))).toBe('2025-03-01T10:00:00.000Z');
    expect(recordTime('not a time', new Date(5))).toBe('1970-01-01T00:00:00.005Z');
  });

  it('puts the full tuple and decision in a canonical body', () => {
    const entry = sampleEntry(3, { caller: 'token:ci' });
    const fields = buildRecordFields(entry, new Date());
    expect(fields).toMatchObject({ decisionId: entry.decision.id, pep: 'forward-auth', caller: 'token:ci', subject: 'User::"user-3"', action: 'read', resource: 'App::Route::"route-3"', outcome: 'deny' });
    expect(fields.body).toBe(canonicalize(JSON.parse(fields.body)));
    const body = parseAuditBody({ seq: 1, body: fields.body });
    const { id: _id, ...decision } = entry.decision;
    expect(body).toEqual({ v: 1, decisionId: entry.decision.id, pep: 'forward-auth', caller: 'token:ci', request: entry.request, decision });
  });

  it('omits caller rather than storing undefined', () => {
    const fields = buildRecordFields(sampleEntry(1), new Date());
    expect('caller' in fields).toBe(false);
    expect(fields.body).not.toMatch(/"caller"/);
  });
});

describe('hash chain', () => {
  it('hashes sha256(prevHash || canonical content) and links each record to the previous', () => {
    const first = sealRecord(EMPTY_HEAD, buildRecordFields(sampleEntry(1), new Date()));
    const second = sealRecord(first, buildRecordFields(sampleEntry(2), new Date()));
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    const { hash: _h, prevHash: _p, ...content } = second;
    const expected = createHash('sha256').update(first.hash + canonicalize(content)).digest('hex');
    expect(second.hash).toBe(expected);
  });

  it('changes the hash when any field or the position changes', () => {
    const record = sealRecord(EMPTY_HEAD, buildRecordFields(sampleEntry(1), new Date()));
    const variants = [{ ...record, outcome: 'deny' as const }, { ...record, seq: 2 }, { ...record, body: record.body.replace('read', 'write') }, { ...record, caller: 'x' }, { ...record, time: '2030-01-01T00:00:00.000Z' }];
    for (const variant of variants) expect(computeRecordHash(record.prevHash, variant)).not.toBe(record.hash);
    expect(computeRecordHash('1'.repeat(64), record)).not.toBe(record.hash);
  });
});
