// Durations in explanations users read ("posture observed 3h 10m ago; limit 1h").

/** Formats whole seconds as the two most significant units: `45s`, `5m 3s`, `3h 10m`, `2d 4h`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const units: readonly [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${name}`);
    if (parts.length === 2) break;
  }
  const shown = parts.filter((part, i) => i === 0 || !part.startsWith('0'));
  return shown.length === 0 ? '0s' : shown.join(' ');
}
