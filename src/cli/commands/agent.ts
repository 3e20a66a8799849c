// `tenet agent enroll|report|run|status`: the device posture agent (src/agent/). It enrolls this
// machine with a Tenet server (a device key that never leaves the state directory, a short-lived
// certificate for it), then sends signed posture reports on a schedule. Results go to stdout as
// JSON, progress and problems to stderr; see docs/devices.md.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import pino from 'pino';
import { AgentState, defaultStateDir } from '../../agent/agent-state.js';
import { collectPosture, systemContext } from '../../agent/collect/collect-posture.js';
import { collectOsFacts } from '../../agent/collect/os-facts.js';
import { clientFor, renewCertificate, renewalDue, sendPostureReport } from '../../agent/device-reports.js';
import { enrollDevice } from '../../agent/enroll-device.js';
import { abortableSleep, retryable, runOnSchedule } from '../../agent/run-schedule.js';
import { ServerClient } from '../../agent/server-client.js';
import { TenetError } from '../../errors.js';
import { printJson, runCommand } from '../output.js';

interface StateOption {
  readonly stateDir?: string;
}

export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('the device posture agent: enroll this machine, then send signed posture reports (Linux; see docs/devices.md)');

  agent
    .command('enroll')
    .description('enroll this device: with --token at once, otherwise show a code for the owner to approve and wait')
    .requiredOption('-s, --server <url>', "the Tenet proxy's public URL (proxy.publicUrl), https")
    .option('-t, --token <token>', 'an admin-issued enrollment token (no user approval needed); `-` reads it from standard input, and TENET_AGENT_ENROLLMENT_TOKEN is used when unset (keeps it out of the process list)')
    .option('--server-ca <file>', "PEM certificate to trust for the server's TLS (e.g. the quickstart's self-signed proxy certificate)")
    .option('--state-dir <dir>', 'where the device key, certificate and agent.json live (default $XDG_CONFIG_HOME/tenet-agent or ~/.config/tenet-agent)')
    .option('-n, --name <name>', 'a name for this device, shown to the approving user (default: the hostname)')
    .action((options: StateOption & { server: string; token?: string; serverCa?: string; name?: string }) =>
      runCommand(async () => {
        const state = stateFor(options);
        const serverCa = options.serverCa === undefined ? undefined : readServerCa(options.serverCa);
        const client = new ServerClient({ server: options.server, ...(serverCa === undefined ? {} : { serverCa }) });
        const description = await describeDevice(options.name);
        const token = enrollmentToken(options.token);
        const enrolled = await enrollDevice({
          state,
          client,
          ...(token === undefined ? {} : { token }),
          ...(serverCa === undefined ? {} : { serverCa }),
          description,
          subjectCn: (options.name ?? description['hostname'] ?? 'device').slice(0, 64),
          onPending: (pending) => {
            process.stderr.write(
              `To approve this device, sign in and open:\n\n  ${pending.verification_uri_complete}\n\nor go to ${pending.verification_uri} and enter the code ${pending.user_code}\n` +
                `Waiting for approval (the code expires in ${Math.round(pending.expires_in / 60)} min; Ctrl-C to give up)…\n`,
            );
          },
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        });
        process.stderr.write(`enrolled as device ${enrolled.deviceId}; certificate valid until ${enrolled.notAfter} (state in ${state.dir})\n`);
        printJson({ deviceId: enrolled.deviceId, server: client.server, notAfter: enrolled.notAfter, renewAfter: enrolled.renewAfter, stateDir: state.dir });
      }),
    );

  agent
    .command('report')
    .description('collect posture facts and send one signed report (renewing the certificate first when due)')
    .option('--state-dir <dir>', 'the agent state directory')
    .option('--dry-run', 'print the facts JSON and send nothing (needs no enrollment)')
    .action((options: StateOption & { dryRun?: boolean }) =>
      runCommand(async () => {
        if (options.dryRun === true) {
          const { facts, details } = await collectPosture(systemContext());
          for (const detail of details) process.stderr.write(`note: ${detail}\n`);
          printJson(facts);
          return;
        }
        const state = stateFor(options);
        const result = await reportOnce(state, (line) => process.stderr.write(`${line}\n`));
        printJson(result);
      }),
    );

  agent
    .command('run')
    .description('report on a schedule until SIGINT/SIGTERM, renewing the certificate when due and backing off on network errors')
    .option('--state-dir <dir>', 'the agent state directory')
    .option('-i, --interval <duration>', 'time between reports, e.g. 90s, 5m, 1h (the server may ask for sooner)', '5m')
    .option('--log-level <level>', 'log level (trace, debug, info, warn, error)', 'info')
    .action((options: StateOption & { interval: string; logLevel: string }) =>
      runCommand(async () => {
        const intervalMs = parseInterval(options.interval);
        const state = stateFor(options);
        await state.requireEnrolled();
        const logger = pino({ level: options.logLevel });
        const stop = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'agent stopping');
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        logger.info({ stateDir: state.dir, intervalMs }, 'agent running');
        try {
          await runOnSchedule({
            intervalMs,
            signal: stop.signal,
            sleep: abortableSleep,
            cycle: async () => {
              const result = await reportOnce(state, (line) => logger.info(line));
              logger.info({ compliant: result.compliant, failedChecks: result.failed_checks, nextReportSeconds: result.next_report_seconds }, 'posture report accepted');
              return { nextInMs: result.next_report_seconds * 1000 };
            },
            onRetry: (error, retryInMs) => logger.warn({ error: error instanceof Error ? error.message : String(error), retryInMs }, 'report failed; retrying'),
          });
        } finally {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
        }
      }),
    );

  agent
    .command('status')
    .description('show the enrolled device: id, server, certificate validity, when it renews')
    .option('--state-dir <dir>', 'the agent state directory')
    .action((options: StateOption) =>
      runCommand(async () => {
        const state = stateFor(options);
        const enrolled = await state.requireEnrolled();
        const now = new Date();
        const notAfter = new Date(enrolled.certificate.validTo);
        printJson({
          deviceId: enrolled.config.deviceId,
          server: enrolled.config.server,
          certificate: {
            serial: enrolled.certificate.serialNumber.toLowerCase(),
            notBefore: new Date(enrolled.certificate.validFrom).toISOString(),
            notAfter: notAfter.toISOString(),
            expired: notAfter.getTime() <= now.getTime(),
          },
          renewAfter: enrolled.config.renewAfter,
          renewalDue: renewalDue(enrolled, now),
          serverCa: enrolled.serverCaPem === undefined ? 'system trust store' : state.path('serverCa'),
          stateDir: state.dir,
        });
      }),
    );
}

