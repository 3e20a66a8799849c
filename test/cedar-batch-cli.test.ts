// `tenet cedar authorize --batch` as a process: JSON lines in, one JSON line out per case, for both
// evaluators, with the same output — a bad line in the middle answered with an error and the run
// continuing, `@id` names, erroring policies, schema cases, CRLF and blank lines.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function runBatch(input: string, evaluator?: 'compiled' | 'wasm'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'cedar', 'authorize', '--batch', ...(evaluator === undefined ? [] : ['--evaluator', evaluator])];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const ALICE = { type: 'User', id: 'alice' };
const VIEW = { type: 'Action', id: 'view' };
const DOC = { type: 'Doc', id: 'd1' };
const ENTITIES = [
  { uid: ALICE, attrs: { level: 5 }, parents: [{ type: 'Group', id: 'admins' }] },
  { uid: { type: 'Group', id: 'admins' }, attrs: {}, parents: [] },
  { uid: DOC, attrs: {}, parents: [] },
];

const LINES = [
  // policy0 (unnamed), "admins-read" (@id), policy2 errors (no such attribute), policy3 forbids nothing.
  JSON.stringify({
    policies: `permit(principal, action, resource) when { principal.level > 3 };
@id("admins-read") permit(principal in Group::"admins", action == Action::"view", resource);
permit(principal, action, resource) when { principal.missing == 1 };
forbid(principal, action, resource) when { context.blocked == true };`,
    entities: ENTITIES,
    requests: [
      { principal: ALICE, action: VIEW, resource: DOC, context: { blocked: false } },
      { principal: ALICE, action: VIEW, resource: DOC, context: { blocked: true } },
      { principal: { type: 'User', id: 'bob' }, action: VIEW, resource: DOC, context: { blocked: false } },
    ],
  }),
  '{"policies": "permit(principal, action, resource);", "entities": [], "requests": [',
  JSON.stringify({ policies: 'permit(principal, action, resource) when { 1 / 2 };', entities: [], requests: [] }),
  '',
  JSON.stringify({
    policies: 'permit(principal, action == Action::"view", resource) when { context.n == 9223372036854775807 };',
    schema: 'entity User in [Group] = { level: Long }; entity Group; entity Doc; action view appliesTo { principal: User, resource: Doc, context: { n: Long } };',
    entities: ENTITIES,
    requests: [
      { principal: ALICE, action: VIEW, resource: DOC, context: { n: 1 }, validateRequest: true },
      { principal: DOC, action: VIEW, resource: DOC, context: { n: 1 }, validateRequest: true },
      { principal: DOC, action: VIEW, resource: DOC, context: { n: 1 }, validateRequest: false },
      { principal: ALICE, action: VIEW, resource: DOC, context: {}, validateRequest: false },
    ],
  }),
  JSON.stringify({ policies: '@id("x") permit(principal, action, resource); @id("x") forbid(principal, action, resource);', entities: [], requests: [] }),
  JSON.stringify({ policies: 'permit(principal, action, resource);', schema: 'entity User = { level: Long };', entities: [{ uid: ALICE, attrs: { level: 'high' }, parents: [] }], requests: [] }),
];

const EXPECTED = [
  {
    results: [
      { decision: 'allow', reason: ['admins-read', 'policy0'], errors: ['policy2'] },
      { decision: 'deny', reason: ['policy3'], errors: ['policy2'] },
      { decision: 'deny', reason: [], errors: ['policy0', 'policy2'] },
    ],
  },
  'error',
  'error',
  { results: [{ decision: 'deny', reason: [], errors: [] }, 'error', { decision: 'deny', reason: [], errors: [] }, 'error'] },
  'error',
  'error',
];

/** The output with error messages replaced by the word `error`: messages differ by evaluator, their presence may not. */
function shape(line: string): unknown {
  const parsed = JSON.parse(line) as { error?: string; results?: ({ error?: string } & object)[] };
  if (parsed.error !== undefined) return 'error';
  return { results: parsed.results?.map((result) => (result.error !== undefined ? 'error' : result)) };
}

// Each test starts `node --import tsx`, which takes seconds on a loaded CI machine.
describe('tenet cedar authorize --batch', { timeout: 90_000 }, () => {
  for (const evaluator of ['compiled', 'wasm'] as const) {
    it(`answers every line in order with the ${evaluator} evaluator, continuing past bad lines`, async () => {
      const run = await runBatch(`${LINES.join('\r\n')}\n\n`, evaluator);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines.map(shape)).toEqual(EXPECTED);
      expect(JSON.parse(lines[1] ?? '')).toEqual({ error: expect.stringMatching(/^json: /) });
      expect(JSON.parse(lines[2] ?? '')).toEqual({ error: expect.stringMatching(/^policies: /) });
      expect(JSON.parse(lines[4] ?? '')).toEqual({ error: expect.stringMatching(/^policies: .*`x`/) });
      expect(JSON.parse(lines[5] ?? '')).toEqual({ error: expect.stringMatching(/^entities: /) });
    });
  }

  it('defaults to the compiled evaluator and prints the same bytes as wasm for decisions', async () => {
    const [compiled, wasm] = await Promise.all([runBatch(LINES[0] ?? ''), runBatch(LINES[0] ?? '', 'wasm')]);
    expect(compiled.stdout).toBe(wasm.stdout);
  });

  it('refuses integers cedar-wasm cannot receive exactly, and the compiled evaluator answers them exactly', async () => {
    const line = `{"policies": "permit(principal, action, resource) when { context.n == 9223372036854775807 };", "entities": [], "requests": [{"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "view"}, "resource": {"type": "Doc", "id": "d"}, "context": {"n": 9223372036854775807}}]}`;
    const [compiled, wasm] = await Promise.all([runBatch(line, 'compiled'), runBatch(line, 'wasm')]);
    expect(JSON.parse(compiled.stdout)).toEqual({ results: [{ decision: 'allow', reason: ['policy0'], errors: [] }] });
    expect(JSON.parse(wasm.stdout)).toEqual({ results: [{ error: expect.stringContaining('cannot receive exactly') }] });
  });

  it('needs --batch', async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cedar', 'authorize'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--batch');
  });
});
