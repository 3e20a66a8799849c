// `tenet serve` as a real process, driven by signals the way an operator or init system drives it:
// SIGHUP reloads (and refuses a broken policy set, keeping the old one), SIGKILL mid-stream loses no
// acknowledged decision, a restart resumes the chain, and SIGTERM exits 0 after signing a final
// checkpoint. Each process is spawned with `--listen 127.0.0.1:0`; its URL comes from the
// "tenet is serving" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog, type VerifyResult } from '../src/audit/index.js';
import { loadConfig } from '../src/config/load.js';
import { loadAuditKey } from '../src/runtime.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { bobReadsWiki, CLI_ENTRY, copyQuickstart, readmeRequests, REPO_ROOT, type QuickstartCopy, type WireDecision } from './support/quickstart.js';

interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logs: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line (already seen or future) matching `match` after index `from`. */
  waitForLog(match: (line: LogLine) => boolean, from?: number): Promise<LogLine>;
}

const children = new Set<ChildProcess>();
const copies: QuickstartCopy[] = [];

async function startServe(configFile: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'serve', '--config', configFile, '--listen', '127.0.0.1:0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const logs: LogLine[] = [];
  let stderr = '';
  const watchers: { match: (line: LogLine) => boolean; from: number; resolve: (line: LogLine) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { level: 0, msg: text };
    }
    logs.push(line);
    for (const watcher of [...watchers]) {
      if (logs.length - 1 >= watcher.from && watcher.match(line)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  });
  const waitForLog = (match: (line: LogLine) => boolean, from = 0) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = logs.slice(from).find(match);
      if (seen) return resolve(seen);
      watchers.push({ match, from, resolve });
      void exited.then(({ code, signal }) => reject(new Error(`tenet serve exited (${code ?? signal}) before the expected log line\n${stderr}`)));
    });
  const serving = await waitForLog((line) => line.msg === 'tenet is serving');
  return { child, url: String(serving.url), logs, exited, waitForLog };
}

