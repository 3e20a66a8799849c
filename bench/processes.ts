// Child processes of the decision benchmark: benchmark sections (bench/section.ts) and the HTTP
// servers under test (bench/servers/). Each is `node --import tsx <script>` from the repository root.
//
// Why a retry flag exists: on Node 20 (V8 11.3), evaluating a newly loaded policy set after the
// engine's code was optimised on earlier sets can abort the process with "Fatal error … unreachable
// code" in Deoptimizer::DoComputeBuiltinContinuation: a lazy deopt of a frame whose JS→Wasm call
// (cedar-wasm) TurboFan inlined. `--no-turbo-inline-js-wasm-calls` avoids it. A section that dies
// that way is run once more with the flag, and the report says so.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const V8_WORKAROUND_FLAG = '--no-turbo-inline-js-wasm-calls';

function spawnTsx(script: string, args: readonly string[], nodeFlags: readonly string[], stderr: 'inherit' | 'pipe'): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', stderr] });
}

export interface SectionOutcome<T> {
  readonly report: T;
  /** Set when the first attempt hit the V8 crash above and this result comes from the retry. */
  readonly retriedWith?: string;
}

async function attempt(script: string, args: object, nodeFlags: readonly string[]): Promise<{ ok: true; report: unknown } | { ok: false; v8Crash: boolean; detail: string }> {
  const child = spawnTsx(script, [JSON.stringify(args)], nodeFlags, 'pipe');
  let stdout = '';
  let stderr = '';
  (child.stdout as NonNullable<ChildProcess['stdout']>).on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  (child.stderr as NonNullable<ChildProcess['stderr']>).on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code === 0) {
    if (stderr.trim() !== '') process.stderr.write(stderr);
    const line = stdout.trim().split('\n').at(-1) ?? '';
    return { ok: true, report: (JSON.parse(line) as { report: unknown }).report };
  }
  const v8Crash = stderr.includes('Fatal error') && stderr.includes('Deoptimizer');
  return { ok: false, v8Crash, detail: `exit ${String(code ?? signal)}\n${stderr.split('\n').slice(0, 12).join('\n')}` };
}

/**
 * Runs one section in a fresh process and returns its report. `script` (relative to bench/) prints
 * `{"report": …}` as its last stdout line; bench/section.ts unless told.
 */
export async function runSection<T>(args: object, script = './section.ts'): Promise<SectionOutcome<T>> {
  const first = await attempt(script, args, []);
  if (first.ok) return { report: first.report as T };
  if (!first.v8Crash) throw new Error(`benchmark section ${JSON.stringify(args)} failed: ${first.detail}`);
  process.stderr.write(`V8 aborted the section ${JSON.stringify(args)} (Deoptimizer fatal error); retrying with ${V8_WORKAROUND_FLAG}\n`);
  const second = await attempt(script, args, [V8_WORKAROUND_FLAG]);
  if (second.ok) return { report: second.report as T, retriedWith: V8_WORKAROUND_FLAG };
  throw new Error(`benchmark section ${JSON.stringify(args)} failed twice: ${second.detail}`);
}

export interface ServerProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a server script and waits for its `{"listening": url}` line on stdout. */
export async function startServer(script: string, args: readonly string[]): Promise<ServerProcess> {
  const child = spawnTsx(script, args, [], 'inherit');
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 120 s`)), 120_000);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${String(code)} before listening`)));
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { listening?: unknown };
        if (typeof parsed.listening === 'string') {
          clearTimeout(timer);
          resolve(parsed.listening);
        }
      } catch {
        // A log line, not ours.
      }
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
