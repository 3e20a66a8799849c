// `tenet serve`: run the PDP and its API until stopped.
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { serve } from '../../server.js';
import { printError, EXIT_ERROR } from '../output.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the policy decision point: AuthZEN API, admin API, decision log (SIGHUP reloads)')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .option('-l, --listen <host:port>', 'address to listen on (overrides `listen`)')
    .action(async (options: { config: string; listen?: string }) => {
      try {
        const loaded = loadConfig(options.config, options.listen === undefined ? {} : { listen: options.listen });
        await serve(loaded, { handleSignals: true });
      } catch (error) {
        printError(error);
        process.exit(EXIT_ERROR);
      }
    });
}
