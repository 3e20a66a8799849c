// The lines that open and close an enforcement-point benchmark report: what ran, where, when, and
// how busy the (shared) machine was at the start and at the end, so figures can be read in context.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { describePlan, type EnforcementPlan } from './plan.js';
import { NGINX } from './nginx.js';
import { WRK } from './wrk.js';

export const loadAverage = (): string => `${loadavg().map((value) => value.toFixed(2)).join(' ')} (1/5/15 min)`;

function versionOf(command: string, args: readonly string[], pattern: RegExp): string {
  // nginx -v and wrk -v print their version on stderr (wrk then exits 1): read both streams.
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 5_000 });
  return pattern.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`)?.[1] ?? 'unknown';
}

export function printHeader(title: string, command: string, plan: EnforcementPlan): void {
  const cpu = cpus();
  console.log(`# ${title} (${plan.quick ? 'quick' : 'full'} run)`);
  console.log(`date          ${new Date().toISOString()}`);
  console.log(`command       ${command}`);
  console.log(`machine       ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()}`);
  console.log(`software      node ${process.version}, nginx ${versionOf(NGINX, ['-v'], /nginx\/(\S+)/)}, wrk ${versionOf(WRK, ['-v'], /wrk (\S+)/)}`);
  console.log(`load average  ${loadAverage()} at start`);
  console.log(`plan          ${describePlan(plan)}`);
  console.log('');
}
