// One indicator value from a list: an IP, a CIDR or a domain (`evil.example`, `*.evil.example`),
// in canonical form. Anything that looks like an address is judged as one, so a mistyped IP
// (`192.0.2.300`) is reported as a bad IP rather than accepted as a strange domain.
import { looksLikeAddress, parseDomainIndicator } from './domain-name.js';
import { parsePrefix } from './ip-prefix.js';

export type IndicatorKind = 'prefix' | 'domain';

export type IndicatorValueResult =
  | { readonly ok: true; readonly kind: IndicatorKind; readonly text: string }
  | { readonly ok: false; readonly message: string; readonly hint?: string };

export function parseIndicatorValue(raw: string): IndicatorValueResult {
  if (looksLikeAddress(raw)) {
    const prefix = parsePrefix(raw);
    return prefix.ok ? { ok: true, kind: 'prefix', text: prefix.prefix.text } : prefix;
  }
  const domain = parseDomainIndicator(raw);
  return domain.ok ? { ok: true, kind: 'domain', text: domain.domain.text } : domain;
}

/** Which kind a stored (already canonical) indicator is. */
export function indicatorKind(indicator: string): IndicatorKind {
  return looksLikeAddress(indicator) ? 'prefix' : 'domain';
}
