// Compiles a `like` pattern once into a matcher. `*` (Wildcard) matches any sequence of
// characters, including none; an escaped `\*` arrives here as a Literal containing `*`
// (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-like). There is no
// single-character wildcard, so a greedy left-to-right search over the literal chunks is exact:
// the first chunk anchors the start, the last chunk anchors the end, and each middle chunk may
// take its earliest occurrence (an earlier match never excludes a later one).
//
// Matching works on UTF-16 code units. Chunks come from well-formed policy text, so a chunk never
// starts or ends inside a surrogate pair and matches fall on code-point boundaries, which is what
// Cedar's per-`char` matching gives for well-formed strings.
import type { PatternElement } from '../est.js';

export type LikeMatcher = (text: string) => boolean;

export function compileLikePattern(pattern: readonly PatternElement[]): LikeMatcher {
  // Split at wildcards, merging adjacent literals: chunks[i] is the text between wildcards i-1 and i.
  const chunks: string[] = [''];
  for (const element of pattern) {
    if (element === 'Wildcard') chunks.push('');
    else chunks[chunks.length - 1] += element.Literal;
  }
  if (chunks.length === 1) {
    const exact = chunks[0] ?? '';
    return (text) => text === exact;
  }
  const prefix = chunks[0] ?? '';
  const suffix = chunks[chunks.length - 1] ?? '';
  const middle = chunks.slice(1, -1).filter((chunk) => chunk !== '');
  const minLength = prefix.length + suffix.length;
  if (middle.length === 0) {
    return (text) => text.length >= minLength && text.startsWith(prefix) && text.endsWith(suffix);
  }
  return (text) => {
    if (text.length < minLength || !text.startsWith(prefix) || !text.endsWith(suffix)) return false;
    const end = text.length - suffix.length;
    let position = prefix.length;
    for (const chunk of middle) {
      const found = text.indexOf(chunk, position);
      if (found < 0 || found + chunk.length > end) return false;
      position = found + chunk.length;
    }
    return true;
  };
}
