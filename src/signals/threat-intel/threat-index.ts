// In-memory threat-intelligence index for the PDP: which listed networks cover a request's IP and
// which listed domains cover the host it is for. One prefix trie per address family (a lookup
// walks at most 32 or 128 bits) and a suffix map for domains (one probe per label) — never the list.
import type { ThreatMatch } from '../../engine/signals.js';
import { TenetError } from '../../errors.js';
import type { ErrorIssue } from '../../errors.js';
import type { ThreatIndicator } from '../../store/ports.js';
import { DomainIndex } from './domain-index.js';
import { looksLikeAddress, normaliseRequestDomain, parseDomainIndicator } from './domain-name.js';
import { parseAddress, parsePrefix, toMappedIPv6 } from './ip-prefix.js';
import { PrefixTrie } from './prefix-trie.js';

interface Entry {
  readonly match: ThreatMatch;
  /** Epoch ms after which the indicator no longer applies; Infinity when it never expires. */
  readonly expiresMs: number;
}

/** IPv4 lives inside IPv6 at ::ffff:0:0/96; an IPv6 indicator that short can cover IPv4 clients. */
const MAPPED_IPV4_PREFIX_BITS = 96;

export class ThreatIndex {
  readonly #ipv4 = new PrefixTrie<Entry>();
  readonly #ipv6 = new PrefixTrie<Entry>();
  readonly #domains = new DomainIndex<Entry>();
  #size = 0;

  /**
   * Builds the index from stored indicators. Every indicator must parse and every expiresAt must
   * be a time: silently skipping a bad entry would let a listed network through, so a bad entry
   * throws TenetError TENET_ERR_IMPORT_INVALID naming each one.
   */
  constructor(indicators: Iterable<ThreatIndicator>) {
    const issues: ErrorIssue[] = [];
    let index = 0;
    for (const indicator of indicators) {
      const parsed = looksLikeAddress(indicator.indicator) ? parsePrefix(indicator.indicator) : parseDomainIndicator(indicator.indicator);
      const expiresMs = indicator.expiresAt === undefined ? Infinity : Date.parse(indicator.expiresAt);
      if (!parsed.ok) issues.push({ path: `[${index}].indicator`, message: parsed.message });
      else if (Number.isNaN(expiresMs)) issues.push({ path: `[${index}].expiresAt`, message: `"${indicator.expiresAt}" is not a time` });
      else {
        const match: ThreatMatch = { indicator: indicator.indicator, category: indicator.category, source: indicator.source };
        const entry: Entry = { match: indicator.expiresAt === undefined ? match : { ...match, expiresAt: indicator.expiresAt }, expiresMs };
        if ('prefix' in parsed) {
          const { family, bytes, length } = parsed.prefix;
          (family === 'ipv4' ? this.#ipv4 : this.#ipv6).insert(bytes, length, entry);
        } else {
          this.#domains.insert(parsed.domain.name, parsed.domain.wildcard, entry);
        }
        this.#size += 1;
      }
      index += 1;
    }
    if (issues.length > 0) {
      throw new TenetError('TENET_ERR_IMPORT_INVALID', `threat index: ${issues.length} stored indicators are invalid; refusing to build a partial index`, issues);
    }
  }

  /** Number of indicators indexed (expired ones included). */
  get size(): number {
    return this.#size;
  }

  /**
   * Every indicator covering `ip` that has not expired at `now` (expired when now ≥ expiresAt),
   * shortest prefix first. An absent IP matches nothing; a malformed one throws TenetError
   * TENET_ERR_REQUEST_INVALID_IP so the caller rejects the request rather than treating it as clean.
   */
  lookup(ip: string | undefined, now: Date): ThreatMatch[] {
    if (ip === undefined) return [];
    const address = parseAddress(ip);
    if (address === undefined) throw new TenetError('TENET_ERR_REQUEST_INVALID_IP', `"${ip.slice(0, 64)}" is not an IPv4 or IPv6 address`);
    const entries: Entry[] = [];
    if (address.family === 'ipv4') {
      this.#ipv6.collect(toMappedIPv6(address.bytes), MAPPED_IPV4_PREFIX_BITS, entries);
      this.#ipv4.collect(address.bytes, 32, entries);
    } else {
      this.#ipv6.collect(address.bytes, 128, entries);
    }
    return unexpired(entries, now);
  }

  /**
   * Every indicator covering the domain `domain` (the host a request is for) that has not expired
   * at `now`: `*.` wildcards of its parent domains, broadest first, then the exact name. Case,
   * a trailing dot and Unicode vs punycode do not matter. An absent domain or an IP literal matches
   * nothing; a malformed name throws TenetError TENET_ERR_REQUEST_INVALID_DOMAIN.
   */
  lookupDomain(domain: string | undefined, now: Date): ThreatMatch[] {
    if (domain === undefined) return [];
    const normalised = normaliseRequestDomain(domain);
    if (!normalised.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_DOMAIN', normalised.message);
    if (normalised.name === undefined) return [];
    const entries: Entry[] = [];
    this.#domains.collect(normalised.name, entries);
    return unexpired(entries, now);
  }

  /** What the PDP's snapshot uses: matches for the request's IP, then for its domain. */
  matches(environment: { readonly ip?: string; readonly domain?: string }, now: Date): ThreatMatch[] {
    return [...this.lookup(environment.ip, now), ...this.lookupDomain(environment.domain, now)];
  }
}

function unexpired(entries: readonly Entry[], now: Date): ThreatMatch[] {
  const nowMs = now.getTime();
  return entries.filter((e) => nowMs < e.expiresMs).map((e) => e.match);
}
