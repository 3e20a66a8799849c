// The subset of STIX 2.1 patterning (STIX 2.1 §9) that a network threat list can hold exactly:
// equality on `ipv4-addr:value`, `ipv6-addr:value` and `domain-name:value`, joined by OR inside
// an observation (`[a = 'x' OR b = 'y']`) or between observations (`[a = 'x'] OR [b = 'y']`),
// with parentheses. Each such pattern is the set of its values, so it becomes one indicator per
// value. Everything else — AND, FOLLOWEDBY, other operators (!=, LIKE, MATCHES, IN, ISSUBSET),
// other object paths, qualifiers (WITHIN, REPEATS, START/STOP) — has no list equivalent and is
// refused with the reason, never approximated: reading `[a AND b]` as "a or b" would block too
// much, dropping the qualifier of `REPEATS 5 TIMES` would too.

export type StixValueKind = 'ipv4-addr' | 'ipv6-addr' | 'domain-name';

export interface StixPatternValue {
  readonly kind: StixValueKind;
  readonly value: string;
}

export type StixPatternResult = { readonly ok: true; readonly values: readonly StixPatternValue[] } | { readonly ok: false; readonly reason: string };

const SUPPORTED_PATHS: Readonly<Record<string, StixValueKind>> = {
  'ipv4-addr:value': 'ipv4-addr',
  'ipv6-addr:value': 'ipv6-addr',
  'domain-name:value': 'domain-name',
};

const MAX_PATTERN_LENGTH = 64 * 1024;

type Token = { readonly kind: 'punct'; readonly text: '[' | ']' | '(' | ')' } | { readonly kind: 'string'; readonly text: string } | { readonly kind: 'word'; readonly text: string };

class Unsupported extends Error {}

/** Parses `pattern`; `ok: false` carries why it is not supported (or not valid). */
export function parseStixPattern(pattern: string): StixPatternResult {
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `pattern longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    const tokens = tokenize(pattern);
    const parser = new Parser(tokens);
    const values = parser.pattern();
    parser.end();
    return { ok: true, values };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: error.message };
    throw error;
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '[' || c === ']' || c === '(' || c === ')') {
      tokens.push({ kind: 'punct', text: c });
      i += 1;
    } else if (c === "'") {
      // STIX string literals escape only \' and \\ (§9.3).
      let text = '';
      i += 1;
      for (;;) {
        const d = pattern[i];
        if (d === undefined) throw new Unsupported('unterminated string literal');
        if (d === "'") break;
        if (d === '\\') {
          const e = pattern[i + 1];
          if (e !== "'" && e !== '\\') throw new Unsupported(`invalid escape "\\${e ?? ''}" in a string literal`);
          text += e;
          i += 2;
        } else {
          text += d;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', text });
    } else {
      // Words: object paths, keywords, operators and non-string literals (t'…', h'…', numbers).
      const match = /^(?:[A-Za-z0-9_\-:.*]+|!=|<=|>=|=|<|>)/.exec(pattern.slice(i));
      if (match === null) throw new Unsupported(`unexpected character "${c}"`);
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

class Parser {
  #at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** pattern := observation ('OR' observation)* */
  pattern(): StixPatternValue[] {
    const values = this.observation();
    while (this.#isWord('OR')) {
      this.#at += 1;
      values.push(...this.observation());
    }
    this.#refuseJoins();
    return values;
  }

  end(): void {
    const next = this.tokens[this.#at];
    if (next !== undefined) throw new Unsupported(describeUnexpected(next));
  }

  /** observation := '[' comparison ']' | '(' pattern ')' — then no qualifier. */
  observation(): StixPatternValue[] {
    const next = this.tokens[this.#at];
    let values: StixPatternValue[];
    if (next?.kind === 'punct' && next.text === '[') {
      this.#at += 1;
      values = this.comparison();
      this.#expect(']');
    } else if (next?.kind === 'punct' && next.text === '(') {
      this.#at += 1;
      values = this.pattern();
      this.#expect(')');
    } else {
      throw new Unsupported(next === undefined ? 'pattern ends where an observation ("[…]") was expected' : `expected "[" but found ${describe(next)}`);
    }
    const qualifier = this.tokens[this.#at];
    if (qualifier?.kind === 'word' && ['WITHIN', 'REPEATS', 'START'].includes(qualifier.text)) {
      throw new Unsupported(`the ${qualifier.text} qualifier has no threat-list equivalent`);
    }
    return values;
  }

  /** comparison := term ('OR' term)* */
  comparison(): StixPatternValue[] {
    const values = this.term();
    while (this.#isWord('OR')) {
      this.#at += 1;
      values.push(...this.term());
    }
    this.#refuseJoins();
    return values;
  }

  /** term := path '=' string | '(' comparison ')' */
  term(): StixPatternValue[] {
    const next = this.tokens[this.#at];
    if (next?.kind === 'punct' && next.text === '(') {
      this.#at += 1;
      const values = this.comparison();
      this.#expect(')');
      return values;
    }
    if (next?.kind !== 'word') throw new Unsupported(next === undefined ? 'comparison expected' : `expected a comparison but found ${describe(next)}`);
    if (next.text === 'NOT') throw new Unsupported('negated comparisons (NOT) are not supported');
    const kind = SUPPORTED_PATHS[next.text];
    if (kind === undefined) throw new Unsupported(`object path "${next.text.slice(0, 80)}" is not supported (only ipv4-addr:value, ipv6-addr:value, domain-name:value)`);
    this.#at += 1;
    const operator = this.tokens[this.#at];
    if (operator?.kind !== 'word' || operator.text !== '=') {
      throw new Unsupported(`operator ${operator === undefined ? '(none)' : describe(operator)} is not supported (only "=")`);
    }
    this.#at += 1;
    const literal = this.tokens[this.#at];
    if (literal?.kind !== 'string') throw new Unsupported(`expected a string literal after "=" but found ${literal === undefined ? 'the end' : describe(literal)}`);
    this.#at += 1;
    return [{ kind, value: literal.text }];
  }

  #refuseJoins(): void {
    const next = this.tokens[this.#at];
    if (next?.kind === 'word' && (next.text === 'AND' || next.text === 'FOLLOWEDBY')) {
      throw new Unsupported(`${next.text} has no threat-list equivalent (a list entry matches on its own)`);
    }
  }

  #isWord(text: string): boolean {
    const next = this.tokens[this.#at];
    return next?.kind === 'word' && next.text === text;
  }

  #expect(text: ']' | ')'): void {
    const next = this.tokens[this.#at];
    if (next?.kind !== 'punct' || next.text !== text) throw new Unsupported(`expected "${text}" but found ${next === undefined ? 'the end' : describe(next)}`);
    this.#at += 1;
  }
}

function describe(token: Token): string {
  return token.kind === 'string' ? 'a string literal' : `"${token.text.slice(0, 40)}"`;
}

function describeUnexpected(token: Token): string {
  if (token.kind === 'word' && ['WITHIN', 'REPEATS', 'START'].includes(token.text)) return `the ${token.text} qualifier has no threat-list equivalent`;
  return `unexpected ${describe(token)}`;
}
