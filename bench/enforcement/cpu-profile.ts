// CPU profiles of the Tenet child over the measured rounds only (start-up and module compilation
// left out): the child runs V8's sampling profiler through node:inspector when told on stdin, and
// the orchestrator reads the .cpuprofile back and prints where the time went — self time per
// function, and inclusive time per Tenet source function (everything called beneath it).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { createInterface } from 'node:readline';
import { fmt, table } from '../stats.js';

// ---- child side -------------------------------------------------------------------------------

/**
 * Listens on stdin for `profile-start` and `profile-stop <file>` lines; after a stop writes the
 * profile and prints `{"profiled": <file>}`. Calls `onEnd` when stdin closes.
 */
export function serveProfilerCommands(onEnd: () => void): void {
  // Connected only when a profile is asked for: an idle run carries no inspector session at all.
  let session: Session | undefined;
  const connected = (): Session => {
    if (session === undefined) {
      session = new Session();
      session.connect();
    }
    return session;
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, file] = line.trim().split(/\s+/, 2);
    const done = command === 'profile-start' ? startProfiling(connected()) : command === 'profile-stop' && file !== undefined ? stopProfiling(connected(), file) : Promise.resolve();
    done.catch((error: unknown) => console.error(`profiler command ${JSON.stringify(line)} failed: ${(error as Error).message}`));
  });
  lines.once('close', onEnd);
}

async function startProfiling(session: Session): Promise<void> {
  await session.post('Profiler.enable');
  // 250 µs: enough samples in a few 10 s rounds without the profiler itself costing much.
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
}

async function stopProfiling(session: Session, file: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  for (const node of profile.nodes) toOriginalPosition(node.callFrame);
  writeFileSync(file, JSON.stringify(profile));
  console.log(JSON.stringify({ profiled: file }));
}

/**
 * tsx compiles each .ts file to a few long lines, so V8's positions point into generated code;
 * the inline source maps tsx registers (process.sourceMapsEnabled) give the line in the .ts file.
 */
function toOriginalPosition(frame: { url: string; lineNumber: number; columnNumber: number }): void {
  if (!frame.url.endsWith('.ts')) return;
  // Both positions are 0-based, in V8's profile and in SourceMap.findEntry.
  const entry = findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry === undefined || !('originalLine' in entry)) return;
  frame.lineNumber = entry.originalLine;
  frame.columnNumber = entry.originalColumn;
}

// ---- orchestrator side ------------------------------------------------------------------------

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

/** Paths shown relative to the repository; node_modules collapsed to the package. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  return url === '' ? name : `${name}  ${shortUrl(url)}:${lineNumber + 1}`;
}

const NOT_RUNNING = new Set(['(idle)', '(program)']);

/** A printable summary: busy share, then the top `top` functions by self time and Tenet functions by inclusive time. */
export function summariseProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Native functions (writev, better-sqlite3's Statement…) have no file: name the JS that called them.
  const callerOf = (id: number): string => {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame !== undefined && frame.callFrame.url !== '') return frameKey(frame);
    }
    return '?';
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const name = node.callFrame.functionName;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (NOT_RUNNING.has(name)) continue;
    busy += 1;
    const key = node.callFrame.url === '' && !name.startsWith('(') ? `${frameKey(node)} ← ${callerOf(id)}` : frameKey(node);
    self.set(key, (self.get(key) ?? 0) + 1);
    // Each function once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined || !frame.callFrame.url.includes('/src/')) continue;
      const frameName = frameKey(frame);
      if (seen.has(frameName)) continue;
      seen.add(frameName);
      inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + 1);
    }
  }
  const total = profile.samples.length;
  const percent = (count: number, of: number) => `${fmt((100 * count) / of)} %`;
  const rank = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `samples: ${total}; running JavaScript or native code called from it: ${percent(busy, total)}; idle ${percent(counts.get('(idle)') ?? 0, total)}; ` +
      `"(program)" (V8/libuv outside JS) ${percent(counts.get('(program)') ?? 0, total)}; GC ${percent(counts.get('(garbage collector)') ?? 0, total)}`,
    '',
    `Top ${top} by self time (share of busy samples; native functions with the JavaScript that called them):`,
    table(['function  file:line', 'self'], rank(self).map(([key, count]) => [key, percent(count, busy)])),
    '',
    `Top ${top} Tenet functions (src/) by inclusive time (share of busy samples):`,
    table(['function  file:line', 'inclusive'], rank(inclusive).map(([key, count]) => [key, percent(count, busy)])),
  ].join('\n');
}
