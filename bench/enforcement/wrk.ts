// One load run with Debian's wrk (/usr/bin/wrk) in its own process, loopback only, and the median
// of several runs. wrk-report.lua counts responses by status so that any non-2xx answer (a 302 to
// a login page included, which wrk's own error counter ignores) makes the run invalid.
import { fileURLToPath } from 'node:url';
import { median } from '../stats.js';
import { runToEnd, startChild } from './children.js';

export const WRK = '/usr/bin/wrk';
const REPORT_SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));
/** A request slower than this counts as a timeout (wrk's own default is 2 s). */
const REQUEST_TIMEOUT = '5s';

export interface LoadTarget {
  /** Row label in the report, e.g. "(2) nginx proxy_pass". */
  readonly label: string;
  /** A loopback URL. */
  readonly url: string;
  /** Request headers, "Name: value" (wrk -H). */
  readonly headers: readonly string[];
}

export interface Load {
  readonly connections: number;
  readonly threads: number;
  readonly seconds: number;
}

export interface WrkRun {
  readonly requestsPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly requests: number;
  /** Responses whose status is not 2xx, every status counted. */
  readonly non2xx: number;
  /** Count per status code, e.g. {"200": 81234}. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Connect, read and write errors and timeouts. */
  readonly socketErrors: number;
}

interface WrkJson {
  readonly requests: number;
  readonly durationMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly statuses: Record<string, number>;
  readonly errors: { readonly connect: number; readonly read: number; readonly write: number; readonly status: number; readonly timeout: number };
}

export function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== '[::1]' && hostname !== 'localhost') throw new Error(`refusing to load ${url}: the benchmark only loads loopback addresses`);
}

/** wrk -t<threads> -c<connections> -d<seconds>s --latency against one target. */
export async function runWrk(target: LoadTarget, load: Load): Promise<WrkRun> {
  assertLoopback(target.url);
  const args = [
    '-t', String(load.threads),
    '-c', String(load.connections),
    '-d', `${load.seconds}s`,
    '--timeout', REQUEST_TIMEOUT,
    '--latency',
    '-s', REPORT_SCRIPT,
    ...target.headers.flatMap((header) => ['-H', header]),
    target.url,
  ];
  const child = startChild(`wrk (${target.label})`, WRK, args, { deadlineMs: (load.seconds + 60) * 1000, stderr: 'pipe' });
  const output = await runToEnd(child);
  const line = output.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (line === undefined) throw new Error(`wrk printed no WRK_JSON line (is ${REPORT_SCRIPT} intact?)\n${output}`);
  const json = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson;
  const non2xx = Object.entries(json.statuses).reduce((sum, [status, count]) => (status.startsWith('2') ? sum : sum + count), 0);
  const { connect, read, write, timeout } = json.errors;
  return {
    requestsPerSecond: json.requests / (json.durationMicros / 1e6),
    p50Micros: json.p50Micros,
    p99Micros: json.p99Micros,
    requests: json.requests,
    non2xx,
    statuses: json.statuses,
    socketErrors: connect + read + write + timeout,
  };
}

export interface WrkSummary {
  /** Median over runs of each figure separately. */
  readonly requestsPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  /** Every run's req/s, in the order run (shows the spread). */
  readonly perRound: readonly number[];
  /** Sums over runs: a single failed request in any run matters. */
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly statuses: Readonly<Record<string, number>>;
}

export function summarise(runs: readonly WrkRun[]): WrkSummary {
  const sum = (pick: (run: WrkRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [status, count] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50Micros: median(runs.map((run) => run.p50Micros)),
    p99Micros: median(runs.map((run) => run.p99Micros)),
    perRound: runs.map((run) => run.requestsPerSecond),
    requests: sum((run) => run.requests),
    non2xx: sum((run) => run.non2xx),
    socketErrors: sum((run) => run.socketErrors),
    statuses,
  };
}

/** A run is valid only when every response was 2xx and no connection failed. */
export function isValid(summary: Pick<WrkSummary, 'non2xx' | 'socketErrors' | 'requests'>): boolean {
  return summary.requests > 0 && summary.non2xx === 0 && summary.socketErrors === 0;
}
