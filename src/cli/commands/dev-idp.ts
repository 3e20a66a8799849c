// `tenet dev-idp`: runs the bundled development OpenID Provider (src/dev-idp/) with demo users from
// a YAML file, until SIGINT/SIGTERM. Development only; it says so loudly and stays on loopback
// unless --allow-remote. The IdP module (and oidc-provider) is loaded only when this command runs.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { TenetError } from '../../errors.js';
import { runCommand } from '../output.js';

interface DevIdpCommandOptions {
  readonly users: string;
  readonly listen: string;
  readonly issuer?: string;
  readonly allowRemote?: boolean;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly redirectUri: string[];
  readonly postLogoutRedirectUri: string[];
  readonly backchannelLogoutUri?: string;
  readonly backchannelCa?: string;
  readonly logLevel: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerDevIdpCommand(program: Command): void {
  program
    .command('dev-idp')
    .description('run the bundled development OpenID Provider with demo users from a file (NOT FOR PRODUCTION; see docs/dev-idp.md)')
    .requiredOption('-u, --users <file>', 'YAML file of demo users and clients, e.g. examples/quickstart/idp-users.yaml')
    .option('-l, --listen <host:port>', 'address to listen on (loopback unless --allow-remote)', '127.0.0.1:9400')
    .option('--issuer <url>', 'issuer URL that browsers and Tenet use (default: http://<listen>)')
    .option('--allow-remote', 'allow listening on a non-loopback address')
    .option('--client-id <id>', 'register one more client besides the file\'s (with --client-secret and --redirect-uri)')
    .option('--client-secret <secret>', 'that client\'s secret (at least 16 characters)')
    .option('--redirect-uri <uri>', 'that client\'s redirect URI (repeatable)', collect, [])
    .option('--post-logout-redirect-uri <uri>', 'that client\'s post-logout redirect URI (repeatable)', collect, [])
    .option('--backchannel-logout-uri <uri>', 'that client\'s back-channel logout URI')
    .option('--backchannel-ca <file>', 'PEM CA trusted for back-channel logout to non-loopback https URIs')
    .option('--log-level <level>', 'log level (trace, debug, info, warn, error)', 'info')
    .action((options: DevIdpCommandOptions) =>
      runCommand(async () => {
        const { loadDevIdpFile, parseDevClient, startDevIdp } = await import('../../dev-idp/index.js');
        const file = loadDevIdpFile(options.users);
        const clients = [...file.clients];
        if (options.clientId !== undefined) {
          clients.push(
            parseDevClient(
              {
                clientId: options.clientId,
                clientSecret: options.clientSecret,
                redirectUris: options.redirectUri,
                postLogoutRedirectUris: options.postLogoutRedirectUri,
                ...(options.backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri: options.backchannelLogoutUri }),
              },
              '--client-id',
            ),
          );
          if (clients.filter((client) => client.clientId === options.clientId).length > 1) {
            throw new TenetError('TENET_ERR_CONFIG_INVALID', `--client-id ${options.clientId} is already a client in ${options.users}`, [{ path: '--client-id', message: 'client ids must be unique' }]);
          }
        } else if (options.clientSecret !== undefined || options.redirectUri.length > 0 || options.backchannelLogoutUri !== undefined) {
          throw new TenetError('TENET_ERR_CONFIG_INVALID', 'client flags need --client-id', [{ path: '--client-id', message: 'is required with --client-secret, --redirect-uri or --backchannel-logout-uri' }]);
        }
        const [host, port] = splitListen(options.listen);
        const logger = pino({ level: options.logLevel });
        const idp = await startDevIdp({
          host,
          port,
          users: file.users,
          clients,
          logger,
          ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
          ...(options.allowRemote ? { allowRemote: true } : {}),
          ...(options.backchannelCa === undefined ? {} : { backchannelCa: readCa(options.backchannelCa) }),
        });
        for (const signal of ['SIGINT', 'SIGTERM'] as const) {
          process.once(signal, () => {
            logger.info({ signal }, 'dev IdP stopping');
            idp.stop().then(
              () => process.exit(0),
              () => process.exit(1),
            );
          });
        }
      }),
    );
}

function splitListen(listen: string): [string, number] {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[2]);
  if (match?.[1] === undefined || !(port >= 0 && port <= 65535)) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID', `--listen is not HOST:PORT: ${listen}`, [{ path: '--listen', message: 'expected e.g. 127.0.0.1:9400 or [::1]:9400' }]);
  }
  return [match[1].replace(/^\[|\]$/g, ''), port];
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TenetError('TENET_ERR_CONFIG_UNREADABLE', `cannot read --backchannel-ca ${path}`, [{ path, message: (error as Error).message }]);
  }
}
