// `tenet audit verify` and `tenet audit export`.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { auditPublicKeyFromPem, exportJsonLines, exportOcsf, parseJsonLine, verifyAuditLog } from '../../audit/index.js';
import { loadConfig } from '../../config/load.js';
import { loadAuditKey } from '../../runtime.js';
import { TenetError } from '../../errors.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { EXIT_FAILED, printJson, runCommand } from '../output.js';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('verify and export the tamper-evident decision log');

  audit
    .command('verify')
    .description('check the hash chain and signed checkpoints; exit 1 naming the first bad record')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .option('-k, --public-key <file>', 'PEM Ed25519 public key to verify checkpoints with (default: the key in the store / config)')
    .option('--json', 'print the result as JSON')
    .action((options: { config: string; publicKey?: string; json?: boolean }) =>
      runCommand(async () => {
        const loaded = loadConfig(options.config);
        const store = await openSqliteStore({ path: loaded.config.store.path });
        try {
          const key = options.publicKey !== undefined ? auditPublicKeyFromPem(readFileSync(options.publicKey, 'utf8')) : (await loadAuditKey(loaded, store, loaded.config.store.path, { create: false })).publicKey;
          const result = await verifyAuditLog(store.audit, [key]);
          if (options.json) printJson(result);
          else if (result.ok) {
            process.stdout.write(`ok: ${result.records} records, ${result.checkpoints} signed checkpoints (last at seq ${result.lastCheckpointSeq}); ${result.unanchored} records after the last checkpoint are protected by the chain only\n`);
          } else {
            const failure = result.failure;
            process.stderr.write(`TAMPERED: record ${failure?.seq}${failure?.decisionId ? ` (decision ${failure.decisionId})` : ''}: ${failure?.problem}: ${failure?.message}\n`);
          }
          return result.ok ? 0 : EXIT_FAILED;
        } finally {
          await store.close();
        }
      }),
    );

  audit
    .command('public-key')
    .description('print the checkpoint verification key (SPKI PEM); keep a copy away from the database and verify with --public-key')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .action((options: { config: string }) =>
      runCommand(async () => {
        const loaded = loadConfig(options.config);
        const store = await openSqliteStore({ path: loaded.config.store.path });
        try {
          process.stdout.write((await loadAuditKey(loaded, store, loaded.config.store.path, { create: false })).publicKeyPem);
        } finally {
          await store.close();
        }
      }),
    );

  audit
    .command('export')
    .description('write the decision log to stdout as JSON lines or OCSF (one event per line)')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .option('-f, --format <format>', 'jsonl or ocsf', 'jsonl')
    .option('--from-seq <n>', 'first record to export', '1')
    .option('--since <time>', 'only records at or after this ISO 8601 time')
    .option('--until <time>', 'only records before this ISO 8601 time')
    .action((options: { config: string; format: string; fromSeq: string; since?: string; until?: string }) =>
      runCommand(async () => {
        if (options.format !== 'jsonl' && options.format !== 'ocsf') throw new TenetError('TENET_ERR_REQUEST_INVALID', `unknown format "${options.format}"`, [{ path: '--format', message: 'expected jsonl or ocsf' }]);
        const fromSeq = Number(options.fromSeq);
        if (!Number.isInteger(fromSeq) || fromSeq < 1) throw new TenetError('TENET_ERR_REQUEST_INVALID', '--from-seq must be a positive integer');
        const since = parseTime(options.since, '--since');
        const until = parseTime(options.until, '--until');
        const loaded = loadConfig(options.config);
        const store = await openSqliteStore({ path: loaded.config.store.path });
        try {
          const lines = options.format === 'jsonl' ? exportJsonLines(store.audit, { fromSeq }) : exportOcsf(store.audit, { fromSeq, productVersion: '0.1.0' });
          // Time filters read the record time from Tenet's own line format; OCSF lines carry it as epoch ms.
          for await (const line of lines) {
            if (since !== undefined || until !== undefined) {
              const time = options.format === 'jsonl' ? Date.parse(parseJsonLine(line).time) : (JSON.parse(line) as { time: number }).time;
              if ((since !== undefined && time < since) || (until !== undefined && time >= until)) continue;
            }
            if (!process.stdout.write(line.endsWith('\n') ? line : `${line}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
          }
        } finally {
          await store.close();
        }
      }),
    );
}

function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new TenetError('TENET_ERR_REQUEST_INVALID', `${flag} is not an ISO 8601 time: ${value}`);
  return time;
}
