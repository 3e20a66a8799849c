// The seeds' scenarios as golden decision tables, run through the real PDP (policies, trust
// algorithm, decision log on an in-memory store) exactly as `tenet policy test` runs them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGoldenReport, runGoldenFile } from '../src/cli/golden-table.js';
import { isTenetError } from '../src/errors.js';

const quickstartTable = resolve('examples/quickstart/tests/seeds.golden.yaml');
const erroringTable = resolve('test/fixtures/erroring-policy/erroring.golden.yaml');

describe('golden decision tables', () => {
  it('the quickstart meets every seed scenario', async () => {
    const report = await runGoldenFile(quickstartTable);
    expect(report.results.filter((result) => !result.passed), formatGoldenReport(report)).toEqual([]);
    expect(report.results.length).toBeGreaterThanOrEqual(9);
  });

  it('a policy that errors denies, and decisions are exactly Cedar\'s without sensitivities', async () => {
    const report = await runGoldenFile(erroringTable);
    expect(report.results.filter((result) => !result.passed), formatGoldenReport(report)).toEqual([]);
  });

  it('reports a wrong expectation as a failure naming what differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenet-golden-'));
    const table = join(dir, 'wrong.golden.yaml');
    writeFileSync(
      table,
      [
        `config: ${resolve('examples/quickstart/tenet.yaml')}`,
        'now: "2026-11-23T10:00:00Z"',
        'cases:',
        '  - name: bob is not finance',
        '    request: { subject: { type: User, id: bob }, action: { name: read }, resource: { type: App, id: payroll } }',
        '    expect: { outcome: allow, reasons: [payroll-finance], absentReasons: [payroll-needs-fresh-posture] }',
      ].join('\n'),
    );
    const report = await runGoldenFile(table);
    const [result] = report.results;
    expect(result?.passed).toBe(false);
    expect(result?.problems).toEqual(
      expect.arrayContaining(['outcome: expected allow, got deny', 'missing reason "payroll-finance"', 'unexpected reason "payroll-needs-fresh-posture"']),
    );
    expect(formatGoldenReport(report)).toContain('0 passed, 1 failed');
  });

  it('rejects a malformed table with the path of each problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenet-golden-'));
    const table = join(dir, 'bad.golden.yaml');
    writeFileSync(table, 'config: ./x.yaml\ncases:\n  - name: x\n    request: {}\n    expect: { outcome: maybe }\n');
    const error = await runGoldenFile(table).catch((caught: unknown) => caught);
    expect(isTenetError(error)).toBe(true);
    expect(isTenetError(error) && error.issues.map((issue) => issue.path)).toEqual([`${table}: cases.0.expect.outcome`]);
  });
});
