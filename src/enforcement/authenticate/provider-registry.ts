// The configured OpenID Providers while Tenet runs, each discovered or not (yet). Tenet starts even
// when a provider cannot be reached (as Pomerium and oauth2-proxy do): existing sessions live in
// the store and keep working, and the PEPs keep enforcing. Only the checks that need no network
// stop the start (discover-providers.ts).
//   start       checks every provider, then one discovery attempt each, in parallel; the results
//               are taken in configuration order, so which of two providers with one issuer wins
//               does not depend on timing
//   retry       a failed attempt is logged at error level and retried in the background with
//               capped exponential backoff (retry-backoff.ts) until it succeeds (logged at info)
//   nudge       a user waiting on an undiscovered provider (a login) starts an attempt at once,
//               unless one started in the last few seconds, so the first login after the provider
//               comes back works without waiting out the backoff
//   conflict    a provider whose discovered issuer is already another's stays unusable (logged at
//               error): tokens are matched to providers by `iss`, which must be unambiguous
//   close       stops the retries and aborts attempts in flight; no timer is left behind
// While a provider is undiscovered, everything that needs it fails closed (login 503, bearer and
// logout tokens refused); see docs/authentication.md "When the provider is down".
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import { checkProviders, discoverProvider, messageOf, type CheckedProvider, type CheckInput, type DiscoveredProvider } from './discover-providers.js';
import { retryDelayMs } from './retry-backoff.js';

/** A user's request starts a discovery attempt only when the last one started at least this long ago. */
export const MIN_ATTEMPT_INTERVAL_MS = 5_000;
/** How long a user's request waits for a discovery attempt in flight before answering "unavailable". */
const MAX_USER_WAIT_MS = 3_000;

export interface ProviderEntry {
  readonly config: OidcProviderConfig;
  /** undefined while the provider is not discovered (unreachable so far, or its issuer is another provider's). */
  readonly discovered: DiscoveredProvider | undefined;
}

export interface ProviderRegistry {
  /** Every configured provider, discovered or not, in configuration order; the first is the default. */
  readonly configured: readonly OidcProviderConfig[];
  byId(id: string): ProviderEntry | undefined;
  /**
   * The provider a token's `iss` names: a discovered provider whose metadata issuer is exactly
   * `iss`, else an undiscovered one whose configured issuer is `iss` (so the caller can say which
   * provider is unavailable); undefined when no configured provider has that issuer.
   */
  byIssuer(issuer: string): ProviderEntry | undefined;
  /** Starts a discovery attempt of an undiscovered provider unless one is in flight or started in the last MIN_ATTEMPT_INTERVAL_MS. */
  nudge(id: string): void;
  /** The discovered provider; when not discovered yet, nudges it and waits (a few seconds at most) for the attempt in flight. */
  whenDiscovered(id: string): Promise<DiscoveredProvider | undefined>;
}

export interface RunningProviderRegistry extends ProviderRegistry {
  /** Stops every retry and aborts attempts in flight. */
  close(): void;
}

export interface RegistryInput extends CheckInput {
  /** The clock the "last few seconds" of nudge are measured with. */
  readonly now: () => Date;
  /** Jitter source, [0, 1). */
  readonly random?: () => number;
}

type Outcome = { readonly provider: DiscoveredProvider } | { readonly error: unknown };

interface Shared {
  readonly input: RegistryInput;
  readonly signal: AbortSignal;
  readonly closed: () => boolean;
  /** Makes `provider` usable, or refuses it when its issuer is already another provider's. */
  readonly register: (slot: ProviderSlot, provider: DiscoveredProvider) => void;
}

