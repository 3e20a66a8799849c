// `npm run bench:forward-auth [-- --quick | --profile | --connections 1,16 | --rounds N | --seconds S]`:
// what asking Tenet's forward-auth endpoint costs per request, side by side in one run with
//   (1) nginx answering 200 itself (no auth),
//   (2) nginx with auth_request to Tenet's forward-auth (docs/integrations/nginx.md's block, read
//       from the doc), then answering 200 itself when allowed,
//   (3) Tenet's forward-auth endpoint called directly with the headers nginx's subrequest sends
//       (?mode=nginx, X-Original-URI, X-Original-Method, Host, X-Forwarded-Host,
//       X-Forwarded-Proto, X-Real-IP, the session cookie).
// Tenet has an authenticated session and a cached decision (the probe before the load makes the
// first decision). Every server and wrk run in their own processes on loopback; each target is
// checked before the load (200; the authenticated ones 401 without the cookie, proof they ask
// Tenet), and every response is counted by status: a run with any non-2xx answer is INVALID.
import { join } from 'node:path';
import { freePort } from '../test/integrations/support/processes.js';
import { allValid, measure, ratioTable, resultTable } from './enforcement/compare.js';
import { startNginx } from './enforcement/nginx.js';
import { forwardAuthSite, STATIC_BODY, staticSite } from './enforcement/nginx-sites.js';
import { expectRefusedWithoutCookie, expectServed } from './enforcement/probe.js';
import { runBenchmark } from './enforcement/run.js';
import { startTenet } from './enforcement/servers.js';
import { describeDifference, readVerdicts } from './enforcement/verdict-metrics.js';
import type { LoadTarget } from './enforcement/wrk.js';

const LEGEND = `What the rows measure (every request: GET / with Host: app.example.com and the session cookie)
  (1) nginx alone        nginx 1 process answers 200 "ok" itself (try_files → named location →
                         return 200; access_log off): the floor for anything nginx does per request
  (2) nginx + Tenet      the same, but first an auth_request subrequest over a keep-alive upstream
                         pool (keepalive 16, as documented) to Tenet's /.tenet/forward-auth?mode=nginx;
                         nginx copies X-Tenet-Assertion and X-Email from Tenet's 200 (auth_request_set)
  (3) Tenet direct       wrk → Tenet's forward-auth endpoint with the headers nginx's subrequest sends:
                         trusted-caller check, original request rebuilt from the headers, route match,
                         session cookie read and the session looked up in SQLite, decision cache hit
                         (no Cedar evaluation, no decision-log write), 200 with the cached signed
                         identity assertion and X-Email. Access log off (pino level warn)
  decisions/s, p50, p99  wrk's requests/s and latency percentiles (median over rounds, each separately)
  in each round          decisions/s of each round, in the order run: the spread shows the machine's noise
  non-2xx                responses that were not 2xx, counted per status by bench/enforcement/wrk-report.lua
  ratios                 median of the first / median of the second: decisions/s below 1× = fewer per
                         second; p50/p99 above 1× = slower. wrk, nginx, Tenet and other work on the
                         machine share its cores: in (2) nginx and Tenet both work on every request.`;

await runBenchmark({ title: 'Tenet enforcement benchmark: forward-auth behind nginx auth_request', command: 'npm run bench:forward-auth', targets: 3 }, async (run) => {
  const { plan } = run;
  run.progress('starting Tenet and nginx (each in its own process)');
  const tenet = await startTenet(join(run.dir, 'tenet'), undefined, run.deadlineMs);
  run.defer(() => tenet.child.stop());
  const { host, cookie } = tenet.ready;
  const [staticPort, authPort] = [await freePort(), await freePort()];
  const nginx = await startNginx(join(run.dir, 'nginx'), [staticSite(staticPort, host), forwardAuthSite(authPort, tenet.port)], run.deadlineMs);
  run.defer(() => nginx.stop());

  const headers = [`Host: ${host}`, `Cookie: ${cookie}`];
  // What nginx's subrequest carries (docs/integrations/nginx.md): nginx listens on plain HTTP here,
  // so $scheme is http; the client is wrk on 127.0.0.1.
  const subrequestHeaders = [...headers, `X-Forwarded-Host: ${host}`, 'X-Original-URI: /', 'X-Original-Method: GET', 'X-Forwarded-Proto: http', 'X-Real-IP: 127.0.0.1'];
  const targets: LoadTarget[] = [
    { label: '(1) nginx return 200, no auth', url: `http://127.0.0.1:${staticPort}/`, headers },
    { label: '(2) nginx auth_request → Tenet, then 200', url: `http://127.0.0.1:${authPort}/`, headers },
    { label: '(3) Tenet forward-auth direct (?mode=nginx)', url: `${tenet.ready.listening}/.tenet/forward-auth?mode=nginx`, headers: subrequestHeaders },
  ];
  const [staticTarget, authTarget, directTarget] = targets;
  if (staticTarget === undefined || authTarget === undefined || directTarget === undefined) throw new Error('targets missing');
  run.progress('checking every target answers 200 (warms Tenet\'s decision cache) and the authenticated ones refuse without the cookie');
  await expectServed(staticTarget, STATIC_BODY);
  await expectServed(authTarget, STATIC_BODY);
  const direct = await expectServed(directTarget, '');
  if (typeof direct.headers['x-tenet-assertion'] !== 'string' || direct.headers['x-email'] !== 'alice@example.com') {
    throw new Error(`${directTarget.label} answered 200 without the identity headers: ${JSON.stringify(direct.headers)}`);
  }
  await expectRefusedWithoutCookie(authTarget);
  await expectRefusedWithoutCookie(directTarget);

  const verdictsBefore = await readVerdicts(tenet.ready.api);
  const profiles: string[] = [];
  const profiled = Math.max(...plan.connections);
  const comparisons = await measure(targets, plan, run.progress, {
    beforeRounds: async (connections) => (plan.profile && connections === profiled ? tenet.startProfile() : undefined),
    afterRounds: async (connections) => {
      if (plan.profile && connections === profiled) profiles.push(await tenet.stopProfile(`forward-auth-c${connections}`));
    },
  });

  const verdictsAfter = await readVerdicts(tenet.ready.api);

  for (const comparison of comparisons) {
    console.log(`## Forward-auth, ${comparison.connections} connection(s): medians of ${plan.rounds} rounds × ${plan.seconds} s`);
    console.log(resultTable(comparison, 'decisions'));
    console.log('');
    console.log(
      ratioTable(
        comparison,
        [
          { numerator: 1, denominator: 0, label: '(2) nginx + Tenet / (1) nginx alone' },
          { numerator: 2, denominator: 0, label: '(3) Tenet direct / (1) nginx alone' },
          { numerator: 1, denominator: 2, label: '(2) nginx + Tenet / (3) Tenet direct' },
        ],
        'decisions',
      ),
    );
    console.log('');
  }
  console.log(describeDifference(verdictsBefore, verdictsAfter));
  console.log('');
  for (const profile of profiles) {
    console.log(`## CPU profile of the Tenet process over the measured rounds at ${profiled} connections (Tenet idle while (1) ran)`);
    console.log(profile);
    console.log('');
  }
  console.log(LEGEND);
  console.log('');
  return allValid(comparisons);
});
