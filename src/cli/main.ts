// The `tenet` command line. Each command lives in src/cli/commands/; results go to stdout, problems
// to stderr with a non-zero exit status (src/cli/output.ts).
import { Command } from 'commander';
import { registerAgentCommands } from './commands/agent.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCedarCommands } from './commands/cedar.js';
import { registerCheckCommand } from './commands/check.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDevIdpCommand } from './commands/dev-idp.js';
import { registerDeviceCommands } from './commands/devices.js';
import { registerImportCommands } from './commands/import.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSessionCommands } from './commands/sessions.js';
import { registerTokenCommands } from './commands/token.js';

const program = new Command()
  .name('tenet')
  .description('Tenet: a zero trust policy decision point (NIST SP 800-207) with Cedar policies, a trust algorithm and a tamper-evident decision log')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

registerServeCommand(program);
registerCheckCommand(program);
registerConfigCommands(program);
registerPolicyCommands(program);
registerImportCommands(program);
registerAuditCommands(program);
registerTokenCommands(program);
registerCedarCommands(program);
registerDevIdpCommand(program);
registerDeviceCommands(program);
registerSessionCommands(program);
registerAgentCommands(program);

await program.parseAsync(process.argv);