/** One configured provider and its discovery state. */
class ProviderSlot {
  discovered: DiscoveredProvider | undefined;
  /** Its discovered issuer is another provider's: unusable until the configuration is fixed. */
  conflict = false;
  inFlight: Promise<void> | undefined;
  #failures = 0;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly checked: CheckedProvider,
    private readonly shared: Shared,
  ) {}

  get config(): OidcProviderConfig {
    return this.checked.config;
  }

  /** True while discovery should still be tried. */
  get waiting(): boolean {
    return this.discovered === undefined && !this.conflict && !this.shared.closed();
  }

  /** One attempt now, or the one in flight. Never rejects. */
  attempt(): Promise<void> {
    if (!this.waiting) return Promise.resolve();
    if (this.inFlight !== undefined) return this.inFlight;
    this.cancelRetry();
    this.inFlight = this.run();
    return this.inFlight;
  }

  nudge(): void {
    if (!this.waiting || this.inFlight !== undefined) return;
    if (this.shared.input.now().getTime() - this.#lastAttemptAt < MIN_ATTEMPT_INTERVAL_MS) return;
    void this.attempt();
  }

  /** Discovers once, recording when; the outcome is not applied yet (see settle). */
  async tryOnce(): Promise<Outcome> {
    this.#lastAttemptAt = this.shared.input.now().getTime();
    try {
      return { provider: await discoverProvider(this.checked, this.shared.signal) };
    } catch (error) {
      return { error };
    }
  }

  /** Applies an attempt's outcome: register the provider, or log and schedule the next attempt. */
  settle(outcome: Outcome): void {
    if (this.shared.closed()) return;
    if ('provider' in outcome) {
      this.shared.register(this, outcome.provider);
      if (this.discovered !== undefined) {
        this.shared.input.logger.info({ provider: this.config.id, issuer: this.discovered.issuer, failedAttempts: this.#failures }, 'OpenID provider discovered');
      }
      this.#failures = 0;
      return;
    }
    this.#failures += 1;
    const delay = retryDelayMs(this.#failures, this.shared.input.random);
    this.shared.input.logger.error(
      { provider: this.config.id, issuer: this.config.issuer, problem: messageOf(outcome.error), attempt: this.#failures, retryInMs: delay },
      'OpenID provider unavailable: discovery failed; logins with it answer 503 until a retry succeeds',
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.attempt();
    }, delay);
    // A retry must never keep the process alive on its own.
    this.#timer.unref();
  }

  cancelRetry(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  private async run(): Promise<void> {
    const outcome = await this.tryOnce();
    this.inFlight = undefined;
    this.settle(outcome);
  }
}

/**
 * Checks every provider (throws TenetError TENET_ERR_CONFIG_INVALID for what needs no network),
 * then makes one discovery attempt each; providers that could not be discovered are retried in
 * the background until `close()`.
 */
export async function startProviderRegistry(input: RegistryInput): Promise<RunningProviderRegistry> {
  const checked = checkProviders(input);
  const abort = new AbortController();
  let closed = false;
  const byIssuer = new Map<string, ProviderSlot>();
  const shared: Shared = {
    input,
    signal: abort.signal,
    closed: () => closed,
    register(slot, provider) {
      const other = byIssuer.get(provider.issuer);
      if (other !== undefined && other !== slot) {
        slot.conflict = true;
        input.logger.error(
          { provider: slot.config.id, issuer: provider.issuer, sameIssuerAs: other.config.id },
          'OpenID provider refused: its discovered issuer is already another provider\'s (tokens are matched by iss); it stays unusable: configure each issuer once and restart',
        );
        return;
      }
      slot.discovered = provider;
      byIssuer.set(provider.issuer, slot);
    },
  };
  const slots = checked.map((provider) => new ProviderSlot(provider, shared));
  const slotsById = new Map(slots.map((slot) => [slot.config.id, slot]));

  const outcomes = await Promise.all(slots.map((slot) => slot.tryOnce()));
  slots.forEach((slot, index) => slot.settle(outcomes[index] ?? { error: new Error('no outcome') }));

  const entry = (slot: ProviderSlot): ProviderEntry => ({ config: slot.config, discovered: slot.discovered });
  return {
    configured: slots.map((slot) => slot.config),
    byId: (id) => {
      const slot = slotsById.get(id);
      return slot === undefined ? undefined : entry(slot);
    },
    byIssuer: (issuer) => {
      const discovered = byIssuer.get(issuer);
      if (discovered !== undefined) return entry(discovered);
      const waiting = slots.find((slot) => slot.discovered === undefined && sameIssuer(slot.checked, issuer));
      return waiting === undefined ? undefined : entry(waiting);
    },
    nudge: (id) => slotsById.get(id)?.nudge(),
    whenDiscovered: async (id) => {
      const slot = slotsById.get(id);
      if (slot === undefined) return undefined;
      const deadline = Date.now() + MAX_USER_WAIT_MS;
      // Two rounds: an attempt already in flight may have started before the provider came back;
      // if it fails and started long enough ago, the second round tries once more.
      for (let round = 0; round < 2 && slot.waiting; round += 1) {
        slot.nudge();
        const attempt = slot.inFlight;
        if (attempt === undefined || !(await settlesWithin(attempt, deadline - Date.now()))) break;
      }
      return slot.discovered;
    },
    close: () => {
      closed = true;
      abort.abort();
      for (const slot of slots) slot.cancelRetry();
    },
  };
}

/** `iss` written as the configured issuer (exactly, or as the same URL). */
function sameIssuer(checked: CheckedProvider, issuer: string): boolean {
  if (issuer === checked.config.issuer) return true;
  try {
    return new URL(issuer).href === checked.issuerUrl.href;
  } catch {
    return false;
  }
}

/** True when `promise` settles within `ms`; the timer is cleared either way. */
function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
