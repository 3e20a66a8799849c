// Domain names as threat indicators and as request hosts, normalised so that a feed and a PEP that
// write the same name differently still match: lower case (DNS names compare case-insensitively,
// RFC 4343), no trailing root dot (`evil.example.` is `evil.example`, RFC 1034 §3.1), and
// internationalised names in their ASCII (punycode, `xn--`) form (RFC 5890 A-labels), which is
// what DNS and the Host header carry.
//
// Indicator forms:
//   evil.example      that name only (not its subdomains)
//   *.evil.example    every subdomain of evil.example, not evil.example itself
// This follows DNS RPZ (and RFC 4592 wildcards): a plain name never silently widens to names the
// feed did not list — over-blocking `github.io` because one page was listed is a real failure
// mode. A feed that means "the name and everything below it" lists both lines.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export interface DomainIndicator {
  /** Normalised name without the wildcard (`evil.example`). */
  readonly name: string;
  /** True for `*.name`: matches strict subdomains only. */
  readonly wildcard: boolean;
  /** Canonical indicator text as stored: `evil.example` or `*.evil.example`. */
  readonly text: string;
}

export type DomainResult = { readonly ok: true; readonly domain: DomainIndicator } | { readonly ok: false; readonly message: string; readonly hint?: string };

const MAX_NAME_LENGTH = 253; // RFC 1035 §2.3.4 (255 octets on the wire, 253 as text)
// Letters, digits, hyphen; underscore too, since feeds list service names (`_dmarc.example`).
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const NUMERIC = /^[0-9]+$/;

/** Parses a domain indicator (`evil.example`, `*.evil.example`, `Bücher.example.`). */
export function parseDomainIndicator(raw: string): DomainResult {
  const text = raw.trim();
  const wildcard = text.startsWith('*.');
  const name = normaliseName(wildcard ? text.slice(2) : text);
  if (!name.ok) return name;
  return { ok: true, domain: { name: name.value, wildcard, text: wildcard ? `*.${name.value}` : name.value } };
}

/**
 * Normalises the host a request is for, for lookups. Undefined when it is an IP literal (IPv4,
 * IPv6 or `[IPv6]`: the IP index covers those) — never a match by accident. Throws nothing: the
 * caller decides what an invalid name means (the result says why).
 */
export function normaliseRequestDomain(raw: string): { readonly ok: true; readonly name: string | undefined } | { readonly ok: false; readonly message: string } {
  const text = raw.trim();
  if (isIP(text) !== 0 || (text.startsWith('[') && text.endsWith(']'))) return { ok: true, name: undefined };
  const name = normaliseName(text);
  return name.ok ? { ok: true, name: name.value } : { ok: false, message: name.message };
}

/** True when `text` cannot be a domain name because it looks like an IP address or CIDR. */
export function looksLikeAddress(text: string): boolean {
  const bare = text.trim();
  return bare.includes(':') || bare.includes('/') || /^[0-9.]+$/.test(bare);
}

type NameResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string; readonly hint?: string };

function normaliseName(input: string): NameResult {
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
  let name = input.endsWith('.') ? input.slice(0, -1) : input;
  if (name === '') return { ok: false, message: `"${shown}" is not a domain name` };
  // eslint-disable-next-line no-control-regex -- the test is exactly "is this ASCII"
  if (/[^\x00-\x7f]/.test(name)) {
    // Only Unicode names go through IDNA: on ASCII input domainToASCII also percent-decodes,
    // which would let `ex%41mple.com` through as `example.com`.
    const ascii = domainToASCII(name);
    if (ascii === '') return { ok: false, message: `"${shown}" is not a valid internationalised domain name` };
    name = ascii;
  }
  name = name.toLowerCase();
  if (name.length > MAX_NAME_LENGTH) return { ok: false, message: `"${shown}" is longer than ${MAX_NAME_LENGTH} characters` };
  const labels = name.split('.');
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return {
      ok: false,
      message: `"${shown}" is not a domain name (label "${bad.slice(0, 63)}")`,
      hint: 'labels are letters, digits, "-" or "_", 1 to 63 characters; "*." is allowed only at the start',
    };
  }
  // RFC 3696 §2: a top-level domain is never all digits — such a "name" is a mistyped address.
  if (NUMERIC.test(labels[labels.length - 1] ?? '')) return { ok: false, message: `"${shown}" is neither an IP address nor a domain name` };
  if (name.startsWith('xn--') || name.includes('.xn--')) {
    // An A-label must decode; domainToASCII round-trips valid ones unchanged and refuses the rest.
    if (domainToASCII(name) !== name) return { ok: false, message: `"${shown}" has an invalid punycode (xn--) label` };
  }
  return { ok: true, value: name };
}
