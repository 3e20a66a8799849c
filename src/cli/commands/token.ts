// `tenet token create|list|revoke|hash`: API bearer tokens. Only the SHA-256 of a token is stored;
// the token is printed once, at creation.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TenetError } from '../../errors.js';
import type { ApiScope } from '../../store/ports.js';
import { withStore } from '../with-store.js';
import { EXIT_FAILED, printJson, runCommand } from '../output.js';

const SCOPES: readonly ApiScope[] = ['pdp', 'admin', 'ssf'];

/** Hex SHA-256 of a token, as stored and as written in `api.tokens[].sha256`. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API bearer tokens (stored hashed)');

  token
    .command('create')
    .description('create a token and print it once')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .requiredOption('-n, --name <name>', 'who uses it (shown as the caller in the decision log)')
    .option('--scopes <list>', 'comma-separated: pdp, admin, ssf', 'pdp')
    .action((options: { config: string; name: string; scopes: string }) =>
      withStore(options.config, async (store) => {
        const scopes = parseScopes(options.scopes);
        const secret = `tnt_${randomBytes(32).toString('base64url')}`;
        const id = randomUUID();
        await store.apiTokens.create({ id, name: options.name, tokenHash: tokenHash(secret), scopes, createdAt: new Date().toISOString() });
        process.stderr.write(`created token ${id} (${options.name}, scopes ${scopes.join(',')}); it is shown once:\n`);
        process.stdout.write(`${secret}\n`);
      }),
    );

  token
    .command('list')
    .description('list tokens (never the secrets)')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .action((options: { config: string }) =>
      withStore(options.config, async (store) => {
        printJson((await store.apiTokens.list()).map(({ tokenHash: _hash, ...rest }) => rest));
      }),
    );

  token
    .command('revoke')
    .description('revoke a token by id; it is refused from the next request on')
    .argument('<id>', 'token id (from `tenet token list`)')
    .requiredOption('-c, --config <file>', 'path of tenet.yaml')
    .action((id: string, options: { config: string }) =>
      withStore(options.config, async (store) => {
        if (!(await store.apiTokens.revoke(id, new Date().toISOString()))) {
          process.stderr.write(`no token with id ${id}\n`);
          return EXIT_FAILED;
        }
        process.stdout.write(`revoked ${id}\n`);
        return 0;
      }),
    );

  token
    .command('hash')
    .description('print the SHA-256 of a token read from standard input, for api.tokens[].sha256 in tenet.yaml')
    .action(() =>
      runCommand(() => {
        const secret = readFileSync(0, 'utf8').trim();
        if (secret.length < 16) throw new TenetError('TENET_ERR_REQUEST_INVALID', 'a token must be at least 16 characters');
        process.stdout.write(`${tokenHash(secret)}\n`);
      }),
    );
}

function parseScopes(list: string): ApiScope[] {
  const scopes = list.split(',').map((scope) => scope.trim()).filter(Boolean);
  const bad = scopes.filter((scope) => !SCOPES.includes(scope as ApiScope));
  if (scopes.length === 0 || bad.length > 0) throw new TenetError('TENET_ERR_REQUEST_INVALID', `invalid scopes: ${list}`, [{ path: '--scopes', message: `expected a comma-separated list of ${SCOPES.join(', ')}` }]);
  return [...new Set(scopes)] as ApiScope[];
}
