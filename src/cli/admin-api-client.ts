// How `tenet devices` and `tenet sessions` reach a running Tenet: its admin API, not the store
// directly, because revocations must reach the running server's caches and connections (the API
// answers after they did). The address is --api, else the config's api.publicUrl, else `listen`;
// the admin token comes from --token-file or TENET_ADMIN_TOKEN, never from a command-line argument
// (it would show in `ps`).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { TenetError } from '../errors.js';

export interface ApiOptions {
  readonly config?: string;
  readonly api?: string;
  readonly tokenFile?: string;
}

function apiBase(options: ApiOptions): string {
  if (options.api !== undefined) return options.api.replace(/\/+$/, '');
  if (options.config === undefined) throw new TenetError('TENET_ERR_CONFIG_MISSING', 'give --api URL or -c tenet.yaml (its `listen` address is used)');
  const { config } = loadConfig(options.config);
  const scheme = config.api.tls === undefined ? 'http' : 'https';
  return config.api.publicUrl?.replace(/\/+$/, '') ?? `${scheme}://${config.listen}`;
}

function adminToken(options: ApiOptions): string | undefined {
  if (options.tokenFile !== undefined) return readFileSync(options.tokenFile, 'utf8').trim();
  return process.env['TENET_ADMIN_TOKEN'];
}

export async function call(options: ApiOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const token = adminToken(options);
  const url = `${apiBase(options)}/admin/v1${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new TenetError('TENET_ERR_REQUEST_UNREACHABLE', `cannot reach the Tenet API at ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const code = error?.code?.startsWith('TENET_ERR_') === true ? (error.code as `TENET_ERR_REQUEST_${string}`) : 'TENET_ERR_REQUEST_FAILED';
    throw new TenetError(code, `${method} ${path}: ${response.status} ${error?.message ?? text.slice(0, 200)}`);
  }
  return json;
}

/** Adds the options every admin-API command takes. */
export function withApi(command: Command): Command {
  return command
    .option('-c, --config <file>', 'tenet.yaml (the API address is api.publicUrl, else `listen`)')
    .option('--api <url>', 'Tenet API base URL, e.g. http://127.0.0.1:8180')
    .option('--token-file <file>', 'file holding an admin-scope API token (default: $TENET_ADMIN_TOKEN)');
}
