// `npm run bench:revocation [-- --quick] [--background-ms N] [--spacing-ms N] [--caep-subject email|opaque]`:
// how long a revocation takes to bite. 1,000 live sessions (--quick: 200) poll through the identity-aware
// proxy and forward-auth on keep-alive connections, a subset holding WebSockets through the proxy;
// then signals are injected and, per affected session, the time from injection to its first denied
// request or closed socket is measured: p50, p99, max per signal, beside a baseline from the same
// run (one uncached decision round trip). The signals: (a) a device's posture drop (a signed agent
// report turning it non-compliant, or an administrator's quarantine), (b) an administrator's
// session revoke, (c) a threat-list update, (d) a CAEP session-revoked SET pushed by a Shared
// Signals transmitter. Every session polls every 2 s (--background-ms); from its own signal until
// it is cut, an affected session polls every 50 ms — the detection granularity. Target: p99 ≤ 1 s.
// Not a test: figures depend on the machine; everything runs in this one process (Tenet, upstream,
// transmitter, clients), so the clients' own load is part of what is measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { signPostureReport } from '../../src/agent/signed-message.js';
import { pushSet, signSessionRevoked } from './caep.js';
import { measure, openSocket, poll, probe, requestsWithoutAnswer, send, type Client, type Measured } from './clients.js';
import { enrollCompliantDevice, NON_COMPLIANT_FACTS, sendPostureReport } from './devices.js';
import { AFFECTED, BACKGROUND_MS, BASELINE_SAMPLES, CAEP_SUBJECT, POLL_MS, REVOKE_SPACING_MS, SESSIONS, SOCKETS_PER_GROUP, TARGET_P99_MS } from './options.js';
import { loadAverage, percentile, row } from './report.js';
import { APP_HOST, DEVICE_PATH, startBenchStack, type BenchStack } from './stack.js';

async function main(): Promise<void> {
  const began = performance.now();
  const cpu = cpus();
  console.log(`# npm run bench:revocation -- ${process.argv.slice(2).join(' ')}`.trimEnd().replace(/ --$/, ''));
  console.log(`date          ${new Date().toISOString()}`);
  console.log(`machine       ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${process.platform} ${release()}, node ${process.version}`);
  console.log(`load average  ${loadAverage()} at start`);
  console.log(`${SESSIONS} live sessions (proxy and forward-auth alternately; group (a) all forward-auth), ${AFFECTED} affected per signal, ${SOCKETS_PER_GROUP} WebSockets in each of groups (b), (c), (d)`);
  console.log(`(a): ${AFFECTED} sessions on enrolled devices through forward-auth (certificate in X-Tenet-Client-Cert), ${AFFECTED / 2} cut by a signed posture report, ${AFFECTED / 2} by an admin quarantine`);
  console.log(`(d): each SET names one user by ${CAEP_SUBJECT === 'email' ? 'email' : 'Cedar principal (opaque User::"…")'}`);
  console.log(`revocations, pushes, reports and quarantines start ${REVOKE_SPACING_MS} ms apart, each timed from its own call; the threat list is one PUT naming every address of its group`);
  console.log(`detection granularity: every session polls every ${BACKGROUND_MS} ms; from its own signal until cut, an affected session polls every ${POLL_MS} ms (first probe at once); WebSocket closes are seen as they happen`);
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
    // One full interval, so every session has polled (its allow cached) before the first signal.
    await new Promise((resolve) => setTimeout(resolve, BACKGROUND_MS + 500));
    console.error(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${clients.length} sessions polling, ${clients.filter((client) => client.ws).length} WebSockets open`);
    // How busy this one process (Tenet and the clients) is while the signals are measured.
    const busy = performance.eventLoopUtilization();
    const cpuAtStart = process.cpuUsage();
    const wallAtStart = performance.now();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();

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
          const call = act(client);
          probe(client);
          await call;
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
      const call = fetch(`${running.apiUrl}/admin/v1/indicators?source=bench-feed&category=botnet`, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: threatGroup.map((client) => client.ip).join('\n'),
      });
      for (const client of threatGroup) probe(client);
      const response = await call;
      if (!response.ok) throw new Error(`indicators answered ${response.status}: ${await response.text()}`);
      return new Map(threatGroup.map((client) => [client, t0]));
    });

    // (d) CAEP session-revoked by push: one signed SET per user (named by email), signed before
    // the clock starts (the transmitter's work), timed from the moment its push is sent.
    const sets = new Map<Client, string>();
    for (const client of caepGroup) sets.set(client, await signSessionRevoked(running, `bench-${client.index}`, client.email));
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

    const utilisation = performance.eventLoopUtilization(busy).utilization;
    const cpuUsed = process.cpuUsage(cpuAtStart);
    const cpuShare = (cpuUsed.user + cpuUsed.system) / 1000 / (performance.now() - wallAtStart);
    lag.disable();
    for (const client of clients) client.stopped = true;
    for (const client of clients) client.wake?.();
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
    console.log(`while signals were measured: this process used ${(cpuShare * 100).toFixed(0)} % of a core; its event loop was ${(utilisation * 100).toFixed(0)} % busy, delay p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms (one process: Tenet, upstream, transmitter and clients)`);
    console.log(`requests without an answer (connection closed; retried, never counted as a cut): ${requestsWithoutAnswer()}`);
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
