// A bounded LRU of policy-set slices preparsed into cedar-wasm. Preparsed sets live in the wasm
// module's thread-local storage under a name, and cedar-wasm offers no way to drop one, so names
// are a fixed pool of slots: evicting an entry frees its slot, and the next slice preparsed into
// it replaces the old content. Memory therefore stays bounded across any number of reloads, and
// two loaded policy sets coexist (their keys differ) until the old one is dropped.
import { preparsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import { TenetError } from '../../errors.js';

const CAPACITY = 256;

/** cache key → slot name; Map iteration order is the recency order (oldest first). */
const slotsByKey = new Map<string, string>();
const freeSlots: string[] = [];
let slotsCreated = 0;

function takeSlot(): string {
  const free = freeSlots.pop();
  if (free !== undefined) return free;
  if (slotsCreated < CAPACITY) return `tenet-slice-${slotsCreated++}`;
  const oldest = slotsByKey.keys().next();
  if (oldest.done === true) throw new Error('INVARIANT violated: a full slot pool has entries');
  const slot = slotsByKey.get(oldest.value);
  slotsByKey.delete(oldest.value);
  if (slot === undefined) throw new Error('INVARIANT violated: cached key without slot');
  return slot;
}

/**
 * The preparsed-set name holding the slice `key`, preparsing `policies()` on a miss.
 * `key` must identify the policy texts exactly (load id + sorted policy ids).
 */
export function preparedSlice(key: string, policies: () => Record<string, string>): string {
  const hit = slotsByKey.get(key);
  if (hit !== undefined) {
    slotsByKey.delete(key);
    slotsByKey.set(key, hit);
    return hit;
  }
  const slot = takeSlot();
  const answer = preparsePolicySet(slot, { staticPolicies: policies() });
  if (answer.type === 'failure') {
    freeSlots.push(slot);
    throw new TenetError('TENET_ERR_ENGINE_PREPARSE', `cedar-wasm could not preparse a policy slice: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  slotsByKey.set(key, slot);
  return slot;
}
