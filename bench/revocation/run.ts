// `npm run bench:revocation [-- --quick]`: how long a revocation takes to bite. 1,000 live
// sessions (--quick: 200) poll through the identity-aware proxy and forward-auth on keep-alive
// connections, a subset holding WebSockets through the proxy; then signals are injected and, per
// affected session, the time from injection to its first denied request or closed socket is
// measured: p50, p99, max per signal, beside a baseline from the same run (one uncached decision
// round trip). The signals: (a) a device's posture drop (a signed agent report turning it
// non-compliant, or an administrator's quarantine), (b) an administrator's session revoke, (c) a
// threat-list update, (d) a CAEP session-revoked SET pushed by a Shared Signals transmitter.
// Detection granularity is the affected sessions' polling interval (printed). Target: p99 ≤ 1 s.
// Not a test: figures depend on the machine; everything runs in this one process (Tenet, upstream,
// transmitter, clients), so the clients' own load is part of what is measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { signPostureReport } from '../../src/agent/signed-message.js';
import { pushSet, signSessionRevoked } from './caep.js';
import { enrollCompliantDevice, NON_COMPLIANT_FACTS, sendPostureReport, type BenchDevice } from './devices.js';
import { APP_HOST, DEVICE_PATH, startBenchStack, type BenchStack } from './stack.js';

const quick = process.argv.includes('--quick');
const SESSIONS = quick ? 200 : 1000;
/** Sessions affected by each signal (half through the proxy, half through forward-auth; (a): all
 * through forward-auth, half by posture report, half by quarantine). */
const AFFECTED = quick ? 20 : 100;
/** WebSockets held per affected group (through the proxy). */
const SOCKETS_PER_GROUP = AFFECTED / 2;
/** Affected sessions poll this often while their signal is measured: the detection granularity. */
const POLL_MS = 50;
/** Every other session polls this often (background load). */
const BACKGROUND_MS = 2000;
/** A session not cut this long after its signal counts as missed. */
const DEADLINE_MS = 10_000;
const TARGET_P99_MS = 1000;
/** Admin revocations, CAEP pushes, posture reports and quarantines start this far apart. */
const REVOKE_SPACING_MS = 10;
/** Sessions whose first (uncached) request, sent alone, makes the baseline. */
const BASELINE_SAMPLES = 100;

interface Client {
  readonly index: number;
  readonly via: 'proxy' | 'forward-auth';
  readonly ip: string;
  readonly email: string;
  /** Requested path: '/' (route hello), DEVICE_PATH (route device, needs a compliant device). */
  readonly path: string;
  readonly agent: Agent;
  device?: BenchDevice;
  cookie: string;
  sessionId: string;
  fast: boolean;
  stopped: boolean;
  /** performance.now() of the first non-2xx answer while watched. */
  deniedAt?: number;
  /** The status of that answer (0: the request failed). */
  deniedStatus?: number;
  watching: boolean;
  ws?: WebSocket;
  wsClosedAt?: number;
  /** Ends the current wait between polls (a client switched to fast polling must not sleep out its slow interval). */
  wake?: () => void;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function row(label: string, values: readonly number[], missed = 0, statuses?: ReadonlyMap<number, number>): string {
  const answers = statuses === undefined ? '' : `   [${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}]`;
  const sorted = [...values].sort((a, b) => a - b);
  const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(1)} ms`).padStart(10);
  return `${label.padEnd(60)}${String(values.length).padStart(6)}${ms(percentile(sorted, 50))}${ms(percentile(sorted, 99))}${ms(sorted.at(-1) ?? Number.NaN)}${answers}${missed > 0 ? `   ${missed} MISSED (> ${DEADLINE_MS} ms)` : ''}`;
}

const loadAverage = (): string => `${loadavg().map((value) => value.toFixed(2)).join(' ')} (1/5/15 min)`;

/** One request as the client's PEP path sends it; resolves with the status. */
function send(stack: BenchStack, client: Client): Promise<number> {
  const headers: Record<string, string> =
    client.via === 'proxy'
      ? { host: APP_HOST, cookie: client.cookie, 'x-forwarded-for': client.ip, accept: 'application/json' }
      : {
          host: APP_HOST,
          cookie: client.cookie,
          'x-original-uri': client.path,
          'x-original-method': 'GET',
          'x-forwarded-host': APP_HOST,
          'x-forwarded-proto': 'http',
          'x-real-ip': client.ip,
          accept: 'application/json',
          // nginx: proxy_set_header X-Tenet-Client-Cert $ssl_client_escaped_cert;
          ...(client.device === undefined ? {} : { 'x-tenet-client-cert': client.device.forwardedCertificate }),
        };
  const path = client.via === 'proxy' ? client.path : '/.tenet/forward-auth?mode=nginx';
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.proxyPort, path, headers, agent: client.agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls at the client's interval until stopped; notes the first denied answer while watched. */
async function poll(stack: BenchStack, client: Client): Promise<void> {
  while (!client.stopped) {
    const started = performance.now();
    const status = await send(stack, client).catch(() => 0);
    if (client.watching && client.deniedAt === undefined && (status < 200 || status >= 300)) {
      client.deniedAt = performance.now();
      client.deniedStatus = status;
    }
    if (client.deniedAt !== undefined) return;
    const interval = client.fast ? POLL_MS : BACKGROUND_MS;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, interval - (performance.now() - started)));
      client.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function openSocket(stack: BenchStack, client: Client): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${stack.proxyPort}/ws`, { headers: { host: APP_HOST, cookie: client.cookie, 'x-forwarded-for': client.ip } });
  client.ws = ws;
  ws.on('error', () => undefined);
  ws.once('close', () => (client.wsClosedAt = performance.now()));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
  });
}

