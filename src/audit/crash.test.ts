// Crash safety: a writer process is SIGKILLed mid-stream; every record it acknowledged must be in
// the database afterwards and the chain must verify ("no log record lost on crash once
// acknowledged", ARCHITECTURE.md §6). Relies on WAL + synchronous=FULL.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from './decision-log.js';
import { auditKeyFromPem } from './signing-key.js';
import { verifyAuditLog } from './verify.js';
import { openAuditTestDb } from './testing/audit-db.js';
import { sampleEntry } from './testing/fixtures.js';

const writerScript = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tenet-audit-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `atLeast` records, then SIGKILLs it. Returns the acked decision ids. */
function runAndKill(dbPath: string, pem: string, atLeast: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dbPath], {
      cwd: repoRoot,
      env: { ...process.env, TENET_TEST_AUDIT_KEY: pem },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
      if (acked.length >= atLeast && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('decision log crash safety', () => {
  it('keeps every acknowledged record and a verifiable chain after SIGKILL, twice over', async () => {
    const dbPath = join(dir, 'tenet.db');
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = auditKeyFromPem(pem, 'test');

    // Two runs: the second resumes a chain whose writer was killed, then is killed too.
    const acked = [...(await runAndKill(dbPath, pem, 300)), ...(await runAndKill(dbPath, pem, 300))];
    expect(acked.length).toBeGreaterThanOrEqual(600);

    const t = openAuditTestDb(dbPath);
    try {
      const present = t.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM audit_records WHERE decision_id = ?');
      const missing = acked.filter((id) => present.get(id)?.n !== 1);
      expect(missing).toEqual([]);

      const result = await verifyAuditLog(t.store, [key.publicKey]);
      expect(result).toMatchObject({ ok: true });
      expect(result.records).toBeGreaterThanOrEqual(acked.length);
      expect(result.checkpoints).toBeGreaterThan(0);

      // A new writer continues the chain where the killed one stopped.
      const log = await AuditLog.open({ store: t.store, signingKey: key, checkpointEvery: 50 });
      await log.record(sampleEntry(1));
      await log.close();
      expect(await verifyAuditLog(t.store, [key.publicKey])).toMatchObject({ ok: true, records: result.records + 1, unanchored: 0 });
    } finally {
      t.close();
    }
  });
});
