// `tenet import entities|devices|indicators`: load signal files into the configured store. Each
// file is all or nothing: any bad row and nothing is written, with every bad row listed. A running
// server picks the change up on reload (SIGHUP or POST /admin/v1/reload).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importDevices } from '../../signals/devices/index.js';
import { importEntities } from '../../signals/identity/index.js';
import { importThreatIndicators, threatFormatFor } from '../../signals/threat-intel/index.js';
import { withStore } from '../with-store.js';

const RELOAD_HINT = 'a running server sees the change after a reload (SIGHUP or POST /admin/v1/reload)\n';

export function registerImportCommands(program: Command): void {
  const importCommand = program.command('import').description('import signals into the store (all or nothing per file)');

  importCommand
    .command('entities')
    .description('Cedar entity JSON (users, groups, resources); replaces entities with the same uid')
    .argument('<file>', 'entity JSON file')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .action((file: string, options: { config: string }) =>
      withStore(options.config, async (store) => {
        const result = await importEntities(store, readFileSync(file, 'utf8'), file);
        process.stdout.write(`imported ${result.imported} entities from ${file}\n`);
        process.stderr.write(RELOAD_HINT);
      }),
    );

  importCommand
    .command('devices')
    .description('device inventory with posture (JSON array or CSV; columns in docs/signals.md)')
    .argument('<file>', 'inventory file')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .requiredOption('-s, --source <name>', 'name of the source, e.g. mdm')
    .option('-f, --format <format>', 'json or csv (default: from the extension)')
    .action((file: string, options: { config: string; source: string; format?: string }) =>
      withStore(options.config, async (store) => {
        const format = options.format === 'csv' || (options.format === undefined && file.endsWith('.csv')) ? 'csv' : 'json';
        const result = await importDevices(store, readFileSync(file, 'utf8'), format, options.source, { fileName: file });
        process.stdout.write(`imported ${result.imported} devices (${result.withPosture} with posture) from ${file}\n`);
        process.stderr.write(RELOAD_HINT);
      }),
    );

  importCommand
    .command('indicators')
    .description('threat indicators (IP/CIDR list or CSV); replaces every indicator of the source')
    .argument('<file>', 'indicator file')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .requiredOption('-s, --source <name>', 'name of the feed')
    .option('--category <category>', 'category for plain lists', 'malicious')
    .option('-f, --format <format>', 'text, csv or stix (default: from the extension: .csv, .json = a STIX 2.1 bundle, else text)')
    .action((file: string, options: { config: string; source: string; category: string; format?: string }) =>
      withStore(options.config, async (store) => {
        const format = threatFormatFor(file, options.format === 'csv' || options.format === 'stix' || options.format === 'text' ? options.format : undefined);
        const result = await importThreatIndicators(store, readFileSync(file, 'utf8'), { format, source: options.source, category: options.category, now: new Date(), fileName: file });
        process.stdout.write(`imported ${result.imported} indicators for source ${options.source} from ${file}\n`);
        process.stderr.write(RELOAD_HINT);
      }),
    );
}
