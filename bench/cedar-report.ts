// The Cedar evaluation benchmark's printed report: the compiled evaluator beside cedar-wasm and the
// speed-up between them, the engine with each evaluator, the one-off costs, and a legend.
import type { Agreement, CedarSectionReport, Variant, VariantFigures } from './cedar-section.js';
import { ENTITY_COUNT } from './generate.js';
import type { TimedPass } from './in-process.js';
import { fmt, median, medianOfRounds, table, type RoundResult } from './stats.js';

const LABELS: Record<Variant, string> = {
  wasm: 'cedar-wasm (baseline)',
  compiled: 'compiled, scope index',
  'compiled-no-index': 'compiled, no index (all policies)',
  'compiled-context': 'compiled + context from JSON',
  'engine-wasm': 'decide() with cedar-wasm (baseline)',
  'engine-compiled': 'decide() with compiled',
};

/** `min–max` of figures (the spread of round p50s), `—` when there are none. */
export function range(values: readonly number[]): string {
  if (values.length === 0) return '—';
  return `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
}

/** Every round of the row, from every process that timed it. */
export function roundsOf(row: VariantFigures): TimedPass[] {
  return row.processes.flat();
}

/** The row's figures: each the median over all its rounds, from every process (house style: medians over rounds). */
export function figuresOf(row: VariantFigures): TimedPass {
  const rounds = roundsOf(row);
  return { all: medianOfRounds(rounds.map((r) => r.all)), subset: medianOfRounds(rounds.map((r) => r.subset)) };
}

/** Each process's median p50 (µs), in the order they ran. */
export function processMedians(row: VariantFigures, which: 'all' | 'subset' = 'all'): number[] {
  return row.processes.map((rounds) => median(rounds.map((r) => r[which].p50Micros)));
}

const speedUp = (value: number) => (Number.isFinite(value) ? `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1)}×` : '—');

/**
 * The figures a speed-up is computed from: the same requests as the baseline. Where the baseline
 * timed every request, the whole-round figures (decisions/s from the loop's wall time); where it
 * timed only the first few, the row's figures on those requests.
 */
export function comparable(report: CedarSectionReport, figures: VariantFigures): RoundResult {
  return figures.requests === report.wasmRequests ? figuresOf(figures).all : figuresOf(figures).subset;
}

function find(report: CedarSectionReport, variant: Variant): VariantFigures | undefined {
  return report.variants.find((v) => v.variant === variant);
}

export function speedUps(report: CedarSectionReport, variant: Variant, baseline: Variant): { p50: number; perSecond: number } | undefined {
  const row = find(report, variant);
  const base = find(report, baseline);
  if (row === undefined || base === undefined) return undefined;
  const mine = comparable(report, row);
  const theirs = figuresOf(base).all;
  return { p50: theirs.p50Micros / mine.p50Micros, perSecond: mine.perSecond / theirs.perSecond };
}

function rows(reports: readonly CedarSectionReport[], variants: readonly Variant[], baseline: Variant): string[][] {
  const out: string[][] = [];
  for (const report of reports) {
    for (const variant of variants) {
      const row = find(report, variant);
      if (row === undefined) continue;
      const ratio = variant === baseline ? undefined : speedUps(report, variant, baseline);
      const r = figuresOf(row).all;
      out.push([
        report.size.toLocaleString('en-US'),
        LABELS[variant],
        `${row.callsPerRound.toLocaleString('en-US')} / ${row.requests.toLocaleString('en-US')}`,
        fmt(r.p50Micros),
        range(roundsOf(row).map((round) => round.all.p50Micros)),
        String(row.processes.length),
        fmt(r.p99Micros),
        fmt(r.perSecond),
        ratio === undefined ? '' : speedUp(ratio.p50),
        ratio === undefined ? '' : speedUp(ratio.perSecond),
      ]);
    }
  }
  return out;
}

const HEADER = ['policies', 'measured', 'calls / requests', 'p50 µs', 'p50 rounds min–max', 'processes', 'p99 µs', 'decisions/s', 'speed-up p50', 'speed-up dec/s'];

export function evaluatorTable(reports: readonly CedarSectionReport[]): string {
  return table(HEADER, rows(reports, ['wasm', 'compiled', 'compiled-no-index', 'compiled-context'], 'wasm'), 2);
}

export function engineTable(reports: readonly CedarSectionReport[]): string {
  return table(HEADER, rows(reports, ['engine-wasm', 'engine-compiled'], 'engine-wasm'), 2);
}

/** Where a row was timed in several processes: each process's median p50, the spread between processes. */
export function processNotes(reports: readonly CedarSectionReport[]): string[] {
  const notes: string[] = [];
  for (const report of reports) {
    for (const row of report.variants) {
      if (row.processes.length < 2) continue;
      const medians = processMedians(row);
      notes.push(
        `  ${report.size.toLocaleString('en-US')} policies, ${LABELS[row.variant]}: timed in ${row.processes.length} processes (the section, then ${row.processes.length - 1} replica${row.processes.length > 2 ? 's' : ''}); ` +
          `their medians ${medians.map((m) => `${fmt(m)} µs`).join(' / ')} (spread ${range(medians)})`,
      );
    }
  }
  return notes;
}

/** Where cedar-wasm timed only the first requests: the compiled figures on those same requests. */
export function subsetNotes(reports: readonly CedarSectionReport[]): string[] {
  const notes: string[] = [];
  for (const report of reports) {
    if (report.wasmRequests === report.requests) continue;
    const parts = (['compiled', 'engine-compiled'] as const).flatMap((variant) => {
      const row = find(report, variant);
      if (row === undefined) return [];
      const figures = figuresOf(row).subset;
      return [`${LABELS[variant]} p50 ${fmt(figures.p50Micros)} µs (rounds ${range(roundsOf(row).map((r) => r.subset.p50Micros))}), p99 ${fmt(figures.p99Micros)} µs`];
    });
    notes.push(
      `  ${report.size.toLocaleString('en-US')} policies: cedar-wasm timed on the first ${report.wasmRequests} of the ${report.requests.toLocaleString('en-US')} requests ` +
        `(bounded time); speed-ups use the compiled figures on those ${report.wasmRequests}: ${parts.join('; ')}`,
    );
  }
  return notes;
}

const agreement = (a: Agreement | undefined) => (a === undefined ? '—' : a.decision === a.checked && a.determining === a.checked ? `${a.decision}/${a.checked}` : `${a.decision}/${a.checked} (${a.determining} same reasons) !!`);

export function factsTable(reports: readonly CedarSectionReport[]): string {
  return table(
    ['policies', 'parse ms', 'compile ms', 'wasm preparse ms', 'engine load ms wasm / compiled', 'agree compiled=wasm', 'agree no-index=index', 'agree engine', 'allowed', 'scope matches', 'engine slice', 'engine allow/step-up/deny'],
    reports.map((r) => [
      r.size.toLocaleString('en-US'),
      fmt(r.millis.parse),
      fmt(r.millis.compile),
      fmt(r.millis.wasmPreparse),
      r.millis.engineLoadWasm === undefined || r.millis.engineLoadCompiled === undefined ? 'not measured' : `${fmt(r.millis.engineLoadWasm)} / ${fmt(r.millis.engineLoadCompiled)}`,
      agreement(r.compiledVsWasm),
      agreement(r.noIndexVsIndex),
      agreement(r.engineAgreement),
      `${r.allowed}/${r.requests}`,
      fmt(r.meanScopeMatches),
      r.meanEngineSlice === undefined ? '—' : fmt(r.meanEngineSlice),
      r.engineOutcomes === undefined ? '—' : `${r.engineOutcomes.allow}/${r.engineOutcomes.stepUp}/${r.engineOutcomes.deny}`,
    ]),
  );
}

/** Every agreement that is not complete, as lines to print loudly. */
export function disagreements(reports: readonly CedarSectionReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    const check = (name: string, a: Agreement | undefined) => {
      if (a !== undefined && (a.decision !== a.checked || a.determining !== a.checked)) {
        out.push(`${r.size} policies, ${name}: same decision on ${a.decision}/${a.checked}, same determining policies on ${a.determining}/${a.checked}`);
      }
    };
    check('compiled vs cedar-wasm', r.compiledVsWasm);
    check('compiled without vs with scope index', r.noIndexVsIndex);
    check('engine with compiled vs with cedar-wasm', r.engineAgreement);
  }
  return out;
}

const ENTITIES = ENTITY_COUNT.toLocaleString('en-US');

export const CEDAR_LEGEND = `What the columns mean
  calls / requests    calls per round / distinct requests they cycle (a round is one or more passes)
  p50 µs, p99 µs      median and 99th percentile of single calls, each timed with performance.now()
                      (the timer's own cost is in every figure: see "timer floor"); median over all rounds
                      of every process that timed the row
  p50 rounds min–max  the lowest and highest of the rounds' p50s (over every process): the spread behind the median
  processes           how many processes timed the row; the compiled evaluator alone is timed again in fresh
                      processes (replicas), as one process's figures move together (see the notes under table 1)
  machine probe       fixed workloads timed before each round, independent of the code under test: map reads
                      in the CPU's caches (ms) and a random pointer chase through 16 MB (ns per step, memory
                      latency); when they are slower, the whole machine was (other work, the host's other tenants)
  decisions/s         calls / wall time of the round's loop, one call at a time (median over rounds)
  speed-up p50        baseline p50 / this row's p50, on the same requests (above 1× = faster)
  speed-up dec/s      this row's decisions/s / the baseline's, on the same requests
  cedar-wasm          statefulIsAuthorized: the WHOLE policy set preparsed once, entities = principal +
                      ancestors + resource + ancestors (as bench:decision (b)), the context Tenet builds
  compiled, scope index   CompiledPolicySet.authorize(request, graph): the graph of all ${ENTITIES} entities built
                      once, the context converted to Cedar values before timing; its scope index picks the
                      candidate policies
  compiled, no index  authorize(request, graph, every policy id): every policy's scope checked in turn
  + context from JSON as "scope index" with contextFromJson(Tenet's context JSON) inside the timed call,
                      as an engine building the context per request pays
  decide()            Tenet's engine end to end (trust algorithm, Cedar context, scope slicing, entity slice,
                      evaluator, step-up re-evaluation of denials, reasons, obligations) with the policy set
                      loaded by loadPolicySet(source, { evaluator: 'wasm' | 'compiled' })
  agree …             requests with the same decision (and, unless "!!", the same determining policies)
  scope matches       mean policies per request whose scope matches (what the compiled evaluator evaluates)
  engine slice        mean policies the engine's scope slice hands to the evaluator`;
