// Test support: runs the real `openssl` command line in a scratch directory, so tests can check
// what src/pki produces against an independent implementation (differential tests).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslWorkspace {
  readonly dir: string;
  /** Runs openssl; throws (with stderr) on a non-zero exit. */
  run(...args: string[]): string;
  /** Runs openssl and returns exit status and both outputs, for commands expected to fail. */
  attempt(...args: string[]): { status: number | null; stdout: string; stderr: string };
  write(name: string, content: string | Uint8Array): string;
  read(name: string): string;
  remove(): void;
}

export function opensslWorkspace(prefix = 'tenet-pki-'): OpensslWorkspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    run: (...args) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    attempt: (...args) => {
      const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    write: (name, content) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    },
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
