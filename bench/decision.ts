// `npm run bench:decision [-- --quick]`: what one access decision costs, measured side by side
// with a baseline in the same run (ARCHITECTURE.md: "measure, don't guess").
//   1. In process, per policy-set size (10 / 100 / 1,000 policies over 10,000 entities): Tenet's
//      engine decide() against cedar-wasm called directly on the same requests.
//   2. The full PDP path: decide + audit record committed to SQLite, one and 32 in flight,
//      against the engine alone.
//   3. AuthZEN over HTTP (server and load generator in separate processes) against a bare
//      node:http JSON endpoint.
// Figures are medians over rounds; engine and baseline rounds alternate so machine noise hits
// both. This script only orchestrates: every measurement runs in a fresh child process.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeFixture } from './fixture.js';
import { ENTITY_COUNT, generatePolicies, generateRequests, generateWorld } from './generate.js';
import { measureHttp } from './http.js';
import type { SizeReport } from './in-process.js';
import type { PdpReport } from './pdp.js';
import { CONNECTIONS, IN_FLIGHT, PDP_POLICY_SET_SIZE, planFor, POLICY_SET_SIZES, SEED } from './plan.js';
import { runSection, type SectionOutcome } from './processes.js';
import { factsTable, httpTable, inProcessTable, LEGEND, pdpTable } from './report.js';
import { fmt, ratio } from './stats.js';

const quick = process.argv.includes('--quick');
const plan = planFor(quick);
const began = Date.now();
const elapsed = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
const progress = (message: string) => console.error(`[${elapsed()}] ${message}`);
const loadAverage = () => loadavg().map((value) => value.toFixed(2)).join(' ');

function header(): void {
  const cpu = cpus();
  console.log(`# Tenet decision benchmark (${quick ? 'quick' : 'full'} run)`);
  console.log(`date          ${new Date().toISOString()}`);
  console.log(`command       npm run bench:decision${quick ? ' -- --quick' : ''}`);
  console.log(`machine       ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()}`);
  console.log(`node          ${process.version}`);
  console.log(`load average  ${loadAverage()} (1/5/15 min) at start`);
  console.log(
    `plan          ${ENTITY_COUNT.toLocaleString('en-US')} entities; ${plan.requests} requests per policy set; ${plan.rounds} rounds of one pass each; ` +
      `PDP ${plan.pdpRounds} rounds; HTTP ${plan.httpRounds} × ${plan.httpSeconds} s per target, ${CONNECTIONS} connections`,
  );
  console.log('');
}

function retryNote(outcomes: readonly SectionOutcome<unknown>[]): void {
  const retried = outcomes.filter((o) => o.retriedWith !== undefined);
  if (retried.length > 0) {
    console.log(`NOTE: ${retried.length} section(s) hit a V8 crash on the first attempt and were re-run with ${retried[0]?.retriedWith ?? ''} (see bench/processes.ts)`);
  }
}

async function main(): Promise<void> {
  header();
  const now = new Date().toISOString();

  const sizes: SectionOutcome<SizeReport>[] = [];
  for (const size of POLICY_SET_SIZES) {
    progress(`${size} policies: load, check the baseline agrees, time (fresh process)`);
    sizes.push(await runSection<SizeReport>({ section: 'size', size, quick, now }));
  }
  const reports = sizes.map((s) => s.report);
  console.log(`## 1. In process: one decision over ${ENTITY_COUNT.toLocaleString('en-US')} entities, ${plan.requests} distinct requests cycled`);
  console.log(inProcessTable(reports));
  console.log('');
  console.log(factsTable(reports));
  retryNote(sizes);
  console.log('');

  progress('PDP with the SQLite decision log (fresh process)');
  const pdp = await runSection<PdpReport>({ section: 'pdp', size: PDP_POLICY_SET_SIZE, quick, now });
  console.log(`## 2. Full PDP path in process: decide + audit record committed to SQLite in ${tmpdir()} (WAL, synchronous=FULL)`);
  console.log(pdpTable(pdp.report, PDP_POLICY_SET_SIZE));
  retryNote([pdp]);
  console.log('');

  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-http-'));
  try {
    progress('HTTP: starting Tenet and the floor server');
    const world = generateWorld(SEED, new Date(now));
    const policies = generatePolicies(world, PDP_POLICY_SET_SIZE, 1000 + PDP_POLICY_SET_SIZE);
    const candidates = generateRequests(world, policies, plan.requests, 7 + PDP_POLICY_SET_SIZE).map((r) => r.authzen);
    const http = await measureHttp(writeFixture(world, policies, dir, 'tenet.db'), candidates, plan, progress);
    console.log(`## 3. AuthZEN over HTTP: each server and autocannon in its own process, sharing the ${cpus().length} cores`);
    console.log(httpTable(http, PDP_POLICY_SET_SIZE));
    console.log(`body: ${http.body}`);
    console.log('');

    console.log('## Summary (medians)');
    for (const { size, engine, baseline } of reports) {
      console.log(
        `  ${String(size).padStart(5)} policies: engine p50 ${fmt(engine.all.p50Micros)} µs vs cedar-wasm ${fmt(baseline.all.p50Micros)} µs ` +
          `(${ratio(engine.all.p50Micros / baseline.all.p50Micros)}), decisions/s ${ratio(engine.all.perSecond / baseline.all.perSecond)}; ` +
          `allowed only p50 ${ratio(engine.subset.p50Micros / baseline.subset.p50Micros)}`,
      );
    }
    const { sequential, concurrent } = pdp.report;
    console.log(`  PDP with log: ${fmt(sequential.perSecond)} decisions/s one at a time, ${fmt(concurrent.perSecond)} with ${IN_FLIGHT} in flight (${fmt(concurrent.recordsPerCommit)} records/commit)`);
    console.log(`  HTTP: Tenet ${fmt(http.tenet.requestsPerSecond)} req/s = ${ratio(http.tenet.requestsPerSecond / http.floor.requestsPerSecond)} of the node:http floor (${fmt(http.floor.requestsPerSecond)} req/s)`);
    console.log(`load average  ${loadAverage()} (1/5/15 min) at end; took ${elapsed()}`);
    console.log('');
    console.log(LEGEND);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
