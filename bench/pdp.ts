// The full Policy Decision Point path in process: `runtime.pdp.decide()` gathers signals, asks the
// engine and resolves only once the audit record is committed to SQLite (WAL, synchronous=FULL, so
// an fsync per transaction; concurrent decisions share one transaction by group commit).
import pino from 'pino';
import { loadConfig } from '../src/config/load.js';
import type { AccessRequest } from '../src/engine/index.js';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { engineRound, type Workload } from './in-process.js';
import { IN_FLIGHT, type Plan } from './plan.js';
import { median, medianOfRounds, summariseRound, type RoundResult } from './stats.js';

export async function openPdp(configFile: string): Promise<Runtime> {
  return openRuntime(loadConfig(configFile), { logger: pino({ level: 'error' }) });
}

export interface PdpRound extends RoundResult {
  /** Audit records per committed transaction during the round. */
  readonly recordsPerCommit: number;
  readonly denied: number;
}

/**
 * `calls` decisions, `inFlight` at a time (1 = one after another). Each latency runs from the call
 * to its promise resolving, i.e. including the wait for the commit.
 */
export async function pdpRound(runtime: Runtime, requests: readonly AccessRequest[], calls: number, inFlight: number): Promise<PdpRound> {
  const latencies = new Float64Array(calls);
  const before = runtime.auditLog.counters();
  let next = 0;
  let denied = 0;
  const worker = async () => {
    for (let i = next++; i < calls; i = next++) {
      const t0 = process.hrtime.bigint();
      const decision = await runtime.pdp.decide(requests[i % requests.length] as AccessRequest, { pep: 'bench' });
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1000;
      if (decision.outcome !== 'allow') denied += 1;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wall = process.hrtime.bigint() - started;
  const after = runtime.auditLog.counters();
  const batches = after.batches - before.batches;
  return { ...summariseRound(latencies, wall), recordsPerCommit: batches === 0 ? Number.NaN : (after.recorded - before.recorded) / batches, denied };
}

export interface PdpReport {
  /** The engine alone on the same requests, interleaved with the PDP rounds. */
  readonly engine: RoundResult;
  readonly sequential: PdpRound;
  readonly concurrent: PdpRound;
}

function medianPdp(rounds: readonly PdpRound[]): PdpRound {
  return { ...medianOfRounds(rounds), recordsPerCommit: median(rounds.map((r) => r.recordsPerCommit)), denied: median(rounds.map((r) => r.denied)) };
}

export async function measurePdp(workload: Workload, configFile: string, plan: Plan): Promise<PdpReport> {
  const runtime = await openPdp(configFile);
  try {
    const requests = workload.requests.map((r) => r.request);
    engineRound(workload, workload.requests.length);
    await pdpRound(runtime, requests, Math.min(200, plan.pdpSequential), 1);
    await pdpRound(runtime, requests, Math.min(1_000, plan.pdpConcurrent), IN_FLIGHT);
    const engine: RoundResult[] = [];
    const sequential: PdpRound[] = [];
    const concurrent: PdpRound[] = [];
    for (let round = 0; round < plan.pdpRounds; round += 1) {
      engine.push(engineRound(workload, plan.pdpSequential).all);
      sequential.push(await pdpRound(runtime, requests, plan.pdpSequential, 1));
      concurrent.push(await pdpRound(runtime, requests, plan.pdpConcurrent, IN_FLIGHT));
    }
    return { engine: medianOfRounds(engine), sequential: medianPdp(sequential), concurrent: medianPdp(concurrent) };
  } finally {
    await runtime.close();
  }
}
