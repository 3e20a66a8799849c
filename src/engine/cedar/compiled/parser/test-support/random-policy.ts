// A seeded generator of random Cedar policy text for the parser's differential tests. It walks
// Cedar's grammar (Expr → Or → And → Relation → Add → Mult → Unary → Member → Primary) so that
// its output is syntactically valid, and varies everything the parser has to get right: layout
// and comments between tokens, string escapes and Unicode, patterns, namespaced names, reserved
// words where they are allowed, unary chains, extension calls, templates and annotations.
// Integer literals stay within ±2^53 so that cedar-wasm's JSON (JS doubles) is exact.

export { seededRandom } from '../../../../../testing/seeded-random.js';

const PLAIN_NAMES = ['a', 'b', 'name', 'x1', '_', '_tmp', 'level', 'Tags', 'principal', 'action', 'resource', 'context', 'permit', 'forbid', 'when', 'unless', '__cedar_x', 'ip', 'contains', 'isEmpty'];
/** Valid only quoted (`e["if"]`, `{"if": …}`, `has "if"`). */
const RESERVED_NAMES = ['if', 'then', 'else', 'true', 'false', 'in', 'is', 'like', 'has', '__cedar'];
const TYPE_NAMES = ['User', 'Group', 'Photo', 'principal', 'permit', 'A', 'A::B', 'A::B::C', 'Ns::User', 'context'];
const ACTION_TYPES = ['Action', 'Ns::Action', 'A::B::Action'];
const ANNOTATION_KEYS = ['advice', 'if', 'true', 'when', 'principal', '__cedar', 'x', 'Reason', 'a_b'];
const STRING_CHARS = ['a', 'b', 'Z', ' ', '0', '*', '"', '\\', '\n', '\t', '\0', "'", 'é', '中', '😀', '\u2028', '/', '/'];
const VARIABLES = ['principal', 'action', 'resource', 'context'];

export class RandomPolicyWriter {
  constructor(
    private readonly random: () => number,
    private readonly maxDepth = 4,
  ) {}

  private chance(probability: number): boolean {
    return this.random() < probability;
  }

