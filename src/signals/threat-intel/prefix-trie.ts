// A binary prefix trie over address bits: insert a prefix, then collect the values of every
// prefix covering an address in O(prefix length) — at most 32 or 128 steps whatever the number
// of indicators. Nodes live in typed arrays (child indexes) rather than objects: a feed of a
// million /32s makes tens of millions of nodes, and objects would multiply the memory.
import { bitAt } from './ip-prefix.js';

const NONE = 0; // node 0 is the root, so it is never anyone's child: 0 means "no child".

export class PrefixTrie<T> {
  #zero = new Int32Array(1024);
  #one = new Int32Array(1024);
  #nodes = 1;
  readonly #values = new Map<number, T[]>();

  /** Adds `value` under the first `length` bits of `bytes`. */
  insert(bytes: Uint8Array, length: number, value: T): void {
    let node = 0;
    for (let i = 0; i < length; i += 1) {
      const children = bitAt(bytes, i) === 0 ? this.#zero : this.#one;
      let next = children[node] ?? NONE;
      if (next === NONE) {
        next = this.#allocate();
        // #allocate may have replaced the arrays: re-read before writing.
        (bitAt(bytes, i) === 0 ? this.#zero : this.#one)[node] = next;
      }
      node = next;
    }
    const list = this.#values.get(node);
    if (list === undefined) this.#values.set(node, [value]);
    else list.push(value);
  }

  /** Values of every inserted prefix of length ≤ `maxBits` that covers `bytes`, shortest first. */
  collect(bytes: Uint8Array, maxBits: number, out: T[]): void {
    let node = 0;
    for (let i = 0; ; i += 1) {
      const values = this.#values.get(node);
      if (values !== undefined) out.push(...values);
      if (i >= maxBits) return;
      node = (bitAt(bytes, i) === 0 ? this.#zero : this.#one)[node] ?? NONE;
      if (node === NONE) return;
    }
  }

  get nodeCount(): number {
    return this.#nodes;
  }

  #allocate(): number {
    if (this.#nodes === this.#zero.length) {
      const grow = (old: Int32Array): Int32Array<ArrayBuffer> => {
        const bigger = new Int32Array(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.#zero = grow(this.#zero);
      this.#one = grow(this.#one);
    }
    const node = this.#nodes;
    this.#nodes += 1;
    return node;
  }
}
