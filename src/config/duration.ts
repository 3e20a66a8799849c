// Human durations in config ("90s", "15m", "1h", "7d") → seconds.

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Returns whole seconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const factor = UNIT_SECONDS[unit ?? ''];
  return factor === undefined ? undefined : Number(amount) * factor;
}

/** Like parseDuration, for values the schema already validated. */
export function durationSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${text}`);
  return seconds;
}
