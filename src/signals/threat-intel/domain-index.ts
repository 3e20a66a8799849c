// Domain indicators by name suffix: one hash map for exact names, one for wildcard bases. A lookup
// of `a.b.evil.example` costs one probe per label (the name itself, then `b.evil.example`,
// `evil.example`, `example` in the wildcard map), whatever the number of indicators — the domain
// counterpart of the IP prefix trie. Names must already be normalised (domain-name.ts).
export class DomainIndex<T> {
  readonly #exact = new Map<string, T[]>();
  readonly #subdomains = new Map<string, T[]>();

  /** Adds `value` under `name`; `wildcard` = it covers the strict subdomains of `name` instead. */
  insert(name: string, wildcard: boolean, value: T): void {
    const map = wildcard ? this.#subdomains : this.#exact;
    const list = map.get(name);
    if (list === undefined) map.set(name, [value]);
    else list.push(value);
  }

  /** Values covering `name`: wildcards from the broadest suffix down, then exact entries. */
  collect(name: string, out: T[]): void {
    const suffixes: string[] = [];
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) suffixes.push(name.slice(dot + 1));
    for (let i = suffixes.length - 1; i >= 0; i -= 1) {
      const values = this.#subdomains.get(suffixes[i] ?? '');
      if (values !== undefined) out.push(...values);
    }
    const exact = this.#exact.get(name);
    if (exact !== undefined) out.push(...exact);
  }
}
