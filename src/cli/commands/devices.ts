// `tenet devices …`: device administration through a running Tenet's admin API
// (src/cli/admin-api-client.ts: revoking must reach the running server's certificate checks and
// decision caches at once).
import type { Command } from 'commander';
import { parseEntityRefText } from '../../signals/entity-ref-text.js';
import { call, withApi, type ApiOptions } from '../admin-api-client.js';
import { printJson, runCommand } from '../output.js';

/** `User::"alice"` or `alice` (then the type is User). */
function ownerRef(text: string): { type: string; id: string } {
  return parseEntityRefText(text) ?? { type: 'User', id: text };
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
