// Runs the few system commands the collectors consult (nft, iptables, firewall-cmd, gsettings):
// execFile, never a shell, a short timeout, a fixed PATH and the C locale so output parses the same
// everywhere. Tests inject a scripted runner instead (./testing/scripted-runner.ts).
import { execFile } from 'node:child_process';

export type CommandOutcome =
  /** The command ran and exited (any status). */
  | { readonly kind: 'exited'; readonly code: number; readonly stdout: string; readonly stderr: string }
  /** The command is not installed. */
  | { readonly kind: 'missing' }
  /** It could not be started or did not finish (timeout, signal, permission to execute). */
  | { readonly kind: 'failed'; readonly reason: string };

export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandOutcome>;

/** Only the system's own directories: a posture agent must not run whatever a user put first on PATH. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_TIMEOUT_MS = 3_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

export function execFileRunner(options: { readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {}): CommandRunner {
  const env = { ...(options.env ?? process.env), PATH: SYSTEM_PATH, LC_ALL: 'C' };
  return (file, args) =>
    new Promise((resolve) => {
      execFile(file, [...args], { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, env, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
        if (error === null) {
          resolve({ kind: 'exited', code: 0, stdout, stderr });
          return;
        }
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: number | string };
        if (failure.code === 'ENOENT') resolve({ kind: 'missing' });
        else if (typeof failure.code === 'number') resolve({ kind: 'exited', code: failure.code, stdout, stderr });
        else if (failure.killed === true || typeof failure.signal === 'string') resolve({ kind: 'failed', reason: `${file} did not finish (${failure.signal ?? 'timeout'})` });
        else resolve({ kind: 'failed', reason: `${file}: ${failure.message}` });
      });
    });
}
