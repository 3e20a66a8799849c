// How long to wait before the next discovery attempt of a provider that could not be reached:
// capped exponential backoff with "equal jitter" (half the delay fixed, half random), so a fleet
// of Tenet instances restarted together does not hit a recovering identity provider in lockstep,
// yet never retries sooner than half the nominal delay.

/** The first retry waits about this long. */
export const FIRST_RETRY_MS = 1_000;
/** No retry waits longer than this. */
export const MAX_RETRY_MS = 60_000;

/** The delay before the next attempt after `failures` consecutive failures (1, 2, …); `random` returns [0, 1). */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const nominal = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
