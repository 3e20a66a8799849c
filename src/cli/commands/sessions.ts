// `tenet sessions …`: list and revoke login sessions through a running Tenet's admin API
// (src/cli/admin-api-client.ts: a revocation must reach the running server's decision cache and
// live connections, which the API's answer waits for).
import type { Command } from 'commander';
import { TenetError } from '../../errors.js';
import { call, withApi, type ApiOptions } from '../admin-api-client.js';
import { printJson, runCommand } from '../output.js';

interface RevokeOptions extends ApiOptions {
  readonly session?: string;
  readonly user?: string;
  readonly device?: string;
}

/** The revocation body: exactly one of --session, --user, --device. */
export function revocationTarget(options: RevokeOptions): { session: string } | { user: string } | { device: string } {
  const given = [options.session, options.user, options.device].filter((value) => value !== undefined);
  if (given.length !== 1) throw new TenetError('TENET_ERR_REQUEST_INVALID_ARGUMENTS', 'give exactly one of --session ID, --user \'User::"alice"\' or --device ID');
  if (options.session !== undefined) return { session: options.session };
  if (options.user !== undefined) return { user: options.user };
  return { device: options.device ?? '' };
}

export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('list and revoke login sessions (through the admin API; revocation cuts live connections at once)');

  withApi(sessions.command('list').description('active sessions, newest first').option('--subject <entity>', 'only this principal\'s, e.g. User::"alice"')).action((options: ApiOptions & { subject?: string }) =>
    runCommand(async () => printJson(await call(options, 'GET', `/sessions${options.subject === undefined ? '' : `?subject=${encodeURIComponent(options.subject)}`}`))),
  );

  withApi(
    sessions
      .command('revoke')
      .description('revoke one session, every session of a user, or a device (its certificates, and every connection it holds)')
      .option('--session <id>', 'session id (from `tenet sessions list`)')
      .option('--user <entity>', 'every active session of this principal, e.g. User::"alice"')
      .option('--device <id>', 'revoke the device through device identity'),
  ).action((options: RevokeOptions) => runCommand(async () => printJson(await call(options, 'POST', '/sessions/revoke', revocationTarget(options)))));
}