async function until(done: () => boolean, deadlineMs: number): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!done() && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

interface Measured {
  readonly http: number[];
  readonly sockets: number[];
  readonly missed: number;
  /** How the first denied answers were given: status → count (a 500 is a failure, not a denial). */
  readonly statuses: ReadonlyMap<number, number>;
}

/** Watches the group, injects, and collects each member's time from its injection to its cut. */
async function measure(group: readonly Client[], inject: () => Promise<Map<Client, number>>): Promise<Measured> {
  for (const client of group) {
    client.fast = true;
    client.watching = true;
    client.wake?.();
  }
  // Let the group's fast polling settle (every answer still allowed).
  await new Promise((resolve) => setTimeout(resolve, 300));
  const injectedAt = await inject();
  const sockets = group.filter((client) => client.ws !== undefined);
  await until(() => group.every((client) => client.deniedAt !== undefined) && sockets.every((client) => client.wsClosedAt !== undefined), DEADLINE_MS);
  const http: number[] = [];
  const closed: number[] = [];
  let missed = 0;
  const statuses = new Map<number, number>();
  for (const client of group) {
    if (client.deniedStatus !== undefined) statuses.set(client.deniedStatus, (statuses.get(client.deniedStatus) ?? 0) + 1);
    const t0 = injectedAt.get(client) ?? Number.NaN;
    if (client.deniedAt === undefined) missed += 1;
    else http.push(client.deniedAt - t0);
    if (client.ws !== undefined) {
      if (client.wsClosedAt === undefined) missed += 1;
      else closed.push(client.wsClosedAt - t0);
    }
    client.stopped = true;
  }
  return { http, sockets: closed, missed, statuses };
}

