// The node processes the enforcement-point benchmarks load: the upstream application (the decision
// benchmark's bare node:http server, bench/servers/static-server.ts: 200 with a fixed 16-byte JSON
// body, keep-alive) and Tenet (tenet-proxy-server.ts), each in its own process.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readyLine, startTsx, type Child } from './children.js';
import { summariseProfile } from './cpu-profile.js';
import type { TenetProxyServerArgs, TenetProxyServerReady } from './tenet-proxy-server.js';

/** What bench/servers/static-server.ts answers to every request. */
export const UPSTREAM_BODY = JSON.stringify({ decision: true });
const START_TIMEOUT_MS = 120_000;

export interface Upstream {
  readonly url: string;
  readonly port: number;
  readonly child: Child;
}

export async function startUpstream(deadlineMs: number): Promise<Upstream> {
  const child = startTsx('upstream (node:http)', 'bench/servers/static-server.ts', [], { deadlineMs, stderr: 'inherit' });
  const { listening } = await readyLine<{ listening: string }>(child, (line) => typeof line['listening'] === 'string', START_TIMEOUT_MS);
  return { url: listening, port: Number(new URL(listening).port), child };
}

/** The runtime floor: a bare node:http reverse proxy to `upstream` (bench/servers/bare-node-proxy.ts). */
export async function startBareNodeProxy(upstream: string, deadlineMs: number): Promise<Upstream> {
  const child = startTsx('bare node:http proxy', 'bench/servers/bare-node-proxy.ts', [upstream], { deadlineMs, stderr: 'inherit' });
  const { listening } = await readyLine<{ listening: string }>(child, (line) => typeof line['listening'] === 'string', START_TIMEOUT_MS);
  return { url: listening, port: Number(new URL(listening).port), child };
}

export interface Tenet {
  readonly ready: TenetProxyServerReady;
  readonly port: number;
  readonly child: Child;
  /** Starts V8's sampling profiler in the Tenet process. */
  startProfile(): Promise<void>;
  /** Stops it, writes `<tmpdir>/tenet-<name>-<time>.cpuprofile` (kept: open it in Chrome DevTools) and returns the printed summary. */
  stopProfile(name: string): Promise<string>;
}

/** `upstream` undefined: a route for forward-auth only (no proxying). */
export async function startTenet(dir: string, upstream: string | undefined, deadlineMs: number): Promise<Tenet> {
  const args: TenetProxyServerArgs = upstream === undefined ? { dir } : { dir, upstream };
  const child = startTsx('tenet', 'bench/enforcement/tenet-proxy-server.ts', [JSON.stringify(args)], { deadlineMs, stderr: 'inherit', stdinPipe: true });
  const ready = await readyLine<TenetProxyServerReady>(child, (line) => typeof line['listening'] === 'string' && typeof line['cookie'] === 'string', START_TIMEOUT_MS);
  const command = (line: string) => {
    const stdin = child.process.stdin;
    if (stdin === null) throw new Error('tenet: stdin is not piped');
    stdin.write(`${line}\n`);
  };
  return {
    ready,
    port: Number(new URL(ready.listening).port),
    child,
    async startProfile() {
      command('profile-start');
    },
    async stopProfile(name: string) {
      const file = join(tmpdir(), `tenet-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      const written = readyLine<{ profiled: string }>(child, (line) => line['profiled'] === file, 60_000);
      command(`profile-stop ${file}`);
      await written;
      return `profile: ${file}\n${summariseProfile(file)}`;
    },
  };
}
