// The decision benchmark's printed report: one table per section, figures beside their baseline
// and the ratio between them, and a legend saying what each column means.
import type { HttpReport, LoadResult } from './http.js';
import type { SizeReport } from './in-process.js';
import type { PdpReport } from './pdp.js';
import { CONNECTIONS, IN_FLIGHT } from './plan.js';
import { fmt, ratio, table, type RoundResult } from './stats.js';
import { ENTITY_COUNT } from './generate.js';

const ENTITIES = ENTITY_COUNT.toLocaleString('en-US');

export function inProcessTable(reports: readonly SizeReport[]): string {
  const rows: string[][] = [];
  const row = (size: number, label: string, r: RoundResult, base: RoundResult | undefined, p99 = true) => [
    String(size),
    label,
    fmt(r.p50Micros),
    p99 ? fmt(r.p99Micros) : 'n/a',
    fmt(r.perSecond),
    base === undefined ? '' : ratio(r.p50Micros / base.p50Micros),
    base === undefined ? '' : ratio(r.perSecond / base.perSecond),
  ];
  for (const { size, engine, baseline, naive } of reports) {
    rows.push(row(size, '(b) cedar-wasm alone, whole set', baseline.all, undefined));
    rows.push(row(size, '(a) Tenet decide()', engine.all, baseline.all));
    rows.push(row(size, '(b) cedar-wasm alone, allowed only', baseline.subset, undefined));
    rows.push(row(size, '(a) Tenet decide(), allowed only', engine.subset, baseline.subset));
    rows.push(row(size, `(c) cedar-wasm, all ${ENTITIES} entities`, naive, baseline.all, false));
  }
  return table(['policies', 'measured', 'p50 µs', 'p99 µs', 'decisions/s', 'p50 vs (b)', 'dec/s vs (b)'], rows, 2);
}

export function factsTable(reports: readonly SizeReport[]): string {
  return table(
    ['policies', 'load ms', 'allow/step-up/deny', 'agree', 'policies evaluated', 'Cedar calls/decision', 'entities (a) / (b)', 'distinct slices', 'slice-cache hits'],
    reports.map(({ size, facts, loadMillis, requests }) => [
      String(size),
      fmt(loadMillis),
      `${facts.allowed}/${facts.stepUp}/${facts.denied}`,
      `${facts.agree}/${requests}`,
      fmt(facts.meanPoliciesEvaluated),
      fmt(facts.meanCedarCalls),
      `${fmt(facts.meanSliceEntities)} / ${fmt(facts.meanBaselineEntities)}`,
      String(facts.distinctSlices),
      `${(facts.simulatedSliceHitRate * 100).toFixed(0)}%`,
    ]),
  );
}

export function pdpTable(pdp: PdpReport, size: number): string {
  const row = (label: string, r: RoundResult, perCommit: string) => [label, fmt(r.p50Micros), fmt(r.p99Micros), fmt(r.perSecond), perCommit, ratio(r.perSecond / pdp.engine.perSecond)];
  return table(
    [`measured (${size} policies)`, 'p50 µs', 'p99 µs', 'decisions/s', 'records/commit', 'dec/s vs engine'],
    [
      row('engine decide() alone, no log', pdp.engine, '—'),
      row('pdp.decide() + SQLite log, 1 in flight', pdp.sequential, fmt(pdp.sequential.recordsPerCommit)),
      row(`pdp.decide() + SQLite log, ${IN_FLIGHT} in flight`, pdp.concurrent, fmt(pdp.concurrent.recordsPerCommit)),
    ],
  );
}

export function httpTable(http: HttpReport, size: number): string {
  const row = (label: string, r: LoadResult) => [
    label,
    fmt(r.requestsPerSecond),
    String(r.p50Millis),
    String(r.p99Millis),
    r.total.toLocaleString('en-US'),
    String(r.non2xx),
    String(r.errors + r.timeouts),
    ratio(r.requestsPerSecond / http.floor.requestsPerSecond),
    ratio(r.p50Millis / http.floor.p50Millis),
  ];
  return table(
    ['measured', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors', 'req/s vs floor', 'p50 vs floor'],
    [row('floor: node:http, static {"decision":true}', http.floor), row(`Tenet POST /access/v1/evaluation (${size} policies)`, http.tenet)],
  );
}

export const LEGEND = `What the columns mean
  p50 µs, p99 µs      median and 99th percentile of single calls, each timed with process.hrtime.bigint();
                      the figure shown is the median over rounds of each round's percentile
  decisions/s         calls / wall time of the round's loop, one call at a time (median over rounds);
                      "allowed only" rows: those calls / the sum of their times
  p50 vs (b)          p50 of the row / p50 of (b) on the same requests: above 1× = slower than raw Cedar
  dec/s vs (b)        decisions/s of the row / that of (b): below 1× = fewer decisions per second
  (a)                 Tenet's engine decide(): trust algorithm (risk score), Cedar context, scope slicing
                      (only policies whose scope can match), entity slice, cedar-wasm on the slice,
                      reasons, obligations. A denied request from an authenticated subject is evaluated
                      again with stronger authentication to tell deny from step-up (src/engine/step-up.ts)
  (b)                 cedar-wasm statefulIsAuthorized on the same request: the WHOLE policy set preparsed
                      once, entities = principal + ancestors + resource + ancestors, and the exact
                      context Tenet built (prepared outside the timed loop): Cedar's own cost only
  allowed only        the same rounds, counting only requests the engine allowed (no step-up re-evaluation)
  (c)                 as (b) but passing all ${ENTITIES} entities, as a naive integration would
                      (a handful of calls: p99 n/a)
  allow/step-up/deny  the engine's outcomes over the request mix
  agree               requests where the engine's allow/not-allow equals Cedar's on the whole set (must be all)
  policies evaluated  mean size of the scope slice the engine hands to Cedar
  Cedar calls/decision  mean Cedar evaluations per engine decision (1 + step-up re-evaluations)
  entities (a) / (b)  mean entities per Cedar call: the engine's slice (adds the action and entities
                      referenced from attributes, e.g. a document's owner) / the baseline's
  distinct slices     distinct scope slices in the request mix
  slice-cache hits    steady-state hit rate of the engine's 256-entry LRU of preparsed slices when the
                      request cycle is replayed (computed, not measured); a miss preparses inside decide()
  records/commit      audit records per SQLite transaction (group commit; each commit is one fsync)
  req/s, p50/p99 ms   autocannon, ${CONNECTIONS} keep-alive connections, one fixed allowed request body, median
                      over runs (autocannon reports whole milliseconds); non-2xx and errors summed over runs`;
