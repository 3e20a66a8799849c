import { describe, expect, it } from 'vitest';
import { AuditLog } from '../decision-log.js';
import { loadOrCreateAuditKey } from '../signing-key.js';
import { verifyRecords } from '../verify.js';
import { memorySettings, openAuditTestDb } from '../testing/audit-db.js';
import { sampleEntry } from '../testing/fixtures.js';
import { exportJsonLines, parseJsonLine } from './jsonl.js';
import { exportOcsf, toOcsf } from './ocsf.js';
import type { AuditRecord } from '../record.js';

async function filledLog(count: number) {
  const t = openAuditTestDb();
  const key = await loadOrCreateAuditKey(memorySettings());
  const log = await AuditLog.open({ store: t.store, signingKey: key, checkpointEvery: 10 });
  await Promise.all(Array.from({ length: count }, (_, i) => log.record(sampleEntry(i + 1, i === 0 ? { caller: 'token:ci' } : {}))));
  await log.close();
  return { ...t, key };
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('JSON-lines export', () => {
  it('writes one full record per line that verifies offline', async () => {
    const t = await filledLog(25);
    const lines = await collect(exportJsonLines(t.store, { pageSize: 4 }));
    expect(lines).toHaveLength(25);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const first = JSON.parse(lines[0] ?? '') as { seq: number; caller: string; body: { request: { subject: { id: string } } } };
    expect(first).toMatchObject({ seq: 1, caller: 'token:ci', body: { request: { subject: { id: 'user-1' } } } });

    const records = lines.map((line, i) => parseJsonLine(line, i + 1));
    expect(records).toEqual(await t.store.range(1, 25));
    expect(await verifyRecords(records, await t.store.checkpoints(), [t.key.publicKey])).toMatchObject({ ok: true, records: 25, checkpoints: 3 });
  });

  it('detects an edit made to the exported file', async () => {
    const t = await filledLog(5);
    const lines = await collect(exportJsonLines(t.store));
    lines[2] = (lines[2] ?? '').replace('"outcome":"deny"', '"outcome":"allow"');
    const records = lines.map((line, i) => parseJsonLine(line, i + 1));
    expect((await verifyRecords(records, [], [])).failure).toMatchObject({ problem: 'hash-mismatch', seq: 3 });
  });

  it('names the line of a malformed record', () => {
    expect(() => parseJsonLine('{"seq":0}', 7)).toThrow(expect.objectContaining({ code: 'TENET_ERR_AUDIT_CORRUPT', message: 'line 7: not an audit record' }));
    expect(() => parseJsonLine('nope', 8)).toThrow(expect.objectContaining({ code: 'TENET_ERR_AUDIT_CORRUPT' }));
  });
});

describe('OCSF export', () => {
  async function recordFor(n: number, options: Parameters<typeof sampleEntry>[1] = {}): Promise<AuditRecord> {
    const t = openAuditTestDb();
    const log = await AuditLog.open({ store: t.store });
    const entry = sampleEntry(n, options);
    await log.record({ ...entry, request: { ...entry.request, environment: { ...entry.request.environment, path: '/docs/1?page=2' } } });
    const record = await t.store.last();
    if (record === undefined) throw new Error('not recorded');
    return record;
  }

  it('maps an allow to Web Resource Access Activity: Access Grant', async () => {
    const record = await recordFor(1, { caller: 'token:ci' });
    expect(toOcsf(record, { productVersion: '0.1.0' })).toMatchObject({
      class_uid: 6004,
      category_uid: 6,
      activity_id: 1,
      activity_name: 'Access Grant',
      type_uid: 600401,
      severity_id: 1,
      status_id: 1,
      status: 'Success',
      status_detail: 'policy-permit',
      action_id: 1,
      time: Date.parse(record.time),
      actor: { user: { uid: 'user-1', name: 'user-1' } },
      device: { uid: 'laptop-1', type_id: 0 },
      src_endpoint: { ip: '198.51.100.7' },
      http_request: { http_method: 'GET', url: { path: '/docs/1', query_string: 'page=2' }, user_agent: 'curl/8.5' },
      web_resources: [{ uid: 'route-1', name: 'App::Route::"route-1"', type: 'App::Route' }],
      authorizations: [{ decision: 'allow', policy: { uid: 'eng-read-docs', version: 'sha256:abc123' } }],
      risk_score: 10,
      risk_level_id: 1,
      metadata: { version: '1.3.0', product: { name: 'Tenet', vendor_name: 'Tenet', version: '0.1.0' }, uid: record.decisionId, sequence: 1 },
      unmapped: { tenet: { seq: 1, hash: record.hash, pep: 'forward-auth', caller: 'token:ci', reasons: [{ code: 'policy-permit' }] } },
    });
  });

  it('maps a deny to Access Deny / Failure with its reasons and risk', async () => {
    const event = toOcsf(await recordFor(3));
    expect(event).toMatchObject({
      activity_id: 2,
      type_uid: 600402,
      status_id: 2,
      status: 'Failure',
      status_detail: 'risk-too-high, risk-factor',
      action_id: 2,
      severity_id: 3,
      risk_level: 'High',
      risk_details: 'device-posture-stale: posture observed 3h ago; limit is 1h',
    });
  });

  it('maps a step-up to Access Deny (not yet granted)', async () => {
    expect(toOcsf(await recordFor(2, { outcome: 'step-up' }))).toMatchObject({ activity_id: 2, status_id: 2, status_code: 'step-up' });
  });

  it('streams one event per line', async () => {
    const t = await filledLog(12);
    const lines = await collect(exportOcsf(t.store, { pageSize: 5 }));
    expect(lines.map((line) => (JSON.parse(line) as { metadata: { sequence: number } }).metadata.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});
