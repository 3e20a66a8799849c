// Child processes of the enforcement-point benchmarks (nginx, wrk, the upstream, Tenet), each in
// its own process, none outliving the orchestrator:
//   - a normal end stops each one (SIGTERM, then SIGKILL after a grace period);
//   - an error, Ctrl-C or SIGTERM ends the orchestrator through process.exit, whose 'exit' handler
//     SIGKILLs whatever is still running;
//   - if the orchestrator is killed outright, Linux's parent-death signal (setpriv --pdeathsig)
//     kills each child; nginx runs as a single process (master_process off) so that covers it too;
//   - every child has a deadline after which it is killed, so nothing runs unbounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SETPRIV = '/usr/bin/setpriv';
const STOP_GRACE_MS = 10_000;
/** Output kept per child for error messages. */
const OUTPUT_TAIL_CHARS = 8_000;

const live = new Set<ChildProcess>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: killing ${live.size} child process(es) and exiting`);
      process.exit(130);
    });
  }
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last few thousand characters of stdout + stderr (when piped). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM, then SIGKILL when it has not exited within the grace period. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Longest the child may run; it is killed after that (and its `exited` resolves). */
  readonly deadlineMs: number;
  /** stderr 'inherit' shows the child's warnings as they happen; 'pipe' keeps them for the error message. */
  readonly stderr: 'inherit' | 'pipe';
  /** Keep stdin open as a pipe (a child may watch it to notice the orchestrator going away). */
  readonly stdinPipe?: boolean;
  readonly cwd?: string;
}

/** Starts `command` with the parent-death signal set when setpriv exists; registers it for cleanup. */
export function startChild(name: string, command: string, args: readonly string[], options: ChildOptions): Child {
  installHandlers();
  const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
  const child = spawn(file, argv, { cwd: options.cwd ?? REPO, stdio: [options.stdinPipe === true ? 'pipe' : 'ignore', 'pipe', options.stderr] });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      clearTimeout(deadline);
      resolve(code ?? signal);
    });
    child.once('error', (error) => {
      live.delete(child);
      clearTimeout(deadline);
      output += `\n${error.message}`;
      resolve(null);
    });
  });
  const deadline = setTimeout(() => {
    console.error(`${name} ran past its deadline of ${Math.round(options.deadlineMs / 1000)} s: killing it`);
    child.kill('SIGKILL');
  }, options.deadlineMs);
  deadline.unref();
  const running = () => child.exitCode === null && child.signalCode === null && live.has(child);
  return {
    name,
    process: child,
    output: () => output,
    exited,
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    },
  };
}

/** Starts a TypeScript script (relative to the repository root) with `node [flags] --import tsx`. */
export function startTsx(name: string, script: string, args: readonly string[], options: ChildOptions & { readonly nodeFlags?: readonly string[] }): Child {
  return startChild(name, process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args], options);
}

/** The first stdout line that parses as JSON and passes `accept`; rejects if the child exits or `timeoutMs` passes first. */
export function readyLine<T>(child: Child, accept: (value: Record<string, unknown>) => boolean, timeoutMs: number): Promise<T> {
  const stdout = child.process.stdout;
  if (stdout === null) return Promise.reject(new Error(`${child.name}: stdout is not piped`));
  return new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => fail(`did not report ready within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`${child.name} ${why}\n${child.output()}`));
    };
    void child.exited.then((code) => fail(`exited (${String(code)}) before reporting ready`));
    lines.on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return; // A log line, not ours.
      }
      if (typeof parsed === 'object' && parsed !== null && accept(parsed as Record<string, unknown>)) {
        clearTimeout(timer);
        lines.close();
        resolve(parsed as T);
      }
    });
  });
}

/** Waits until 127.0.0.1:`port` accepts TCP connections (polling every 50 ms), or fails with the child's output. */
export async function waitForPort(port: number, child: Child, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < until) {
    if (exited) throw new Error(`${child.name} exited before listening on ${port}\n${child.output()}`);
    if (await connects(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${child.name}: nothing listens on 127.0.0.1:${port} after ${Math.round(timeoutMs / 1000)} s\n${child.output()}`);
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a child to completion and returns its stdout+stderr tail; rejects on a non-zero exit. */
export async function runToEnd(child: Child): Promise<string> {
  const code = await child.exited;
  if (code !== 0) throw new Error(`${child.name} exited with ${String(code)}\n${child.output()}`);
  return child.output();
}
