// `tenet agent` as a user runs it: a subprocess per command against a real HTTPS server on
// 127.0.0.1 speaking the device protocol (src/agent/testing/device-protocol-server.ts).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_TOKEN, startDeviceProtocolServer, type DeviceProtocolServer } from '../../agent/testing/device-protocol-server.js';
import { postureFactsSchema } from '../../devices/protocol.js';
import { parseInterval } from './agent.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO_ROOT, 'src/cli/main.ts');

let server: DeviceProtocolServer;
let root: string;
let serverCaFile: string;

beforeAll(async () => {
  server = await startDeviceProtocolServer();
  root = await mkdtemp(join(tmpdir(), 'tenet-agent-cli-'));
  serverCaFile = join(root, 'server-ca.pem');
  await writeFile(serverCaFile, server.tlsCaPem);
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function tenet(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`tenet ${args.join(' ')} did not exit normally: ${error.message}\n${stderr}`));
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('tenet agent', () => {
  const stateDir = () => join(root, 'state');

  it('enroll --token, status, report, run until SIGTERM', async () => {
    const enrolled = await tenet(['agent', 'enroll', '--server', server.url, '--token', GOOD_TOKEN, '--server-ca', serverCaFile, '--state-dir', stateDir(), '--name', 'ci laptop']);
    expect(enrolled.stderr).toMatch(/enrolled as device dev-\d+; certificate valid until/);
    expect(enrolled.code).toBe(0);
    const { deviceId } = JSON.parse(enrolled.stdout) as { deviceId: string };
    expect(JSON.parse(server.received.find((entry) => entry.body.includes(GOOD_TOKEN))?.body ?? '{}')).toMatchObject({ description: { name: 'ci laptop', os: 'linux' } });

    const status = await tenet(['agent', 'status', '--state-dir', stateDir()]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ deviceId, server: server.url, certificate: { expired: false }, renewalDue: false, serverCa: join(stateDir(), 'server-ca.pem') });

    const report = await tenet(['agent', 'report', '--state-dir', stateDir()]);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ accepted: true, device_id: deviceId });
    expect(postureFactsSchema.safeParse(server.reports.at(-1)?.posture.facts).success).toBe(true);

    const reportsBefore = server.reports.length;
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'agent', 'run', '--state-dir', stateDir(), '--interval', '10s'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('posture report accepted')) resolve();
      });
      child.on('exit', () => reject(new Error(`agent run exited early:\n${output}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('agent stopping');
    expect(server.reports.length).toBeGreaterThan(reportsBefore);
  });

  it('shows the server\'s refusal and exits non-zero', async () => {
    const result = await tenet(['agent', 'enroll', '--server', server.url, '--token', 'not-a-token', '--server-ca', serverCaFile, '--state-dir', join(root, 'refused')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('TENET_ERR_DEVICE_AGENT_REFUSED: the server refused: invalid_token (the enrollment token is unknown, used or expired)');
  });

  it.runIf(process.platform === 'linux')('report --dry-run prints this machine\'s facts and sends nothing', async () => {
    const received = server.received.length;
    const result = await tenet(['agent', 'report', '--dry-run']);
    expect(result.code).toBe(0);
    expect(postureFactsSchema.safeParse(JSON.parse(result.stdout)).success).toBe(true);
    expect(server.received.length).toBe(received);
  });
});

describe('parseInterval', () => {
  it('reads s/m/h within 10 s and a day', () => {
    expect(parseInterval('90s')).toBe(90_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('1h')).toBe(3_600_000);
    expect(() => parseInterval('5s')).toThrow(/between 10s and 24h/);
    expect(() => parseInterval('five')).toThrow(/between 10s and 24h/);
  });
});