async function main(): Promise<void> {
  const began = performance.now();
  const cpu = cpus();
  console.log(`# npm run bench:revocation${quick ? ' -- --quick' : ''}`);
  console.log(`date          ${new Date().toISOString()}`);
  console.log(`machine       ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${process.platform} ${release()}, node ${process.version}`);
  console.log(`load average  ${loadAverage()} at start`);
  console.log(`${SESSIONS} live sessions (half proxy, half forward-auth), ${AFFECTED} affected per signal, ${SOCKETS_PER_GROUP} WebSockets in each of groups (b), (c), (d)`);
  console.log(`(a): ${AFFECTED} sessions on enrolled devices through forward-auth (certificate in X-Tenet-Client-Cert), ${AFFECTED / 2} cut by a signed posture report, ${AFFECTED / 2} by an admin quarantine`);
  console.log(`revocations, pushes, reports and quarantines start ${REVOKE_SPACING_MS} ms apart, each timed from its own call; the threat list is one PUT naming every address of its group`);
  console.log(`detection granularity: affected sessions poll every ${POLL_MS} ms (others every ${BACKGROUND_MS} ms); WebSocket closes are seen as they happen`);
  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-revocation-'));
  let stack: BenchStack | undefined;
  const clients: Client[] = [];
  try {
    stack = await startBenchStack(dir);
    const running = stack;
    const sessions = running.enforcement.sessions;
    // Groups: [0, A) admin revoke; [A, 2A) threat list (100.64.0.0/24); [2A, 3A) CAEP push;
    // [3A, 4A) devices (forward-auth, route `device`); the rest background.
    const inGroup = (index: number, group: number) => index >= group * AFFECTED && index < (group + 1) * AFFECTED;
    for (let index = 0; index < SESSIONS; index += 1) {
      const threat = inGroup(index, 1);
      const device = inGroup(index, 3);
      const ip = threat ? `100.64.0.${index - AFFECTED + 1}` : `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
      const email = `bench-${index}@bench.example`;
      const { secret, record } = await sessions.start({
        identity: { providerId: 'bench', idpSubject: `user-${index}`, subject: { type: 'User', id: `bench-${index}` }, parents: [{ type: 'Group', id: 'employees' }], attributes: {}, groups: ['employees'], email },
        authn: { methods: ['pwd', 'mfa'], phishingResistant: false, authenticatedAt: new Date().toISOString() },
        host: APP_HOST,
      });
      clients.push({
        index,
        via: device || index % 2 === 1 ? 'forward-auth' : 'proxy',
        ip,
        email,
        path: device ? DEVICE_PATH : '/',
        agent: new Agent({ keepAlive: true, maxSockets: 1 }),
        cookie: sessions.setCookie(secret, record).split(';')[0] ?? '',
        sessionId: record.id,
        fast: false,
        stopped: false,
        watching: false,
      });
    }
    const revokeGroup = clients.slice(0, AFFECTED);
    const threatGroup = clients.slice(AFFECTED, 2 * AFFECTED);
    const caepGroup = clients.slice(2 * AFFECTED, 3 * AFFECTED);
    const deviceGroup = clients.slice(3 * AFFECTED, 4 * AFFECTED);
    const postureGroup = deviceGroup.slice(0, AFFECTED / 2);
    const quarantineGroup = deviceGroup.slice(AFFECTED / 2);
    // Each device session gets its own device (enrolled by admin token, compliant report sent).
    for (const client of deviceGroup) client.device = await enrollCompliantDevice(running, `bench-${client.index}`);
    console.error(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${deviceGroup.length} devices enrolled and compliant`);

    // Baseline: a session's first request is an uncached decision round trip; the first
    // BASELINE_SAMPLES are sent one at a time (no queueing), the rest concurrently to warm up.
    const baseline: number[] = [];
    const first = async (client: Client, record: boolean): Promise<void> => {
      const t0 = performance.now();
      const status = await send(running, client);
      if (record) baseline.push(performance.now() - t0);
      if (status !== 200) throw new Error(`session ${client.index} (${client.via} ${client.path}) was not allowed before any signal: ${status}`);
    };
    for (const client of clients.slice(0, BASELINE_SAMPLES)) await first(client, true);
    for (let start = BASELINE_SAMPLES; start < clients.length; start += 50) await Promise.all(clients.slice(start, start + 50).map((client) => first(client, false)));
    for (const group of [revokeGroup, threatGroup, caepGroup]) {
      for (const client of group.filter((member) => member.via === 'proxy').slice(0, SOCKETS_PER_GROUP)) await openSocket(running, client);
    }
    const pollers = clients.map((client) => poll(running, client));
    console.error(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${clients.length} sessions polling, ${clients.filter((client) => client.ws).length} WebSockets open`);

    /** How long each signal's calls took to be answered (the caller's view), by signal. */
    const answered = new Map<string, number[]>();
    /** Calls `act` for each member, REVOKE_SPACING_MS apart, each timed from its own start. */
    const spaced = async (signal: string, group: readonly Client[], act: (client: Client) => Promise<void>): Promise<Map<Client, number>> => {
      const at = new Map<Client, number>();
      const durations: number[] = [];
      answered.set(signal, durations);
      await Promise.all(
        group.map(async (client, position) => {
          await new Promise((resolve) => setTimeout(resolve, position * REVOKE_SPACING_MS));
          const t0 = performance.now();
          at.set(client, t0);
          await act(client);
          durations.push(performance.now() - t0);
        }),
      );
      return at;
    };

    // (b) admin session revoke: one API call per session (an administrator's revocations, not one
    // burst of a hundred).
    const revoked = await measure(revokeGroup, () =>
      spaced('(b)', revokeGroup, async (client) => {
        const response = await fetch(`${running.apiUrl}/admin/v1/sessions/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: client.sessionId }) });
        if (!response.ok) throw new Error(`revoke answered ${response.status}: ${await response.text()}`);
      }),
    );

    // (c) threat-list update naming every client address of the group (one PUT).
    const threat = await measure(threatGroup, async () => {
      const t0 = performance.now();
      const response = await fetch(`${running.apiUrl}/admin/v1/indicators?source=bench-feed&category=botnet`, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: threatGroup.map((client) => client.ip).join('\n'),
      });
      if (!response.ok) throw new Error(`indicators answered ${response.status}: ${await response.text()}`);
      return new Map(threatGroup.map((client) => [client, t0]));
    });

    // (d) CAEP session-revoked by push: one signed SET per user (named by email), signed before
    // the clock starts (the transmitter's work), timed from the moment its push is sent.
    const sets = new Map<Client, string>();
    for (const client of caepGroup) sets.set(client, await signSessionRevoked(running, client.email));
    const caep = await measure(caepGroup, () => spaced('(d)', caepGroup, (client) => pushSet(running, sets.get(client) ?? '')));

    // (a) posture drop, two ways: the device's own signed report with its firewall off (signed
    // before the clock starts, as the agent does), and an administrator quarantining the device.
    const reports = new Map<Client, string>();
    for (const client of postureGroup) if (client.device !== undefined) reports.set(client, await signPostureReport(client.device.signer, NON_COMPLIANT_FACTS, new Date()));
    const posture = await measure(postureGroup, () =>
      spaced('(a) report', postureGroup, async (client) => {
        const answer = await sendPostureReport(running, reports.get(client) ?? '');
        if (answer.status !== 200 || (JSON.parse(answer.body) as { compliant?: boolean }).compliant !== false) throw new Error(`the non-compliant report answered ${answer.status}: ${answer.body}`);
      }),
    );
    const quarantined = await measure(quarantineGroup, () =>
      spaced('(a) quarantine', quarantineGroup, async (client) => {
        const response = await fetch(`${running.apiUrl}/admin/v1/devices/${encodeURIComponent(client.device?.deviceId ?? '')}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'quarantined' }) });
        if (!response.ok) throw new Error(`quarantine answered ${response.status}: ${await response.text()}`);
      }),
    );

    for (const client of clients) client.stopped = true;
    await Promise.all(pollers);
    // Collateral: every session no signal named must still be allowed (a CAEP event names a user
    // by email; a device change, one device; neither may reach further).
    const background = clients.slice(4 * AFFECTED);
    let collateral = 0;
    for (let start = 0; start < background.length; start += 50) {
      const statuses = await Promise.all(background.slice(start, start + 50).map((client) => send(running, client).catch(() => 0)));
      collateral += statuses.filter((status) => status !== 200).length;
    }

    const results: [string, Measured][] = [
      ['(a) posture report → non-compliant, HTTP (forward-auth)', posture],
      ['(a) admin device quarantine, HTTP (forward-auth)', quarantined],
      ['(b) admin revoke', revoked],
      ['(c) threat-list update', threat],
      ['(d) CAEP session-revoked push', caep],
    ];
    console.log('');
    console.log(`${'signal → first denied request / closed socket'.padEnd(60)}${'n'.padStart(6)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}`);
    console.log(row('baseline: one uncached decision round trip', baseline));
    for (const [label, measured] of results) {
      if (measured.sockets.length === 0) {
        console.log(row(label, measured.http, measured.missed, measured.statuses));
        continue;
      }
      console.log(row(`${label}, HTTP (proxy + forward-auth)`, measured.http, measured.missed, measured.statuses));
      console.log(row(`${label}, WebSocket closed`, measured.sockets));
    }
    console.log('');
    console.log('the signal\'s own call, until answered');
    for (const [signal, what] of [
      ['(a) report', '(a) POST /.tenet/device/posture → 200 (verdict)'],
      ['(a) quarantine', '(a) POST /admin/v1/devices/:id/status → 200'],
      ['(b)', '(b) POST /admin/v1/sessions/revoke → 200'],
      ['(d)', '(d) SSF push → 202 Accepted'],
    ] as const) {
      console.log(row(what, answered.get(signal) ?? []));
    }
    const p99s = results.map(([label, measured]) => [label, percentile([...measured.http, ...measured.sockets].sort((a, b) => a - b), 99)] as const);
    const [worstLabel, worst] = p99s.reduce((a, b) => (b[1] > a[1] ? b : a));
    const missed = results.reduce((sum, [, measured]) => sum + measured.missed, 0);
    // A cut must be a denial (401 / 403), not a server failure.
    const failures = results.reduce((sum, [, measured]) => sum + [...measured.statuses].filter(([status]) => status !== 401 && status !== 403).reduce((total, [, count]) => total + count, 0), 0);
    console.log('');
    console.log(`target p99 ≤ ${TARGET_P99_MS} ms: ${worst <= TARGET_P99_MS && missed === 0 && collateral === 0 && failures === 0 ? 'met' : 'NOT met'} (worst p99 ${worst.toFixed(1)} ms, ${worstLabel}${missed > 0 ? `; ${missed} cuts missed` : ''}${failures > 0 ? `; ${failures} cuts were not 401/403 answers` : ''})`);
    console.log(`unaffected sessions denied afterwards: ${collateral} of ${background.length}${collateral > 0 ? ' — a signal reached sessions it did not name' : ''}`);
    console.log(`load average  ${loadAverage()} at end`);
    console.log(`took ${((performance.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    for (const client of clients) {
      client.stopped = true;
      client.ws?.terminate();
      client.agent.destroy();
    }
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
