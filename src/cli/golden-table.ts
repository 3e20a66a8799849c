// Golden decision tables: rows of "request + signals → expected outcome and reasons", run through
// the real PDP (policies, trust algorithm, decision log) on an in-memory store. `tenet policy test`
// runs them for users' CI; Tenet's own tests run the seeds' scenarios the same way.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Decision, Outcome } from '../engine/decision.js';
import { loadConfig } from '../config/load.js';
import { TenetError } from '../errors.js';
import { openRuntime } from '../runtime.js';
import { parseDevices } from '../signals/devices/index.js';
import { parseEntities } from '../signals/identity/index.js';
import { parseThreatIndicators } from '../signals/threat-intel/index.js';
import type { Store } from '../store/ports.js';
import { parseAccessRequest } from '../pdp/tuple-schema.js';

const threatRow = z.strictObject({ indicator: z.string().min(1), category: z.string().min(1).default('malicious'), expiresAt: z.string().optional() });

const signalsSchema = z
  .strictObject({
    /** Devices in the JSON inventory format (docs/signals.md). */
    devices: z.array(z.unknown()).default([]),
    threats: z.array(threatRow).default([]),
    /** Extra Cedar entities (entity JSON format), beside the config's entity files. */
    entities: z.array(z.unknown()).default([]),
  })
  .default({ devices: [], threats: [], entities: [] });

const outcome = z.enum(['allow', 'deny', 'step-up']);

const goldenSchema = z.strictObject({
  /** tenet.yaml to test, relative to the table; `--config` overrides it. */
  config: z.string().optional(),
  /** The clock for every row (ISO 8601); defaults to the real time. */
  now: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time').optional(),
  signals: signalsSchema,
  cases: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        request: z.unknown(),
        signals: signalsSchema,
        expect: z.strictObject({
          outcome,
          /** Each must match a reason's code, detail (risk factor) or policy id. */
          reasons: z.array(z.string()).default([]),
          /** None of these may match. */
          absentReasons: z.array(z.string()).default([]),
        }),
      }),
    )
    .min(1),
});

type GoldenTable = z.infer<typeof goldenSchema>;
type GoldenSignals = z.infer<typeof signalsSchema>;

export interface GoldenResult {
  readonly name: string;
  readonly passed: boolean;
  readonly expected: { readonly outcome: Outcome; readonly reasons: readonly string[]; readonly absentReasons: readonly string[] };
  readonly actual: { readonly outcome: Outcome; readonly reasons: readonly string[]; readonly decisionId: string };
  readonly problems: readonly string[];
}

export interface GoldenReport {
  readonly file: string;
  readonly results: readonly GoldenResult[];
}

export async function runGoldenFile(file: string, options: { readonly configFile?: string } = {}): Promise<GoldenReport> {
  const table = readTable(file);
  const configFile = options.configFile ?? (table.config === undefined ? undefined : resolve(dirname(file), table.config));
  if (configFile === undefined) {
    throw new TenetError('TENET_ERR_REQUEST_INVALID', `${file}: no config to test`, [{ path: `${file}: config`, message: 'is required', hint: 'add `config: ./tenet.yaml` to the table or pass --config' }]);
  }
  const loaded = loadConfig(configFile);
  const now = table.now === undefined ? undefined : new Date(table.now);
  const results: GoldenResult[] = [];
  for (const [index, row] of table.cases.entries()) {
    const request = parseAccessRequest(row.request, `${file}: cases[${index}].request`);
    const runtime = await openRuntime(loaded, { storePath: ':memory:', logger: pino({ level: 'silent' }), ...(now === undefined ? {} : { clock: () => now }) });
    try {
      await applySignals(runtime.store, table.signals, `${file}: signals`, now ?? new Date());
      await applySignals(runtime.store, row.signals, `${file}: cases[${index}].signals`, now ?? new Date());
      await runtime.pdp.refreshSignals();
      const decision = await runtime.pdp.decide(request, { pep: 'golden' });
      results.push(compare(row.name, row.expect, decision));
    } finally {
      await runtime.close();
    }
  }
  return { file, results };
}

export function formatGoldenReport(report: GoldenReport): string {
  const lines = [`${report.file}`];
  for (const result of report.results) {
    lines.push(`  ${result.passed ? 'ok  ' : 'FAIL'} ${result.name}`);
    for (const problem of result.problems) lines.push(`         ${problem}`);
  }
  const failed = report.results.filter((result) => !result.passed).length;
  lines.push(`  ${report.results.length - failed} passed, ${failed} failed`, '');
  return `${lines.join('\n')}\n`;
}

function readTable(file: string): GoldenTable {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TenetError('TENET_ERR_REQUEST_INVALID', `cannot read golden table ${file}`, [{ path: file, message: (error as Error).message }]);
  }
  const parsed = goldenSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TenetError(
      'TENET_ERR_REQUEST_INVALID',
      `${file} is not a valid golden table`,
      parsed.error.issues.map((issue) => ({ path: `${file}: ${issue.path.map(String).join('.') || '(top level)'}`, message: issue.message })),
    );
  }
  return parsed.data;
}

async function applySignals(store: Store, signals: GoldenSignals, where: string, now: Date): Promise<void> {
  if (signals.entities.length > 0) await store.entities.upsertMany(parseEntities(JSON.stringify(signals.entities), `${where}.entities`));
  if (signals.devices.length > 0) await store.devices.upsertMany(parseDevices(JSON.stringify(signals.devices), 'json', 'golden', { fileName: `${where}.devices`, now }));
  if (signals.threats.length > 0) {
    const csv = ['indicator,category,expires_at', ...signals.threats.map((row) => [row.indicator, row.category, row.expiresAt ?? ''].map(csvCell).join(','))].join('\n');
    await store.threats.upsertMany(parseThreatIndicators(csv, { format: 'csv', source: 'golden', now, fileName: `${where}.threats` }));
  }
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function compare(name: string, expect: GoldenTable['cases'][number]['expect'], decision: Decision): GoldenResult {
  const labels = decision.reasons.flatMap((reason) => [reason.code, reason.detail, reason.policyId].filter((label): label is string => label !== undefined));
  const problems: string[] = [];
  if (decision.outcome !== expect.outcome) problems.push(`outcome: expected ${expect.outcome}, got ${decision.outcome}`);
  for (const wanted of expect.reasons) if (!labels.includes(wanted)) problems.push(`missing reason "${wanted}"`);
  for (const unwanted of expect.absentReasons) if (labels.includes(unwanted)) problems.push(`unexpected reason "${unwanted}"`);
  if (problems.length > 0) problems.push(`reasons given: ${decision.reasons.map((reason) => `${reason.code}${reason.detail ? `(${reason.detail})` : ''}${reason.policyId ? `[${reason.policyId}]` : ''}`).join(', ') || 'none'}`);
  return {
    name,
    passed: problems.length === 0,
    expected: expect,
    actual: { outcome: decision.outcome, reasons: [...new Set(labels)], decisionId: decision.id },
    problems,
  };
}
