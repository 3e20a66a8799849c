// The `tenet` command as users run it: a subprocess per invocation, checked by exit status, stdout
// and stderr (docs/cli.md); only the --help sweep runs every command through the real entry point
// in one process (test/support/cli-help-all.ts). Stores are real SQLite files in a temp copy of the quickstart; the
// tampering tests attack the file as someone with write access would (guard triggers dropped, raw
// SQL) and `tenet audit verify` must name the record.
//
// Each CLI start costs a second or two of CPU, so the count of subprocesses is kept to what the
// claims need, and at most two run at a time (test/support/quickstart.ts).
import { copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../src/config/load.js';
import { parseAccessRequest } from '../src/pdp/tuple-schema.js';
import { openRuntime } from '../src/runtime.js';
import { serve, type RunningServer } from '../src/server.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { bobReadsWiki, copyQuickstart, REPO_ROOT, runCli, runNode, type QuickstartCopy } from './support/quickstart.js';

const AT = '2026-11-23T10:00:00Z';
const AUTHENTICATED_AT = '2026-11-23T09:55:00Z';

let copy: QuickstartCopy;
/** A closed decision log: outcome and decision id per seq (index 0 = seq 1). */
const logged: { decisionId: string; outcome: string }[] = [];
const tampered: Record<'edited' | 'deleted' | 'swapped', string> = { edited: '', deleted: '', swapped: '' };

function tuple(subject: string, action: string, resource: string, deviceId: string, ip: string, strong: boolean) {
  return {
    subject: { type: 'User', id: subject },
    action: { name: action },
    resource: { type: 'App', id: resource },
    deviceId,
    environment: { ip },
    authn: strong ? { methods: ['hwk', 'webauthn'], phishingResistant: true, authenticatedAt: AUTHENTICATED_AT } : { methods: ['pwd'], phishingResistant: false, authenticatedAt: AUTHENTICATED_AT },
  };
}

const REQUESTS = {
  allow: tuple('alice', 'read', 'payroll', 'alice-laptop', '192.0.2.10', true),
  deny: tuple('alice', 'administer', 'admin-console', 'alice-laptop', '203.0.113.7', true),
  stepUp: tuple('alice', 'read', 'payroll', 'alice-laptop', '192.0.2.10', false),
};

/** Opens the SQLite file as an attacker would: drops the append-only triggers, whatever their names. */
function tamper(storePath: string, sql: string): void {
  const db = new Database(storePath);
  try {
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit%'").all() as { name: string }[];
    if (triggers.length === 0) throw new Error('expected append-only guard triggers on the audit tables');
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    db.exec(sql);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  copy = copyQuickstart({ 'api.auth': 'token' });
  // A decision log written by the real runtime (the one `tenet serve` uses), then closed so its
  // final checkpoint is signed: twelve decisions, allow/deny/step-up in turn.
  const fixed = new Date(AT);
  const runtime = await openRuntime(loadConfig(copy.configFile), { logger: pino({ level: 'silent' }), clock: () => fixed });
  try {
    for (let i = 0; i < 12; i += 1) {
      const request = [REQUESTS.allow, REQUESTS.deny, REQUESTS.stepUp][i % 3];
      const decision = await runtime.pdp.decide(parseAccessRequest(request), { pep: 'cli' });
      logged.push({ decisionId: decision.id, outcome: decision.outcome });
    }
  } finally {
    await runtime.close();
  }
  for (const name of ['edited', 'deleted', 'swapped'] as const) {
    const other = copy.configWithStore(name);
    // Closing checkpoints the WAL into the main file; copy a leftover WAL too, should there be one.
    for (const suffix of ['', '-wal']) if (existsSync(copy.storePath + suffix)) copyFileSync(copy.storePath + suffix, other.storePath + suffix);
    tampered[name] = other.configFile;
  }
  // seq 5 is a deny (seq 2, 5, 8, 11 are); an attacker rewrites it into an allow.
  tamper(join(copy.root, 'edited.db'), "UPDATE audit_records SET outcome = 'allow' WHERE seq = 5");
  tamper(join(copy.root, 'deleted.db'), 'DELETE FROM audit_records WHERE seq = 7');
  tamper(join(copy.root, 'swapped.db'), 'UPDATE audit_records SET seq = 1000 WHERE seq = 8; UPDATE audit_records SET seq = 8 WHERE seq = 9; UPDATE audit_records SET seq = 9 WHERE seq = 1000');
});

afterAll(() => {
  copy?.cleanup();
});

// Sequential, with a test's own runs two at a time: tests then never wait on each other for a CLI
// slot. The timeout is generous for loaded CI machines; nothing here asserts timing.
describe('tenet (CLI subprocesses)', { timeout: 90_000 }, () => {
  it('config check lists every problem of a broken config with its path, line and a hint, exit 1', async ({ expect }) => {
    const file = join(copy.dir, 'broken.yaml');
    writeFileSync(file, ['policies: ./policies', 'listen: nope', 'api:', '  auth: tokn', 'risk:', '  thresholds: { high: 400 }', 'freshnes: { devicePosture: 1h }', ''].join('\n'));
    const result = await runCli(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^TENET_ERR_CONFIG_INVALID: .*4 problem/);
    const lines = result.stderr.trim().split('\n').slice(1);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ {2}listen \(line 2\): .*HOST:PORT.*\(hint: /);
    expect(lines[1]).toMatch(/^ {2}api\.auth \(line 4\): .*"token".*\(hint: /);
    expect(lines[2]).toMatch(/^ {2}risk\.thresholds\.high \(line 6\): .*100.*\(hint: /);
    expect(lines[3]).toMatch(/^ {2}freshnes \(line 7\): unknown key "freshnes" \(hint: did you mean "freshness"\?\)$/);
  });

  it('policy validate names file:line of a broken policy, exit 1', async ({ expect }) => {
    const dir = join(copy.root, 'policies-broken');
    cpSync(copy.policiesDir, dir, { recursive: true });
    writeFileSync(join(dir, 'zz-broken.cedar'), '// a half-finished edit\n@id("broken")\npermit (principal, action, resource)\nwhen { context.device.known && };\n');
    const result = await runCli(['policy', 'validate', '--policies', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TENET_ERR_POLICY_INVALID');
    expect(result.stderr).toMatch(/zz-broken\.cedar:4:\d+: /);
    expect(result.stdout).toBe('');
  });

  it('check exits 0 for allow, 3 for deny, 4 for step-up, printing the decision as JSON', async ({ expect }) => {
    const run = async (name: keyof typeof REQUESTS) => {
      const file = join(copy.root, `request-${name}.json`);
      writeFileSync(file, JSON.stringify(REQUESTS[name]));
      return runCli(['check', '--config', copy.configFile, '--request', file, '--at', AT]);
    };
    const [allow, deny, stepUp] = await Promise.all([run('allow'), run('deny'), run('stepUp')]);
    const reasons = (stdout: string) => (JSON.parse(stdout) as { reasons: { code: string; policyId?: string; detail?: string }[] }).reasons.flatMap((reason) => [reason.code, reason.policyId, reason.detail]);

    expect(allow?.code, allow?.stderr).toBe(0);
    expect(JSON.parse(allow?.stdout ?? '')).toMatchObject({ outcome: 'allow' });
    expect(reasons(allow?.stdout ?? '')).toContain('payroll-finance');

    expect(deny?.code, deny?.stderr).toBe(3);
    expect(JSON.parse(deny?.stdout ?? '')).toMatchObject({ outcome: 'deny' });
    expect(reasons(deny?.stdout ?? '')).toEqual(expect.arrayContaining(['deny-threat-listed-ip', 'ip-threat-listed']));

    expect(stepUp?.code, stepUp?.stderr).toBe(4);
    expect(JSON.parse(stepUp?.stdout ?? '')).toMatchObject({ outcome: 'step-up' });
  });

  it('policy test passes the quickstart\'s golden table (exit 0) and fails a wrong one naming what differs (exit 1)', async ({ expect }) => {
    const seeds = join(copy.dir, 'tests', 'seeds.golden.yaml');
    const cases = (parseYaml(readFileSync(seeds, 'utf8')) as { cases: unknown[] }).cases.length;
    const wrong = join(copy.root, 'wrong.golden.yaml');
    writeFileSync(
      wrong,
      [
        `config: ${copy.configFile}`,
        `now: "${AT}"`,
        'cases:',
        '  - name: right - bob reads the wiki from his phone',
        `    request: { subject: { type: User, id: bob }, action: { name: read }, resource: { type: App, id: wiki }, deviceId: bob-phone, environment: { ip: 192.0.2.30 } }`,
        '    expect: { outcome: allow, reasons: [wiki-read-employees] }',
        '  - name: wrong - bob is not in finance',
        '    request: { subject: { type: User, id: bob }, action: { name: read }, resource: { type: App, id: payroll } }',
        '    expect: { outcome: allow, reasons: [payroll-finance] }',
        '',
      ].join('\n'),
    );
    const [good, bad] = await Promise.all([runCli(['policy', 'test', seeds]), runCli(['policy', 'test', wrong])]);
    expect(good?.code, good?.stderr).toBe(0);
    expect(good?.stdout).toContain(`${cases} passed, 0 failed`);
    expect(good?.stdout).not.toContain('FAIL');

    expect(bad?.code, bad?.stderr).toBe(1);
    expect(bad?.stdout).toContain('1 passed, 1 failed');
    expect(bad?.stdout).toMatch(/FAIL.*wrong - bob is not in finance/);
    expect(bad?.stdout).toContain('expected allow, got deny');
  });

  it('import devices with a bad CSV exits 1, lists every bad row, and writes nothing', async ({ expect }) => {
    const { configFile, storePath } = copy.configWithStore('import');
    const csv = join(copy.root, 'devices.csv');
    writeFileSync(
      csv,
      [
        'id,owner,managed,status,compliant,observed_at,os',
        'e2e-good-1,"User::""alice""",true,active,true,2026-11-20T09:00:00Z,linux',
        'e2e-bad-managed,,maybe,active,,,',
        'e2e-bad-status,,true,stolen,,,',
        'e2e-bad-time,,true,active,true,yesterday,linux',
        'e2e-good-2,,false,active,,,',
        'e2e-good-1,,true,active,,,',
        '',
      ].join('\n'),
    );
    const result = await runCli(['import', 'devices', csv, '--config', configFile, '--source', 'mdm']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    for (const [line, column] of [[3, 'managed'], [4, 'status'], [5, 'observed_at'], [7, 'duplicate']] as const) {
      expect(result.stderr).toMatch(new RegExp(`devices\\.csv:${line}: .*${column}`));
    }
    expect(result.stderr).not.toMatch(/devices\.csv:[26]: /);

    const store = await openSqliteStore({ path: storePath });
    try {
      expect(await store.devices.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  describe('tokens against a running server on the same store', () => {
    let server: RunningServer | undefined;
    let storeConfig = '';

    beforeAll(async () => {
      const { configFile } = copy.configWithStore('tokens');
      storeConfig = configFile;
      server = await serve(loadConfig(configFile, { listen: '127.0.0.1:0' }), { logger: pino({ level: 'silent' }) });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('token create prints a token once that the server accepts; token revoke makes it refused', async ({ expect }) => {
      const ask = (token: string) =>
        fetch(`${server?.url}/access/v1/evaluation`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(bobReadsWiki()) });

      const created = await runCli(['token', 'create', '--config', storeConfig, '--name', 'cli-e2e-pep', '--scopes', 'pdp']);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^tnt_[A-Za-z0-9_-]{20,}$/);
      const id = /created token ([0-9a-f-]{36})/.exec(created.stderr)?.[1];
      expect(id).toBeDefined();

      const accepted = await ask(token);
      expect(accepted.status).toBe(200);
      expect(((await accepted.json()) as { context: { outcome: string } }).context.outcome).toBe('allow');
      // Only the hash is stored.
      const stored = await server?.runtime.store.apiTokens.list();
      expect(JSON.stringify(stored)).not.toContain(token);

      const revoked = await runCli(['token', 'revoke', id ?? '', '--config', storeConfig]);
      expect(revoked.code, revoked.stderr).toBe(0);
      const refused = await ask(token);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TENET_ERR_AUTH_TOKEN_REVOKED');
    });
  });

  describe('audit verify and export', () => {
    it('audit verify passes an untouched log, exit 0', async ({ expect }) => {
      const result = await runCli(['audit', 'verify', '--config', copy.configFile]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^ok: 12 records, \d+ signed checkpoints \(last at seq 12\); 0 records after the last checkpoint/);
    });

    it('audit verify names the tampered record: an edited outcome, a deleted record, two swapped records (exit 1 each)', async ({ expect }) => {
      const [edited, deleted, swapped] = await Promise.all([
        runCli(['audit', 'verify', '--config', tampered.edited]),
        runCli(['audit', 'verify', '--config', tampered.deleted]),
        runCli(['audit', 'verify', '--config', tampered.swapped]),
      ]);
      expect(edited?.code).toBe(1);
      expect(edited?.stderr).toContain(`TAMPERED: record 5 (decision ${logged[4]?.decisionId}): hash-mismatch`);
      expect(deleted?.code).toBe(1);
      expect(deleted?.stderr).toMatch(/^TAMPERED: record 7\b.*seq-gap/);
      expect(swapped?.code).toBe(1);
      expect(swapped?.stderr).toMatch(/^TAMPERED: record 8\b.*hash-mismatch/);
      for (const result of [edited, deleted, swapped]) expect(result?.stdout).toBe('');
    });

    it('audit export --format ocsf writes one OCSF Web Resource Access Activity (6004) per record, in order', async ({ expect }) => {
      const result = await runCli(['audit', 'export', '--config', copy.configFile, '--format', 'ocsf']);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(logged.length);
      lines.forEach((line, index) => {
        const event = JSON.parse(line) as { class_uid: number; category_uid: number; activity_id: number; status_code: string; metadata: { uid: string; sequence: number; version: string } };
        expect(event).toMatchObject({ class_uid: 6004, category_uid: 6, status_code: logged[index]?.outcome });
        expect(event.activity_id).toBe(logged[index]?.outcome === 'allow' ? 1 : 2);
        expect(event.metadata).toMatchObject({ uid: logged[index]?.decisionId, sequence: index + 1 });
      });
    });
  });

  it('--help works for every command and subcommand (exit 0, a usage line), the documented ones included', async ({ expect }) => {
    // The commands of docs/cli.md; the sweep also covers any command added since (it follows the
    // "Commands:" section of each help).
    const documented = [
      'serve',
      'check',
      'config check',
      'config reference',
      'policy validate',
      'policy test',
      'import entities',
      'import devices',
      'import indicators',
      'audit verify',
      'audit export',
      'token create',
      'token list',
      'token revoke',
      'token hash',
      'dev-idp',
    ];
    // Every command in one process through the real entry point (test/support/cli-help-all.ts),
    // and one as its own `tenet … --help` to show the two print the same.
    const [all, single] = await Promise.all([runNode([join(REPO_ROOT, 'test', 'support', 'cli-help-all.ts')]), runCli(['audit', 'verify', '--help'])]);
    expect(all?.code, all?.stderr).toBe(0);
    const results = (all?.stdout ?? '').trim().split('\n').map((line) => JSON.parse(line) as { command: string; exitCode: number; stdout: string; error?: string });
    const commands = results.map((result) => result.command);
    expect(commands).toEqual(expect.arrayContaining(['', 'config', 'policy', 'import', 'audit', 'token', ...documented]));
    for (const result of results) {
      const name = ['tenet', ...result.command.split(' ').filter(Boolean)].join(' ');
      expect({ command: name, exitCode: result.exitCode, error: result.error }).toEqual({ command: name, exitCode: 0, error: undefined });
      expect(result.stdout.startsWith(`Usage: ${name} `), `${name}: ${result.stdout}`).toBe(true);
    }
    expect(single?.code).toBe(0);
    expect(single?.stdout).toBe(results.find((result) => result.command === 'audit verify')?.stdout);
  });
});
