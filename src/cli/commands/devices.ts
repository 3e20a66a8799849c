// `tenet devices …`: device administration through a running Tenet's admin API (not the store
// directly: revoking must reach the running server's certificate checks and decision caches at
// once). The API address defaults to the config's `listen`; the admin token comes from
// --token-file or TENET_ADMIN_TOKEN, never from a command-line argument (it would show in `ps`).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { TenetError } from '../../errors.js';
import { printJson, runCommand } from '../output.js';

interface ApiOptions {
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

async function call(options: ApiOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
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

/** `User::"alice"` or `alice` (then the type is User). */
function ownerRef(text: string): { type: string; id: string } {
  const match = /^([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::"((?:[^"\\]|\\.)*)"$/.exec(text);
  return match === null ? { type: 'User', id: text } : { type: match[1] ?? 'User', id: JSON.parse(`"${match[2] ?? ''}"`) as string };
}

function withApi(command: Command): Command {
  return command
    .option('-c, --config <file>', 'tenet.yaml (the API address is api.publicUrl, else `listen`)')
    .option('--api <url>', 'Tenet API base URL, e.g. http://127.0.0.1:8180')
    .option('--token-file <file>', 'file holding an admin-scope API token (default: $TENET_ADMIN_TOKEN)');
}

export function registerDeviceCommands(program: Command): void {
  const devices = program.command('devices').description('list, enroll, quarantine and revoke devices (through the admin API)');

  withApi(devices.command('list').description('list devices with status and latest posture')).action((options: ApiOptions) =>
    runCommand(async () => printJson(await call(options, 'GET', '/devices'))),
  );

  withApi(devices.command('show').description('one device: posture history and certificates').argument('<id>', 'device id')).action((id: string, options: ApiOptions) =>
    runCommand(async () => printJson(await call(options, 'GET', `/devices/${encodeURIComponent(id)}`))),
  );

  for (const [name, status, help] of [
    ['quarantine', 'quarantined', 'quarantine a device (risk factor device-quarantined; it may keep reporting posture)'],
    ['revoke', 'revoked', 'revoke a device and all its certificates (takes effect on the next request; cannot be undone)'],
    ['activate', 'active', 'lift a quarantine'],
  ] as const) {
    withApi(devices.command(name).description(help).argument('<id>', 'device id')).action((id: string, options: ApiOptions) =>
      runCommand(async () => printJson(await call(options, 'POST', `/devices/${encodeURIComponent(id)}/status`, { status }))),
    );
  }

  withApi(devices.command('pending').description('enrollments waiting for approval')).action((options: ApiOptions) =>
    runCommand(async () => printJson(await call(options, 'GET', '/device-enrollments'))),
  );

  withApi(
    devices
      .command('approve')
      .description('approve a pending enrollment by its user code')
      .argument('<code>', 'user code the agent printed, e.g. BCDF-GHJK')
      .option('--owner <entity>', 'owner, e.g. User::"alice@example.com" (default: none)')
      .option('--unmanaged', 'record the device as not managed'),
  ).action((code: string, options: ApiOptions & { owner?: string; unmanaged?: boolean }) =>
    runCommand(async () =>
      printJson(await call(options, 'POST', `/device-enrollments/${encodeURIComponent(code)}/approve`, { ...(options.owner === undefined ? {} : { owner: ownerRef(options.owner) }), managed: options.unmanaged !== true })),
    ),
  );

  withApi(devices.command('deny').description('deny a pending enrollment').argument('<code>', 'user code')).action((code: string, options: ApiOptions) =>
    runCommand(async () => printJson(await call(options, 'POST', `/device-enrollments/${encodeURIComponent(code)}/deny`))),
  );

  withApi(
    devices
      .command('token')
      .description('create a one-time enrollment token (printed once) for `tenet agent enroll --token -`')
      .option('--owner <entity>', 'owner of the device it enrolls, e.g. User::"alice@example.com"')
      .option('--ttl <duration>', 'how long the token is valid', '24h')
      .option('--unmanaged', 'the enrolled device is not managed'),
  ).action((options: ApiOptions & { owner?: string; ttl: string; unmanaged?: boolean }) =>
    runCommand(async () => {
      const created = (await call(options, 'POST', '/device-enrollment-tokens', {
        ...(options.owner === undefined ? {} : { owner: ownerRef(options.owner) }),
        ttl: options.ttl,
        managed: options.unmanaged !== true,
      })) as { token: string; expires_at: string };
      process.stderr.write(`enrollment token valid until ${created.expires_at}; it is shown once:\n`);
      process.stdout.write(`${created.token}\n`);
    }),
  );

  withApi(
    devices
      .command('revoke-certificate')
      .description('revoke one device certificate (e.g. a lost key) without changing the device')
      .argument('<serial>', 'certificate serial (hex, from `tenet devices show`)')
      .option('--reason <reason>', 'unspecified | keyCompromise | affiliationChanged | superseded | cessationOfOperation', 'unspecified'),
  ).action((serial: string, options: ApiOptions & { reason: string }) =>
    runCommand(async () => printJson(await call(options, 'POST', `/device-certificates/${encodeURIComponent(serial)}/revoke`, { reason: options.reason }))),
  );
}
