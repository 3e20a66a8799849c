// `tenet check`: one decision, printed as JSON with its reasons. A what-if: it runs the real PDP on
// the config's policies and signal files with an in-memory store, so it never touches (or forks)
// the decision log of a running server and its answer does not depend on earlier imports.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../../config/load.js';
import { TenetError } from '../../errors.js';
import { parseAccessRequest } from '../../pdp/tuple-schema.js';
import { openRuntime } from '../../runtime.js';
import { printJson, runCommand } from '../output.js';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('decide one access request (a NIST tuple in JSON, see docs/cli.md) and print the decision; exit 0 allow, 3 deny, 4 step-up')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .requiredOption('-r, --request <file>', 'request JSON file, or - for standard input')
    .option('--at <time>', 'decide as if at this ISO 8601 time')
    .action((options: { config: string; request: string; at?: string }) =>
      runCommand(async () => {
        const loaded = loadConfig(options.config);
        const request = parseAccessRequest(readJson(options.request), options.request === '-' ? 'stdin' : options.request);
        const at = options.at === undefined ? undefined : new Date(options.at);
        if (at !== undefined && Number.isNaN(at.getTime())) throw new TenetError('TENET_ERR_REQUEST_INVALID', `--at is not an ISO 8601 time: ${options.at}`);
        const runtime = await openRuntime(loaded, { storePath: ':memory:', logger: pino({ level: 'silent' }), ...(at === undefined ? {} : { clock: () => at }) });
        try {
          const decision = await runtime.pdp.decide(request, { pep: 'cli' });
          printJson(decision);
          return decision.outcome === 'allow' ? 0 : decision.outcome === 'deny' ? 3 : 4;
        } finally {
          await runtime.close();
        }
      }),
    );
}

function readJson(path: string): unknown {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TenetError('TENET_ERR_REQUEST_INVALID', `${path} is not valid JSON`, [{ path, message: (error as Error).message }]);
  }
}
