// `npm run bench:proxy [-- --quick | --profile | --connections 1,16 | --rounds N | --seconds S]`:
// what Tenet's identity-aware proxy costs per request, side by side in one run with
//   (1) the upstream called directly (a bare node:http server: 200, fixed 16-byte body, keep-alive),
//   (2) nginx proxy_pass to the same upstream (keep-alive upstream pool),
//   (3) Tenet's proxy to the same upstream, with an authenticated session and a cached decision
//       (the probe before the load makes the first decision; the allow is then reused per the
//       decision's cacheTtl obligation, 30 s by default, and re-decided when it lapses).
// Every server and wrk run in their own processes on loopback (bench/enforcement/). Each target is
// checked before the load (200 with the upstream's body; Tenet also 401 without the cookie), and
// every response is counted by status: a run with any non-2xx answer is flagged INVALID.
import { join } from 'node:path';
import { freePort } from '../test/integrations/support/processes.js';
import { allValid, measure, ratioTable, resultTable } from './enforcement/compare.js';
import { startNginx } from './enforcement/nginx.js';
import { proxySite } from './enforcement/nginx-sites.js';
import { expectRefusedWithoutCookie, expectServed } from './enforcement/probe.js';
import { runBenchmark } from './enforcement/run.js';
import { startBareNodeProxy, startTenet, startUpstream, UPSTREAM_BODY } from './enforcement/servers.js';
import { describeDifference, readVerdicts } from './enforcement/verdict-metrics.js';
import type { LoadTarget } from './enforcement/wrk.js';

const LEGEND = `What the rows measure (every request: GET / with Host: app.example.com and the session cookie)
  (1) upstream direct   wrk → the node:http upstream: the floor, what the application alone costs here
  (2) nginx             wrk → nginx 1 process (proxy_pass, HTTP/1.1 keep-alive pool to the upstream,
                        access_log off) → upstream: what a mature reverse proxy adds
  (3) bare node:http   wrk → a 25-line node:http reverse proxy (keep-alive agent, pipes, one 640-byte
      proxy             header, nothing else) → upstream: the floor for any proxy on this runtime
  (4) Tenet proxy       wrk → Tenet (one Node process; plain HTTP, TLS assumed in front) → upstream.
                        Per request: request facts, route match, session cookie read and the session
                        looked up in SQLite (resume; lastSeenAt written at most every 10 s), decision
                        cache hit (no Cedar evaluation, no decision-log write), upstream headers
                        rebuilt with the cached signed identity assertion, response streamed back.
                        Access log off (pino level warn), as nginx's.
  req/s, p50, p99       wrk's requests/s and latency percentiles (median over rounds, each separately)
  in each round         req/s of each round, in the order run: the spread shows the machine's noise
  non-2xx               responses that were not 2xx, counted per status by bench/enforcement/wrk-report.lua
                        (wrk's own counter ignores 3xx, so a redirect to login would pass unseen)
  ratios                median of the first / median of the second: req/s below 1× = fewer requests
                        per second; p50/p99 above 1× = slower. wrk, the servers and other work on the
                        machine share its cores, so a faster server also leaves less CPU to the others.`;

await runBenchmark({ title: 'Tenet enforcement benchmark: identity-aware proxy', command: 'npm run bench:proxy', targets: 4 }, async (run) => {
  const { plan } = run;
  run.progress('starting the upstream, a bare node:http proxy, Tenet and nginx (each in its own process)');
  const upstream = await startUpstream(run.deadlineMs);
  run.defer(() => upstream.child.stop());
  const bare = await startBareNodeProxy(upstream.url, run.deadlineMs);
  run.defer(() => bare.child.stop());
  const tenet = await startTenet(join(run.dir, 'tenet'), upstream.url, run.deadlineMs);
  run.defer(() => tenet.child.stop());
  const { host, cookie } = tenet.ready;
  const nginxPort = await freePort();
  const nginx = await startNginx(join(run.dir, 'nginx'), [proxySite(nginxPort, host, upstream.port, Math.max(16, ...plan.connections))], run.deadlineMs);
  run.defer(() => nginx.stop());

  // The same request bytes to every target: Tenet needs the cookie, the others carry it unread.
  const headers = [`Host: ${host}`, `Cookie: ${cookie}`];
  const targets: LoadTarget[] = [
    { label: '(1) upstream direct (node:http)', url: `${upstream.url}/`, headers },
    { label: '(2) nginx proxy_pass → upstream', url: `http://127.0.0.1:${nginxPort}/`, headers },
    { label: '(3) bare node:http proxy → upstream', url: `${bare.url}/`, headers },
    { label: '(4) Tenet proxy → upstream (session, cached decision)', url: `${tenet.ready.listening}/`, headers },
  ];
  const [, , , tenetTarget] = targets;
  if (tenetTarget === undefined) throw new Error('no Tenet target');
  run.progress('checking every target answers 200 with the upstream body (warms Tenet\'s decision cache)');
  for (const target of targets) await expectServed(target, UPSTREAM_BODY);
  await expectRefusedWithoutCookie(tenetTarget);

  const verdictsBefore = await readVerdicts(tenet.ready.api);
  const profiles: string[] = [];
  const profiled = Math.max(...plan.connections);
  const comparisons = await measure(targets, plan, run.progress, {
    beforeRounds: async (connections) => (plan.profile && connections === profiled ? tenet.startProfile() : undefined),
    afterRounds: async (connections) => {
      if (plan.profile && connections === profiled) profiles.push(await tenet.stopProfile(`proxy-c${connections}`));
    },
  });

  const verdictsAfter = await readVerdicts(tenet.ready.api);

  for (const comparison of comparisons) {
    console.log(`## Identity-aware proxy, ${comparison.connections} connection(s): medians of ${plan.rounds} rounds × ${plan.seconds} s`);
    console.log(resultTable(comparison, 'req'));
    console.log('');
    console.log(
      ratioTable(
        comparison,
        [
          { numerator: 3, denominator: 1, label: '(4) Tenet / (2) nginx' },
          { numerator: 3, denominator: 2, label: '(4) Tenet / (3) bare node:http proxy' },
          { numerator: 3, denominator: 0, label: '(4) Tenet / (1) direct' },
          { numerator: 2, denominator: 1, label: '(3) bare node:http proxy / (2) nginx' },
          { numerator: 1, denominator: 0, label: '(2) nginx / (1) direct' },
        ],
        'req',
      ),
    );
    console.log('');
  }
  console.log(describeDifference(verdictsBefore, verdictsAfter));
  console.log('');
  for (const profile of profiles) {
    console.log(`## CPU profile of the Tenet process over the measured rounds at ${profiled} connections (Tenet idle while other targets ran)`);
    console.log(profile);
    console.log('');
  }
  console.log(LEGEND);
  console.log('');
  return allValid(comparisons);
});