function stateFor(options: StateOption): AgentState {
  return new AgentState(options.stateDir ?? defaultStateDir());
}

/** One report: renew first when due (a failed renewal is told but does not stop the report while the certificate is valid). */
async function reportOnce(state: AgentState, tell: (line: string) => void) {
  let enrolled = await state.requireEnrolled();
  if (Date.parse(enrolled.certificate.validTo) <= Date.now()) {
    // An expired certificate can sign neither a report nor a renewal the server accepts.
    throw new TenetError('TENET_ERR_DEVICE_AGENT_CERTIFICATE_EXPIRED', `the device certificate expired at ${new Date(enrolled.certificate.validTo).toISOString()}`, [
      { path: state.path('certificate'), message: 'expired before it was renewed (was the agent stopped?)', hint: `enroll again with another --state-dir, or remove ${state.dir} first` },
    ]);
  }
  if (renewalDue(enrolled)) {
    try {
      const renewed = await renewCertificate(state, enrolled, clientFor(enrolled));
      tell(`renewed the device certificate; valid until ${renewed.notAfter}`);
      enrolled = await state.requireEnrolled();
    } catch (error) {
      if (!retryable(error)) throw error;
      tell(`renewal failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const observedAt = new Date();
  const { facts } = await collectPosture(systemContext());
  return sendPostureReport(enrolled, clientFor(enrolled), facts, observedAt);
}

async function describeDevice(name: string | undefined): Promise<Record<string, string>> {
  const base: Record<string, string> = { os: process.platform };
  if (process.platform === 'linux') {
    const { facts } = await collectOsFacts(systemContext());
    Object.assign(base, { osVersion: facts.osVersion, ...(facts.distribution === undefined ? {} : { distribution: facts.distribution }), ...(facts.hostname === undefined ? {} : { hostname: facts.hostname }) });
  } else {
    base['hostname'] = hostname();
  }
  if (name !== undefined) base['name'] = name;
  return Object.fromEntries(Object.entries(base).map(([key, value]) => [key, value.slice(0, 200)]));
}

function enrollmentToken(option: string | undefined): string | undefined {
  const token = option === '-' ? readFileSync(0, 'utf8').trim() : (option ?? process.env['TENET_AGENT_ENROLLMENT_TOKEN']);
  if (token === undefined || token === '') return undefined;
  if (token.length > 256) throw new TenetError('TENET_ERR_DEVICE_AGENT_TOKEN_INVALID', 'the enrollment token is longer than 256 characters', [{ path: '--token', message: 'paste the token exactly as `tenet` printed it' }]);
  return token;
}

function readServerCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_SERVER_CA_UNREADABLE', `cannot read --server-ca ${path}`, [{ path, message: (error as Error).message }]);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_SERVER_CA_INVALID', `--server-ca ${path} is not a PEM certificate`, [{ path, message: 'expected -----BEGIN CERTIFICATE-----' }]);
  }
  return pem;
}

/** `90s`, `5m`, `1h`; at least 10 s, at most a day. */
export function parseInterval(text: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(text.trim());
  const ms = match?.[1] === undefined ? NaN : Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
  if (!(ms >= 10_000 && ms <= 86_400_000)) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_INTERVAL_INVALID', `--interval is not a duration between 10s and 24h: ${text}`, [{ path: '--interval', message: 'expected e.g. 90s, 5m or 1h' }]);
  }
  return ms;
}
