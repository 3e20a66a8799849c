// HTTP load for the AuthZEN benchmark: autocannon's CLI in its own process, so the load generator
// shares an event loop neither with the server under test nor with the orchestrating script.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS, type Plan } from './plan.js';
import { startServer } from './processes.js';
import { median } from './stats.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Millis: number;
  readonly p99Millis: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** Fields of autocannon's `--json` result that we read. */
interface AutocannonJson {
  /** Seconds actually run. */
  readonly duration: number;
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** POSTs `body` to `url` for `seconds` over `connections` keep-alive connections. */
export async function runLoad(url: string, body: string, seconds: number, connections: number): Promise<LoadResult> {
  const args = [AUTOCANNON, '--json', '--no-progress', '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  (child.stdout as NonNullable<ChildProcess['stdout']>).on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`autocannon exited with ${String(code)}`);
  const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as AutocannonJson;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Millis: result.latency.p50,
    p99Millis: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export interface HttpReport {
  readonly tenet: LoadResult;
  readonly floor: LoadResult;
  /** The request body every load run sent. */
  readonly body: string;
}

/** Medians of rates and latencies over runs; sums of the counts (every failed request matters). */
function medianLoad(runs: readonly LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Millis: median(runs.map((r) => r.p50Millis)),
    p99Millis: median(runs.map((r) => r.p99Millis)),
    total: sum((r) => r.total),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}

/** The first candidate body Tenet allows, so the load exercises the whole allow path. */
async function firstAllowedBody(url: string, candidates: readonly Record<string, unknown>[]): Promise<string> {
  for (const candidate of candidates.slice(0, 200)) {
    const body = JSON.stringify(candidate);
    const response = await fetch(`${url}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const answer = (await response.json()) as { decision?: unknown };
    if (response.status === 200 && answer.decision === true) return body;
  }
  throw new Error('Tenet allowed none of the first 200 candidate requests; check the fixture');
}

/**
 * Tenet (`serve` on `configFile`) and the node:http floor, each in its own process, loaded in
 * alternating order: warm-up run each, then `plan.httpRounds` timed runs each.
 */
export async function measureHttp(configFile: string, candidates: readonly Record<string, unknown>[], plan: Plan, progress: (message: string) => void): Promise<HttpReport> {
  const tenet = await startServer('./servers/tenet-server.ts', [configFile]);
  try {
    const floor = await startServer('./servers/static-server.ts', []);
    try {
      const evaluation = `${tenet.url}/access/v1/evaluation`;
      const body = await firstAllowedBody(tenet.url, candidates);
      await runLoad(evaluation, body, plan.httpWarmupSeconds, CONNECTIONS);
      await runLoad(floor.url, body, plan.httpWarmupSeconds, CONNECTIONS);
      const tenetRuns: LoadResult[] = [];
      const floorRuns: LoadResult[] = [];
      for (let round = 0; round < plan.httpRounds; round += 1) {
        progress(`HTTP round ${round + 1}/${plan.httpRounds}`);
        if (round % 2 === 0) {
          tenetRuns.push(await runLoad(evaluation, body, plan.httpSeconds, CONNECTIONS));
          floorRuns.push(await runLoad(floor.url, body, plan.httpSeconds, CONNECTIONS));
        } else {
          floorRuns.push(await runLoad(floor.url, body, plan.httpSeconds, CONNECTIONS));
          tenetRuns.push(await runLoad(evaluation, body, plan.httpSeconds, CONNECTIONS));
        }
      }
      return { tenet: medianLoad(tenetRuns), floor: medianLoad(floorRuns), body };
    } finally {
      await floor.stop();
    }
  } finally {
    await tenet.stop();
  }
}