  private integer(limit: number): number {
    return Math.floor(this.random() * limit);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.integer(items.length)]!;
  }

  /** Layout between tokens: mostly a space, sometimes nothing, newlines, tabs or a comment. */
  private gap(required = false): string {
    const roll = this.random();
    if (roll < 0.55) return ' ';
    if (roll < 0.75) return required ? ' ' : '';
    if (roll < 0.85) return '\n  ';
    if (roll < 0.92) return '\t';
    if (roll < 0.97) return ' // note: "quoted" ; { } \\ \n';
    return '\r\n';
  }

  policySet(count: number): string {
    const policies: string[] = [];
    for (let index = 0; index < count; index++) policies.push(this.policy());
    return policies.join(this.chance(0.5) ? '\n' : this.gap(true));
  }

  policy(): string {
    const template = this.chance(0.15);
    let text = this.annotations();
    text += `${this.pick(['permit', 'forbid'])}${this.gap()}(${this.gap()}`;
    text += `${this.principalOrResource('principal', template && this.chance(0.7))},${this.gap()}`;
    text += `${this.actionScope()},${this.gap()}`;
    text += this.principalOrResource('resource', template && this.chance(0.5));
    text += `${this.chance(0.05) ? ',' : ''}${this.gap()})`;
    const conditions = this.integer(3);
    for (let index = 0; index < conditions; index++) {
      text += `${this.gap()}${this.pick(['when', 'unless'])}${this.gap()}{${this.gap()}${this.expr(0)}${this.gap()}}`;
    }
    return `${text}${this.gap()};`;
  }

  private annotations(): string {
    const keys = new Set<string>();
    const count = this.chance(0.3) ? 1 + this.integer(3) : 0;
    let text = '';
    for (let index = 0; index < count; index++) {
      const key = this.pick(ANNOTATION_KEYS);
      if (keys.has(key)) continue;
      keys.add(key);
      text += `@${key}${this.chance(0.8) ? `(${this.gap()}${this.stringLiteral()}${this.gap()})` : ''}${this.gap(true)}`;
    }
    return text;
  }

  private principalOrResource(variable: 'principal' | 'resource', slot: boolean): string {
    const target = (): string => (slot ? `?${variable}` : this.entity());
    switch (this.integer(5)) {
      case 0:
        return variable;
      case 1:
        return `${variable}${this.gap()}==${this.gap()}${target()}`;
      case 2:
        return `${variable}${this.gap(true)}in${this.gap(true)}${target()}`;
      case 3:
        return `${variable}${this.gap(true)}is${this.gap(true)}${this.pick(TYPE_NAMES)}`;
      default:
        return `${variable}${this.gap(true)}is${this.gap(true)}${this.pick(TYPE_NAMES)}${this.gap(true)}in${this.gap(true)}${target()}`;
    }
  }

  private actionScope(): string {
    const action = (): string => this.entity(this.pick(ACTION_TYPES));
    switch (this.integer(4)) {
      case 0:
        return 'action';
      case 1:
        return `action${this.gap()}==${this.gap()}${action()}`;
      case 2:
        return `action${this.gap(true)}in${this.gap(true)}${action()}`;
      default: {
        const items = Array.from({ length: this.integer(4) }, action);
        return `action${this.gap(true)}in${this.gap(true)}[${items.join(`,${this.gap()}`)}]`;
      }
    }
  }

  expr(depth: number): string {
    if (depth < this.maxDepth && this.chance(0.08)) {
      return `if${this.gap(true)}${this.expr(depth + 1)}${this.gap(true)}then${this.gap(true)}${this.expr(depth + 1)}${this.gap(true)}else${this.gap(true)}${this.expr(depth + 1)}`;
    }
    return this.chain(depth, ['||'], () => this.chain(depth, ['&&'], () => this.relation(depth)));
  }

  private chain(depth: number, operators: readonly string[], operand: () => string): string {
    let text = operand();
    const extra = depth < this.maxDepth && this.chance(0.15) ? 1 + this.integer(2) : 0;
    for (let index = 0; index < extra; index++) text += `${this.gap()}${this.pick(operators)}${this.gap()}${operand()}`;
    return text;
  }

  private relation(depth: number): string {
    const left = this.add(depth);
    const roll = this.random();
    if (roll < 0.45) return left;
    if (roll < 0.7) return `${left}${this.gap()}${this.pick(['==', '!=', '<', '<=', '>', '>='])}${this.gap()}${this.add(depth)}`;
    if (roll < 0.78) return `${left}${this.gap(true)}in${this.gap(true)}${this.add(depth)}`;
    if (roll < 0.86) return `${left}${this.gap(true)}has${this.gap(true)}${this.hasTarget()}`;
    if (roll < 0.93) return `${left}${this.gap(true)}like${this.gap(true)}${this.pattern()}`;
    const type = this.pick(TYPE_NAMES);
    return `${left}${this.gap(true)}is${this.gap(true)}${type}${this.chance(0.5) ? `${this.gap(true)}in${this.gap(true)}${this.add(depth)}` : ''}`;
  }

  private hasTarget(): string {
    const roll = this.random();
    if (roll < 0.3) return this.stringLiteral(this.pick([...PLAIN_NAMES, ...RESERVED_NAMES]));
    const length = roll < 0.7 ? 1 : 2 + this.integer(3);
    return Array.from({ length }, () => this.pick(PLAIN_NAMES)).join(`${this.gap()}.${this.gap()}`);
  }

  private add(depth: number): string {
    return this.chain(depth, ['+', '-'], () => this.chain(depth, ['*'], () => this.unary(depth)));
  }

  private unary(depth: number): string {
    const roll = this.random();
    const repeat = 1 + this.integer(4);
    const gap = (): string => (this.chance(0.5) ? '' : this.gap());
    const operators = (op: string): string => Array.from({ length: repeat }, () => op + gap()).join('');
    if (roll < 0.1) return `${operators('!')}${this.member(depth)}`;
    if (roll < 0.25) return `${operators('-')}${this.member(depth)}`;
    return this.member(depth);
  }

  private member(depth: number): string {
    let text = this.primary(depth);
    const accesses = this.chance(0.25) ? 1 + this.integer(2) : 0;
    for (let index = 0; index < accesses; index++) {
      const roll = this.random();
      if (roll < 0.4) text += `${this.gap()}.${this.gap()}${this.pick(PLAIN_NAMES)}`;
      else if (roll < 0.6) text += `${this.gap()}[${this.gap()}${this.stringLiteral(this.pick([...PLAIN_NAMES, ...RESERVED_NAMES]))}${this.gap()}]`;
      else text += this.methodCall(depth);
    }
    return text;
  }

  private methodCall(depth: number): string {
    const roll = this.random();
    if (roll < 0.5) {
      const method = this.pick(['contains', 'containsAll', 'containsAny', 'getTag', 'hasTag']);
      return `.${method}(${this.gap()}${this.expr(depth + 1)}${this.gap()})`;
    }
    if (roll < 0.6) return `.isEmpty(${this.gap()})`;
    const method = this.pick(['isIpv4', 'isInRange', 'lessThan', 'greaterThanOrEqual', 'offset', 'toDays', 'durationSince', 'toTime']);
    return `.${method}(${this.args(depth, 2)})`;
  }

  private args(depth: number, max: number): string {
    const items = Array.from({ length: this.integer(max + 1) }, () => this.expr(depth + 1));
    const trailing = items.length > 0 && this.chance(0.1) ? ',' : '';
    return `${this.gap()}${items.join(`,${this.gap()}`)}${trailing}${this.gap()}`;
  }

  private primary(depth: number): string {
    // Nest less the deeper we are, so that expressions stay a few hundred characters long.
    const nested = depth < this.maxDepth && this.chance(1 / (1 + depth));
    const roll = this.random();
    if (roll < 0.15) return this.integerLiteral();
    if (roll < 0.25) return this.stringLiteral();
    if (roll < 0.3) return this.pick(['true', 'false']);
    if (roll < 0.5) return this.pick(VARIABLES);
    if (roll < 0.6) return this.entity();
    if (!nested) return this.pick(VARIABLES);
    if (roll < 0.7) return `(${this.gap()}${this.expr(depth + 1)}${this.gap()})`;
    if (roll < 0.8) return `[${this.args(depth, 3)}]`;
    if (roll < 0.9) return this.record(depth);
    return `${this.pick(['ip', 'decimal', 'datetime', 'duration'])}(${this.gap()}${this.stringLiteral()}${this.gap()})`;
  }

  private record(depth: number): string {
    const keys = new Set<string>();
    const fields: string[] = [];
    for (let index = this.integer(4); index > 0; index--) {
      const quoted = this.chance(0.4);
      const key = this.pick(quoted ? [...PLAIN_NAMES, ...RESERVED_NAMES, 'with space', ''] : PLAIN_NAMES);
      if (keys.has(key)) continue;
      keys.add(key);
      fields.push(`${quoted ? this.stringLiteral(key) : key}${this.gap()}:${this.gap()}${this.expr(depth + 1)}`);
    }
    return `{${this.gap()}${fields.join(`,${this.gap()}`)}${this.gap()}}`;
  }

  private integerLiteral(): string {
    const roll = this.random();
    if (roll < 0.6) return String(this.integer(100));
    if (roll < 0.9) return String(this.integer(2 ** 31));
    return String(Math.floor(this.random() * 2 ** 53));
  }

  private entity(type = this.pick(TYPE_NAMES)): string {
    return `${type.split('::').join(`${this.chance(0.1) ? ' ' : ''}::`)}::${this.stringLiteral()}`;
  }

  /** A string literal with the given value (random when omitted), each character escaped one of the legal ways. */
  stringLiteral(value?: string): string {
    const chars = value === undefined ? Array.from({ length: this.integer(6) }, () => this.pick(STRING_CHARS)) : [...value];
    return `"${chars.map((char) => this.escapeChar(char, false)).join('')}"`;
  }

  private pattern(): string {
    const parts = Array.from({ length: this.integer(6) }, () => (this.chance(0.3) ? '*' : this.escapeChar(this.pick(STRING_CHARS), true)));
    return `"${parts.join('')}"`;
  }

  private escapeChar(char: string, inPattern: boolean): string {
    const codePoint = char.codePointAt(0)!;
    const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\0': '\\0', '\\': '\\\\', '"': '\\"', "'": "\\'", '\r': '\\r' };
    const roll = this.random();
    if (char === '*' && inPattern) return '\\*';
    if (roll < 0.15) return `\\u{${codePoint.toString(16)}}`;
    if (roll < 0.25 && codePoint <= 0x7f) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
    const escape = named[char];
    if (escape !== undefined && (char === '"' || char === '\\' || char === '\r' || this.chance(0.7))) return escape;
    return char;
  }
}
