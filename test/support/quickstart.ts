// Shared set-up for the end-to-end tests: a private copy of examples/quickstart (so tests may edit
// its policies and write its store), the CLI as users run it (a subprocess), and the README's
// AuthZEN requests. Nothing here fakes a component: the copies are the real files, the CLI is the
// real entry point.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const QUICKSTART_DIR = join(REPO_ROOT, 'examples', 'quickstart');
export const QUICKSTART_CONFIG = join(QUICKSTART_DIR, 'tenet.yaml');
export const CLI_ENTRY = join(REPO_ROOT, 'src', 'cli', 'main.ts');

export interface QuickstartCopy {
  /** The temp directory holding everything (the copy, stores, scratch files). */
  readonly root: string;
  /** The copied quickstart directory (tenet.yaml, policies/, entities/, signals/, tests/). */
  readonly dir: string;
  readonly configFile: string;
  readonly policiesDir: string;
  /** Absolute path of the SQLite store named in the rewritten config. */
  readonly storePath: string;
  /** Writes another config beside the first, with the same settings but its own store file. */
  configWithStore(name: string): { configFile: string; storePath: string };
  cleanup(): void;
}

/**
 * Copies examples/quickstart to a temp directory and rewrites its tenet.yaml: `store.path`
 * absolute (it is relative to the working directory otherwise), `listen` on an ephemeral
 * loopback port, no proxy or login providers, and any `overrides` given as dotted paths (`api.auth` → `token`).
 */
export function copyQuickstart(overrides: Record<string, unknown> = {}): QuickstartCopy {
  const root = mkdtempSync(join(tmpdir(), 'tenet-e2e-'));
  const dir = join(root, 'quickstart');
  cpSync(QUICKSTART_DIR, dir, { recursive: true });
  const configFile = join(dir, 'tenet.yaml');
  const original = readFileSync(configFile, 'utf8');
  const write = (file: string, storePath: string) => {
    const document = parseDocument(original);
    document.setIn(['listen'], '127.0.0.1:0');
    document.setIn(['store', 'path'], storePath);
    // The decision-point tests run without the proxy and its IdP (test/proxy/ starts those itself).
    document.deleteIn(['proxy']);
    document.deleteIn(['authentication']);
    for (const [path, value] of Object.entries(overrides)) document.setIn(path.split('.'), value);
    writeFileSync(file, document.toString());
  };
  const storePath = join(root, 'tenet.db');
  write(configFile, storePath);
  return {
    root,
    dir,
    configFile,
    policiesDir: join(dir, 'policies'),
    storePath,
    configWithStore(name) {
      const other = { configFile: join(dir, `tenet-${name}.yaml`), storePath: join(root, `${name}.db`) };
      write(other.configFile, other.storePath);
      return other;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Each CLI start costs one to two CPU-seconds (tsx, cedar-wasm, fastify…) and CI has two cores:
// more CLI processes at once than that only makes each slower, until timeouts fire. Callers may
// start many; at most this many run at a time per test file.
const MAX_CLI_PROCESSES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withCliSlot<T>(body: () => Promise<T>): Promise<T> {
  if (running >= MAX_CLI_PROCESSES) await new Promise<void>((resolveSlot) => waiting.push(resolveSlot));
  else running += 1;
  try {
    return await body();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

/** Runs `tenet …` the way `npm run tenet` does (tsx loader, repository root as the working directory). */
export function runCli(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runNode([CLI_ENTRY, ...args], options);
}

/** Runs a TypeScript file of this repository with node and the tsx loader (at most two at a time). */
export function runNode(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return withCliSlot(() => spawnNode(args, options));
}

function spawnNode(args: readonly string[], options: { input?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', ...args],
      { cwd: REPO_ROOT, timeout: options.timeoutMs ?? 45_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${args.join(' ')} did not exit normally (${error.signal ?? error.code ?? error.message})\n${stderr}`));
          return;
        }
        resolvePromise({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** The Cedar reference the decision log stores for an entity: `User::"alice"`. */
export function entityRef(type: string, id: string): string {
  return `${type}::${JSON.stringify(id)}`;
}

const STRONG_AUTHN = { methods: ['hwk', 'webauthn'], phishing_resistant: true } as const;
const PASSWORD_AUTHN = { methods: ['pwd'], phishing_resistant: false } as const;

/** The three AuthZEN requests of the README's quick start, authenticated "now". */
export function readmeRequests(now = new Date()) {
  const authenticatedAt = now.toISOString();
  return {
    allow: {
      subject: { type: 'User', id: 'alice' },
      action: { name: 'read' },
      resource: { type: 'App', id: 'payroll' },
      context: { device_id: 'alice-laptop', ip: '192.0.2.10', authn: { ...STRONG_AUTHN, authenticated_at: authenticatedAt } },
    },
    threatListed: {
      subject: { type: 'User', id: 'alice' },
      action: { name: 'administer' },
      resource: { type: 'App', id: 'admin-console' },
      context: { device_id: 'alice-laptop', ip: '203.0.113.7', authn: { ...STRONG_AUTHN, authenticated_at: authenticatedAt } },
    },
    stepUp: {
      subject: { type: 'User', id: 'alice' },
      action: { name: 'read' },
      resource: { type: 'App', id: 'payroll' },
      context: { device_id: 'alice-laptop', ip: '192.0.2.10', authn: { ...PASSWORD_AUTHN, authenticated_at: authenticatedAt } },
    },
  };
}

/** Bob reads the wiki from his known phone: allowed by the quickstart's `wiki-read-employees`. */
export function bobReadsWiki(now = new Date()) {
  return {
    subject: { type: 'User', id: 'bob' },
    action: { name: 'read' },
    resource: { type: 'App', id: 'wiki' },
    context: { device_id: 'bob-phone', ip: '192.0.2.30', authn: { methods: ['pwd', 'otp'], phishing_resistant: false, authenticated_at: now.toISOString() } },
  };
}

/** What the tests read from an AuthZEN decision (docs/authzen.md, "Response context"). */
export interface WireDecision {
  readonly decision: boolean;
  readonly context: {
    readonly id: string;
    readonly outcome: 'allow' | 'deny' | 'step-up';
    readonly reasons: readonly { readonly code: string; readonly effect?: string; readonly policy_id?: string; readonly detail?: string; readonly message?: string }[];
    readonly policies: { readonly determining: readonly string[]; readonly errored: readonly string[] };
    readonly risk: { readonly score: number; readonly level: string };
    readonly obligations: { readonly cache_ttl_seconds: number };
    readonly step_up?: { readonly phishing_resistant?: boolean; readonly max_age_seconds?: number };
    readonly policy_version: string;
    readonly decided_at: string;
  };
}

export interface WireError {
  readonly error: { readonly code: string; readonly message: string; readonly issues?: readonly { readonly path: string; readonly message: string; readonly hint?: string }[] };
}

/** Every reason code, policy id and risk-factor detail of a decision, for `toContain` checks. */
export function reasonTerms(decision: WireDecision): string[] {
  return decision.context.reasons.flatMap((reason) => [reason.code, reason.policy_id, reason.detail].filter((term): term is string => term !== undefined));
}
