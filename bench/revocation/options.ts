// The revocation benchmark's sizes and rhythms, from the command line (`--quick`,
// `--background-ms N`, `--spacing-ms N`) or their defaults.

/** `--name N` from the command line (an integer in [min, max]), else `fallback`. */
function numberOption(name: string, fallback: number, min: number, max: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} expects an integer from ${min} to ${max}`);
  return value;
}

export const quick = process.argv.includes('--quick');
export const SESSIONS = quick ? 200 : 1000;
/** Sessions affected by each signal (half through the proxy, half through forward-auth; (a): all
 * through forward-auth, half by posture report, half by quarantine). */
export const AFFECTED = quick ? 20 : 100;
/** WebSockets held per affected group (through the proxy). */
export const SOCKETS_PER_GROUP = AFFECTED / 2;
/** An affected session polls this often from its signal until it is cut: the detection granularity. */
export const POLL_MS = 50;
/** Every session polls this often until its signal (the background load); `--background-ms N`.
 * At most 20 s: the allow cache (quickstart: 30 s) must outlive it, or signals would meet no cached allow. */
export const BACKGROUND_MS = numberOption('--background-ms', 2000, 100, 20_000);
/** A session not cut this long after its signal counts as missed. */
export const DEADLINE_MS = 10_000;
export const TARGET_P99_MS = 1000;
/** Admin revocations, CAEP pushes, posture reports and quarantines start this far apart; `--spacing-ms N`. */
export const REVOKE_SPACING_MS = numberOption('--spacing-ms', 10, 0, 1000);
/**
 * How CAEP SETs name the user (`--caep-subject`): `email` (default; RFC 9493 §3.2.2) or `opaque`,
 * the Cedar principal `User::"…"` as Tenet's own transmitter spells it. The receiver finds sessions
 * by principal through the store's index, by email by reading every active session.
 */
export const CAEP_SUBJECT: 'email' | 'opaque' = (() => {
  const at = process.argv.indexOf('--caep-subject');
  if (at < 0) return 'email';
  const value = process.argv[at + 1];
  if (value !== 'email' && value !== 'opaque') throw new Error('--caep-subject expects email or opaque');
  return value;
})();
/** Sessions whose first (uncached) request, sent alone, makes the baseline. */
export const BASELINE_SAMPLES = 100;
