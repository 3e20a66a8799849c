import { describe, expect, it } from 'vitest';
import { TenetError } from '../errors.js';
import { backoffDelay, retryable, runOnSchedule } from './run-schedule.js';
import { AgentServerRefusal, AgentServerUnreachable } from './server-client.js';

type Step = { next?: number } | Error;

function schedule(steps: Step[], intervalMs = 300_000) {
  const stop = new AbortController();
  const sleeps: number[] = [];
  const retries: string[] = [];
  let cycles = 0;
  const run = runOnSchedule({
    intervalMs,
    signal: stop.signal,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      if (cycles >= steps.length) stop.abort();
      return Promise.resolve();
    },
    cycle: () => {
      const step = steps[cycles];
      cycles += 1;
      if (step instanceof Error) return Promise.reject(step);
      return Promise.resolve(step?.next === undefined ? {} : { nextInMs: step.next });
    },
    onRetry: (error) => retries.push((error as Error).message),
  });
  return { run, sleeps, retries, cycles: () => cycles };
}

describe('runOnSchedule', () => {
  it('reports every interval, sooner when the server asks, and stops when aborted', async () => {
    const { run, sleeps, cycles } = schedule([{}, { next: 60_000 }, { next: 900_000 }]);
    await run;
    expect(sleeps).toEqual([300_000, 60_000, 300_000]);
    expect(cycles()).toBe(3);
  });

  it('backs off with jitter on network errors and 5xx, and resets after a success', async () => {
    const down = new AgentServerUnreachable('cannot reach https://tenet.example: ECONNREFUSED');
    const busy = new AgentServerRefusal(503, 'invalid_request', 'overloaded');
    const { run, sleeps, retries } = schedule([down, busy, down, {}, down]);
    await run;
    expect(sleeps).toEqual([2_500, 5_000, 10_000, 300_000, 2_500]);
    expect(retries).toHaveLength(4);
  });

  it('ends on a refusal retrying cannot fix', async () => {
    const { run, cycles } = schedule([{}, new AgentServerRefusal(403, 'device_revoked', 'the device certificate is revoked'), {}]);
    await expect(run).rejects.toMatchObject({ error: 'device_revoked' });
    expect(cycles()).toBe(2);
  });
});

describe('retry policy', () => {
  it('retries the network, server trouble and a stale clock; not revocation or local state', () => {
    expect(retryable(new AgentServerUnreachable('x'))).toBe(true);
    expect(retryable(new AgentServerRefusal(400, 'stale', 'clock'))).toBe(true);
    expect(retryable(new AgentServerRefusal(500, 'invalid_request', 'bug'))).toBe(true);
    expect(retryable(new AgentServerRefusal(403, 'unknown_device', 'x'))).toBe(false);
    expect(retryable(new TenetError('TENET_ERR_DEVICE_AGENT_KEY_EXPOSED', 'x'))).toBe(false);
    expect(retryable(new Error('unexpected'))).toBe(true);
  });

  it('full jitter, capped by the interval and at least a second', () => {
    expect(backoffDelay(1, 5_000, 300_000, () => 1)).toBe(5_000);
    expect(backoffDelay(4, 5_000, 300_000, () => 1)).toBe(40_000);
    expect(backoffDelay(20, 5_000, 300_000, () => 1)).toBe(300_000);
    expect(backoffDelay(3, 5_000, 300_000, () => 0)).toBe(1_000);
  });
});
