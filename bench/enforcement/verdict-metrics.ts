// Tenet's own count of what its enforcement points answered (tenet_enforcement_verdicts_total on
// the API's /metrics, by pep, verdict and cached), read before and after the load: proof that the
// loaded path is the one the report names (allows from the decision cache, not fresh decisions or
// refusals). Absent metrics are reported as such, never guessed.
const METRIC = 'tenet_enforcement_verdicts_total';
const LINE = new RegExp(`^${METRIC}\\{([^}]*)\\}\\s+(\\S+)`);

/** "pep/verdict/cached" → count. */
export type VerdictCounts = ReadonlyMap<string, number>;

export function parseVerdicts(text: string): VerdictCounts {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]]));
    counts.set(`${labels['pep'] ?? '?'} ${labels['verdict'] ?? '?'}${labels['cached'] === 'true' ? ' (cached)' : labels['cached'] === 'false' ? ' (decided)' : ''}`, Number(match[2]));
  }
  return counts;
}

/** The counts from `apiUrl`/metrics, or undefined when the API does not serve them. */
export async function readVerdicts(apiUrl: string): Promise<VerdictCounts | undefined> {
  try {
    const response = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    const counts = parseVerdicts(await response.text());
    return counts.size === 0 ? undefined : counts;
  } catch {
    return undefined;
  }
}

/** One line: what Tenet counted between the two readings. */
export function describeDifference(before: VerdictCounts | undefined, after: VerdictCounts | undefined): string {
  if (before === undefined || after === undefined) return `Tenet's ${METRIC} was not available on /metrics: the verdict mix was not checked.`;
  const parts = [...after.entries()]
    .map(([key, count]) => [key, count - (before.get(key) ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ${count.toLocaleString('en-US')}`);
  return `Tenet's own count of its answers during the load (${METRIC}): ${parts.length === 0 ? 'none' : parts.join('; ')}`;
}
