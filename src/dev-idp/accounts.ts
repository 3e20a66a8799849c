// The development IdP's accounts: finds demo users, checks their passwords in constant time, and
// says which claims each one has. The claims are the OpenID Connect Core 1.0 §5.1 standard claims
// plus `groups` (the de facto name most IdPs use), so Tenet's default claim mapping works unchanged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DevAmr, DevUser } from './users-file.js';

/** Authentication context classes the dev IdP reports (`acr`): password only, or phishing-resistant. */
export const ACR_PASSWORD = 'pwd';
export const ACR_PHISHING_RESISTANT = 'phr';
/** Weakest first: a session at a later class also satisfies a request for an earlier one. */
export const ACR_VALUES = [ACR_PASSWORD, ACR_PHISHING_RESISTANT] as const;

export interface DevUserClaims {
  readonly sub: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly name: string;
  readonly preferred_username: string;
  readonly groups: readonly string[];
}

export interface AuthenticationOutcome {
  readonly user: DevUser;
  /** RFC 8176 values, in the order RFC 8176 examples use (strongest first). */
  readonly amr: readonly DevAmr[];
  readonly acr: (typeof ACR_VALUES)[number];
}

export class DevAccounts {
  readonly #byUsername = new Map<string, DevUser>();
  readonly #bySub = new Map<string, DevUser>();
  // Compared against when the username is unknown, so a wrong username costs the same as a wrong password.
  readonly #decoy = digest('decoy password that matches nothing');

  constructor(users: readonly DevUser[]) {
    for (const user of users) {
      this.#byUsername.set(user.username, user);
      this.#bySub.set(user.sub, user);
    }
  }

  bySub(sub: string): DevUser | undefined {
    return this.#bySub.get(sub);
  }

  /** The user when the password is right, else undefined. The comparison takes constant time. */
  verifyPassword(username: string, password: string): DevUser | undefined {
    const user = this.#byUsername.get(username);
    const expected = user === undefined ? this.#decoy : digest(user.password);
    // Digests have equal length, so timingSafeEqual never throws and leaks no length.
    const matches = timingSafeEqual(digest(password), expected);
    return matches && user !== undefined ? user : undefined;
  }

  /**
   * How a successful login authenticated: with the (simulated) security key when asked for and the
   * user has one, else with the password alone. Undefined when a key was asked for but the user has none.
   */
  static authentication(user: DevUser, withSecurityKey: boolean): AuthenticationOutcome | undefined {
    if (!withSecurityKey) return { user, amr: ['pwd'], acr: ACR_PASSWORD };
    if (!user.amr.includes('hwk')) return undefined;
    return { user, amr: ['hwk', 'pwd'], acr: ACR_PHISHING_RESISTANT };
  }

  static claims(user: DevUser): DevUserClaims {
    return {
      sub: user.sub,
      email: user.email,
      // Demo addresses are taken as verified; Tenet may map email onto the Cedar principal.
      email_verified: true,
      name: user.name,
      preferred_username: user.username,
      groups: [...user.groups],
    };
  }
}

/** True when a session authenticated at `current` satisfies one of the requested acr values. */
export function acrSatisfies(current: string | undefined, requested: readonly string[]): boolean {
  const known = requested.filter((value): value is (typeof ACR_VALUES)[number] => (ACR_VALUES as readonly string[]).includes(value));
  // OIDC Core §3.1.2.1: acr_values is a voluntary request; values we do not know cannot be asked of the user.
  if (known.length === 0) return true;
  const have = current === undefined ? -1 : (ACR_VALUES as readonly string[]).indexOf(current);
  return known.some((value) => have >= ACR_VALUES.indexOf(value));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
