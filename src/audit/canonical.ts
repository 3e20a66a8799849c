// RFC 8785 JSON Canonicalization Scheme: the one serialisation the decision log hashes and signs,
// so any verifier in any language reproduces the same bytes.
import canonicalize from 'canonicalize';
import { TenetError } from '../errors.js';

/** Canonical JSON of `value`; throws TENET_ERR_AUDIT_INVALID_ENTRY for values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new TenetError('TENET_ERR_AUDIT_INVALID_ENTRY', `value cannot be canonicalised as JSON: ${String(cause)}`, [], { cause });
  }
  if (text === undefined) throw new TenetError('TENET_ERR_AUDIT_INVALID_ENTRY', 'value serialises to nothing');
  return text;
}
