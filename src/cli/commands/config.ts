// `tenet config check` and `tenet config reference`.
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { configSchema } from '../../config/schema.js';
import { configReference } from '../../config/schema-keys.js';
import { engineSettingsFrom } from '../../config/engine-settings.js';
import { runCommand } from '../output.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('check and document tenet.yaml');

  config
    .command('check')
    .description('validate a config file: prints every problem with its path, line and a hint; exit 1 when invalid')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .option('--listen <host:port>', 'check as if started with this --listen')
    .action((options: { config: string; listen?: string }) =>
      runCommand(() => {
        const loaded = loadConfig(options.config, options.listen === undefined ? {} : { listen: options.listen });
        engineSettingsFrom(loaded.config);
        for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
        process.stdout.write(`${loaded.file}: ok\n`);
      }),
    );

  config
    .command('reference')
    .description('print every configuration key with its type, default and description')
    .option('--markdown', 'print a Markdown table (used for docs/configuration.md)')
    .action((options: { markdown?: boolean }) =>
      runCommand(() => {
        const entries = configReference(configSchema);
        if (options.markdown) {
          process.stdout.write('| key | type | default | description |\n|---|---|---|---|\n');
          for (const entry of entries) {
            process.stdout.write(`| \`${entry.key}\` | ${entry.type.replaceAll('|', '\\|')} | ${entry.defaultValue === undefined ? '' : `\`${entry.defaultValue}\``} | ${entry.description} |\n`);
          }
          return;
        }
        for (const entry of entries) {
          process.stdout.write(`${entry.key}\n    ${entry.type}${entry.defaultValue === undefined ? '' : `, default ${entry.defaultValue}`}\n    ${entry.description}\n`);
        }
      }),
    );
}
