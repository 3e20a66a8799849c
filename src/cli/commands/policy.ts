// `tenet policy validate` and `tenet policy test`.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadPolicySet } from '../../engine/index.js';
import { loadConfig } from '../../config/load.js';
import { readPolicySource } from '../../pdp/policy-source.js';
import { runGoldenFile, formatGoldenReport } from '../golden-table.js';
import { EXIT_ERROR, EXIT_FAILED, runCommand } from '../output.js';

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('validate and test Cedar policies');

  policy
    .command('validate')
    .description('parse the policies (and validate them against the schema, if any); exit 1 listing every problem')
    .option('-c, --config <file>', 'take the policy directory from this tenet.yaml')
    .option('-p, --policies <dir>', 'a directory of .cedar files (and an optional schema)')
    .action((options: { config?: string; policies?: string }) =>
      runCommand(() => {
        const dir = policyDirectory(options);
        if (dir === undefined) {
          process.stderr.write('error: give --config <tenet.yaml> or --policies <dir>\n');
          return EXIT_ERROR;
        }
        const set = loadPolicySet(readPolicySource(dir));
        process.stdout.write(`${dir}: ${set.total} polic${set.total === 1 ? 'y' : 'ies'} ok (version ${set.version})\n`);
        return 0;
      }),
    );

  policy
    .command('test')
    .description('run golden decision tables (request + signals → expected outcome and reasons); exit 1 on any mismatch')
    .argument('<golden...>', 'golden table files (YAML)')
    .option('-c, --config <file>', 'tenet.yaml to test (overrides the `config` key of each table)')
    .option('--json', 'print the results as JSON')
    .action((files: string[], options: { config?: string; json?: boolean }) =>
      runCommand(async () => {
        let failed = 0;
        const reports = [];
        for (const file of files) {
          const report = await runGoldenFile(resolve(file), options.config === undefined ? {} : { configFile: resolve(options.config) });
          failed += report.results.filter((result) => !result.passed).length;
          reports.push(report);
        }
        if (options.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
        else for (const report of reports) process.stdout.write(formatGoldenReport(report));
        return failed > 0 ? EXIT_FAILED : 0;
      }),
    );
}

function policyDirectory(options: { config?: string; policies?: string }): string | undefined {
  if (options.policies !== undefined) return resolve(options.policies);
  if (options.config === undefined) return undefined;
  const loaded = loadConfig(options.config);
  return resolve(loaded.baseDir, loaded.config.policies);
}
