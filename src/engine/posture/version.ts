// Dotted numeric versions as posture rules compare them ("6.10" is above "6.9"; "14" equals
// "14.0" and is below "14.0.1"). Reported versions often carry a suffix ("5.10.0-18-amd64",
// "14.4.1 (23E224)"): only the leading dotted numbers count, an optional "v" before them allowed.

/** The leading dotted numbers of `text`, or undefined when it does not start with one. */
export function parseVersion(text: string): readonly number[] | undefined {
  const match = /^v?(\d+(?:\.\d+)*)/i.exec(text.trim());
  if (match?.[1] === undefined) return undefined;
  const parts = match[1].split('.').map(Number);
  return parts.every((part) => Number.isSafeInteger(part)) ? parts : undefined;
}

/** Negative when a < b, 0 when equal, positive when a > b; missing components count as 0. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Whether `actual` is a version at least `minimum`; false when either is not a version. */
export function isAtLeastVersion(actual: string, minimum: string): boolean {
  const seen = parseVersion(actual);
  const required = parseVersion(minimum);
  return seen !== undefined && required !== undefined && compareVersions(seen, required) >= 0;
}