async function evaluate(server: ServeProcess, request: unknown): Promise<WireDecision> {
  const response = await fetch(`${server.url}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  expect(response.status).toBe(200);
  return (await response.json()) as WireDecision;
}

/** Opens the store the way `tenet audit verify` does and checks the chain with the server's key. */
async function inspectLog(copy: QuickstartCopy, decisionIds: Iterable<string>): Promise<{ result: VerifyResult; missing: string[] }> {
  const store = await openSqliteStore({ path: copy.storePath });
  try {
    const key = await loadAuditKey(loadConfig(copy.configFile), store, copy.storePath, { create: false });
    const result = await verifyAuditLog(store.audit, [key.publicKey]);
    const missing: string[] = [];
    for (const id of decisionIds) {
      const { records } = await store.audit.query({ decisionId: id, limit: 1 });
      if (records[0]?.decisionId !== id) missing.push(id);
    }
    return { result, missing };
  } finally {
    await store.close();
  }
}

function newCopy(overrides: Record<string, unknown> = {}): QuickstartCopy {
  const copy = copyQuickstart({ 'api.auth': 'none', ...overrides });
  copies.push(copy);
  return copy;
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const copy of copies) copy.cleanup();
});

describe('tenet serve (a real process): SIGHUP reload, SIGTERM shutdown', { timeout: 60_000 }, () => {
  let copy: QuickstartCopy;
  let server: ServeProcess;
  const answered: string[] = [];
  const decide = async (request: unknown) => {
    const decision = await evaluate(server, request);
    answered.push(decision.context.id);
    return decision;
  };
  const policyFile = () => join(copy.policiesDir, 'zz-e2e.cedar');

  beforeAll(async () => {
    copy = newCopy();
    server = await startServe(copy.configFile);
  });

  it('SIGHUP picks up a changed policy: the same request\'s outcome flips', async () => {
    const before = await decide(bobReadsWiki());
    expect(before.context.outcome).toBe('allow');

    writeFileSync(policyFile(), '@id("e2e-no-wiki-for-bob")\nforbid (principal == User::"bob", action == Action::"read", resource == App::"wiki");\n');
    const mark = server.logs.length;
    server.child.kill('SIGHUP');
    const reloaded = await server.waitForLog((line) => line.msg === 'reloaded', mark);
    expect(reloaded.policyVersion).not.toBe(before.context.policy_version);

    const after = await decide(bobReadsWiki());
    expect(after.context.outcome).toBe('deny');
    expect(after.context.reasons).toContainEqual(expect.objectContaining({ code: 'policy-forbid', policy_id: 'e2e-no-wiki-for-bob' }));
    expect(after.context.policy_version).toBe(reloaded.policyVersion);
  });

  it('SIGHUP with a broken policy is refused and logged; the active set keeps answering unchanged', async () => {
    const before = await decide(bobReadsWiki());
    writeFileSync(policyFile(), '@id("e2e-no-wiki-for-bob")\nforbid (principal == User::"bob", action == Action::"read", resource ==\n');
    const mark = server.logs.length;
    server.child.kill('SIGHUP');
    const refused = await server.waitForLog((line) => line.level >= 50 && /reload refused/.test(line.msg ?? ''), mark);
    expect(JSON.stringify(refused.issues)).toContain('zz-e2e.cedar');

    const after = await decide(bobReadsWiki());
    expect(after.context.outcome).toBe(before.context.outcome);
    expect(after.context.policy_version).toBe(before.context.policy_version);
    expect(server.child.exitCode).toBeNull();
  });

  it('SIGTERM exits 0 after a final signed checkpoint: the log verifies with no unanchored record', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const { result, missing } = await inspectLog(copy, answered);
    expect(missing).toEqual([]);
    expect(result).toMatchObject({ ok: true, records: answered.length, lastCheckpointSeq: answered.length, unanchored: 0 });
  });
});

describe('tenet serve (a real process): crash safety', { timeout: 60_000 }, () => {
  let copy: QuickstartCopy;
  const acknowledged = new Set<string>();

  beforeAll(() => {
    // Frequent checkpoints, so some are signed mid-stream and the crash lands between two.
    copy = newCopy({ 'audit.checkpointEvery': 25 });
  });

  it('SIGKILL mid-stream loses no acknowledged decision, and the chain still verifies', async () => {
    const server = await startServe(copy.configFile);
    const total = 200;
    const inFlight = 16;
    const killAfter = 80;
    const requests = readmeRequests();
    const variants = [requests.allow, requests.threatListed, requests.stepUp, bobReadsWiki()];
    let next = 0;
    let failed = 0;
    let killed = false;

    const worker = async () => {
      for (let index = next++; index < total; index = next++) {
        try {
          const response = await fetch(`${server.url}/access/v1/evaluation`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(variants[index % variants.length]),
          });
          const body = (await response.json()) as WireDecision;
          // Acknowledged: the PEP has the answer in hand, so the log must have it too.
          if (response.status === 200) acknowledged.add(body.context.id);
        } catch {
          failed += 1;
        }
        if (!killed && acknowledged.size >= killAfter) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acknowledged.size).toBeGreaterThanOrEqual(killAfter);
    expect(failed, 'the kill should land mid-stream').toBeGreaterThan(0);

    const { result, missing } = await inspectLog(copy, acknowledged);
    expect(missing).toEqual([]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(result.records).toBeGreaterThanOrEqual(acknowledged.size);
    // Checkpoints are signed after the records they cover, so the newest may be lost with the process.
    expect(result.checkpoints).toBeGreaterThan(0);
  });

  it('a restart on the crashed store resumes the chain, and SIGTERM leaves it fully anchored', async () => {
    const server = await startServe(copy.configFile);
    const decision = await evaluate(server, readmeRequests().allow);
    expect(decision.context.outcome).toBe('allow');
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const { result, missing } = await inspectLog(copy, [...acknowledged, decision.context.id]);
    expect(missing).toEqual([]);
    expect(result).toMatchObject({ ok: true, unanchored: 0 });
    expect(result.records).toBeGreaterThan(acknowledged.size);
  });
});
