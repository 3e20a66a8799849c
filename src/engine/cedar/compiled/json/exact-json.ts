// A strict JSON reader (RFC 8259) that keeps integers exact: every integer token becomes a
// `bigint`, so Cedar Longs beyond 2^53 survive (JSON.parse would round 9223372036854775807 to
// 9223372036854775808). Numbers with a fraction or exponent stay JS numbers; Cedar has no such
// values and the converters reject them.
//
// Deliberate differences from JSON.parse, matching what Cedar's own (serde_json) reader accepts:
// a repeated key in one object is an error, not "last one wins" (Cedar rejects duplicate record
// keys, and two readers disagreeing on which value counts is a classic smuggling vector); `\u`
// escapes must not leave a lone surrogate; nesting is limited. Objects come back with a null
// prototype so a `__proto__` key is just a key.
import { TenetError } from '../../../../errors.js';

export type ExactJson = null | boolean | bigint | number | string | ExactJson[] | { [key: string]: ExactJson };

/** Deeper documents are refused rather than risking the call stack. */
export const MAX_JSON_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class Reader {
  private position = 0;
  constructor(private readonly text: string) {}

  fail(message: string, at = this.position): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    const where = `${line}:${column}`;
    throw new TenetError('TENET_ERR_REQUEST_INVALID', `invalid JSON at ${where}: ${message}`, [{ path: where, message }]);
  }

  skipWhitespace(): void {
    const text = this.text;
    let i = this.position;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.position = i;
  }

  document(): ExactJson {
    this.skipWhitespace();
    const value = this.value(0, '$');
    this.skipWhitespace();
    if (this.position !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private value(depth: number, path: string): ExactJson {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
    const c = this.text.charCodeAt(this.position);
    switch (c) {
      case 0x7b: // {
        return this.object(depth, path);
      case 0x5b: // [
        return this.array(depth, path);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.word('true', true);
      case 0x66: // f
        return this.word('false', false);
      case 0x6e: // n
        return this.word('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : `unexpected character ${JSON.stringify(this.text[this.position])}`);
    }
  }

  private word<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail(`expected \`${word}\``);
    this.position += word.length;
    return value;
  }

  private number(): bigint | number {
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('malformed number');
    const token = match[0];
    this.position += token.length;
    if (match[1] === undefined && match[2] === undefined) return BigInt(token);
    return Number(token);
  }

  private string(): string {
    const text = this.text;
    const start = ++this.position;
    let i = start;
    // Fast path: no escapes.
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.position = i + 1;
        return text.slice(start, i);
      }
      if (c === 0x5c) break;
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c < 0x20) this.fail('control character in string', i);
      i++;
    }
    let result = text.slice(start, i);
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string', i);
      if (c !== 0x5c) {
        result += text[i];
        i++;
        continue;
      }
      const escape = text[i + 1];
      i += 2;
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          result += escape;
          break;
        case 'b':
          result += '\b';
          break;
        case 'f':
          result += '\f';
          break;
        case 'n':
          result += '\n';
          break;
        case 'r':
          result += '\r';
          break;
        case 't':
          result += '\t';
          break;
        case 'u': {
          const unit = this.hex4(i);
          i += 4;
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone low surrogate in \\u escape', i - 6);
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (text[i] !== '\\' || text[i + 1] !== 'u') this.fail('lone high surrogate in \\u escape', i - 6);
            const low = this.hex4(i + 2);
            if (low < 0xdc00 || low > 0xdfff) this.fail('lone high surrogate in \\u escape', i - 6);
            result += String.fromCharCode(unit, low);
            i += 6;
          } else {
            result += String.fromCharCode(unit);
          }
          break;
        }
        default:
          this.fail(`invalid escape \\${escape ?? ''}`, i - 2);
      }
    }
    this.position = i + 1;
    return result;
  }

  private hex4(at: number): number {
    const digits = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid \\u escape', at - 2);
    return Number.parseInt(digits, 16);
  }

  private array(depth: number, path: string): ExactJson[] {
    this.position++;
    const items: ExactJson[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x5d) {
      this.position++;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value(depth + 1, `${path}[${items.length}]`));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.position++);
      if (c === 0x5d) return items;
      if (c !== 0x2c) this.fail('expected `,` or `]`', this.position - 1);
    }
  }

  private object(depth: number, path: string): { [key: string]: ExactJson } {
    this.position++;
    const result = Object.create(null) as { [key: string]: ExactJson };
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x7d) {
      this.position++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== 0x22) this.fail('expected a string key');
      const keyAt = this.position;
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(result, key)) this.fail(`duplicate key ${JSON.stringify(key)} in ${path}`, keyAt);
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position++) !== 0x3a) this.fail('expected `:`', this.position - 1);
      this.skipWhitespace();
      result[key] = this.value(depth + 1, `${path}.${key}`);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.position++);
      if (c === 0x7d) return result;
      if (c !== 0x2c) this.fail('expected `,` or `}`', this.position - 1);
    }
  }
}

/** Parses JSON text; integers come back as `bigint`. Throws TENET_ERR_REQUEST_INVALID naming line:column. */
export function parseJsonExact(text: string): ExactJson {
  return new Reader(text).document();
}
