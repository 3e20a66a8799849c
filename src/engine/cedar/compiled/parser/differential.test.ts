// Differential tests: random policy sets parsed by us and by cedar-wasm (policySetTextToParts +
// policyToJson/templateToJson) must give the same EST; random single-character mutations of them
// must be accepted or rejected alike.

import { describe, expect, it } from 'vitest';
import { isTenetError } from '../../../../errors.js';
import { parsePolicySet } from './index.js';
import { cedarAccepts, cedarParse, oursAsJson } from './test-support/cedar-reference.js';
import { RandomPolicyWriter, seededRandom } from './test-support/random-policy.js';

function compareWithCedar(text: string): void {
  const reference = cedarParse(text);
  if (!reference.ok) throw new Error(`cedar-wasm rejected generated text: ${reference.message}\n${text}`);
  const ours = parsePolicySet(text, 'random.cedar');
  // policySetTextToParts lists policies by id order ("policy10" before "policy2") and prints each
  // policy's own source text, so we match on that text — which also checks our spans.
  const expected = new Map<string, unknown>();
  reference.policyTexts.forEach((policyText, index) => expected.set(`static ${policyText}`, reference.policies[index]));
  reference.templateTexts.forEach((policyText, index) => expected.set(`template ${policyText}`, reference.templates[index]));
  expect(ours).toHaveLength(reference.policies.length + reference.templates.length);
  for (const policy of ours) {
    const key = `${policy.isTemplate ? 'template' : 'static'} ${policy.text}`;
    expect(expected.has(key), key).toBe(true);
    expect(oursAsJson(policy), policy.text).toEqual(expected.get(key));
  }
  expect(ours.map((policy) => policy.id)).toEqual(ours.map((_, index) => `policy${index}`));
}

function oursAccepts(text: string): boolean {
  try {
    parsePolicySet(text);
    return true;
  } catch (error) {
    if (isTenetError(error) && error.code === 'TENET_ERR_POLICY_INVALID') return false;
    throw error;
  }
}

const MUTATION_CHARS = ['(', ')', '[', ']', '{', '}', ';', ',', '.', ':', '"', '\\', '!', '-', '*', '=', '<', '&', '|', '@', '?', 'a', '1', ' ', 'in ', 'if ', '/'];

/** Delete, insert or swap one character (a code point: JavaScript strings with lone surrogates are out of scope). */
function mutate(text: string, random: () => number): string {
  const chars = Array.from(text);
  const at = Math.floor(random() * (chars.length + 1));
  const roll = random();
  if (roll < 0.4) chars.splice(at, 1);
  else if (roll < 0.8) chars.splice(at, 0, MUTATION_CHARS[Math.floor(random() * MUTATION_CHARS.length)]!);
  else chars.splice(at, 2, ...chars.slice(at, at + 2).reverse());
  return chars.join('');
}

// Generous timeouts: nearly all the time is cedar-wasm's, and CI machines are shared (2 cores).
describe('parser against cedar-wasm (random policies)', { timeout: 180_000 }, () => {
  // One writer, continued across the blocks, so the sequence is the same as one long run.
  const writer = new RandomPolicyWriter(seededRandom(20240601));
  for (let block = 0; block < 5; block++) {
    it(`gives the same EST for random policies and templates (block ${block}: 30 sets of 20)`, () => {
      for (let set = 0; set < 30; set++) compareWithCedar(writer.policySet(20));
    });
  }

  it('gives the same EST for deeper expressions', () => {
    const writer = new RandomPolicyWriter(seededRandom(7), 7);
    for (let set = 0; set < 100; set++) compareWithCedar(writer.policySet(4));
  });

  it('accepts and rejects the same single-character mutations', () => {
    const random = seededRandom(99);
    const writer = new RandomPolicyWriter(random, 3);
    const disagreements: string[] = [];
    let rejected = 0;
    for (let index = 0; index < 3000; index++) {
      const text = mutate(writer.policy(), random);
      const cedar = cedarAccepts(text);
      if (!cedar) rejected++;
      if (cedar !== oursAccepts(text)) disagreements.push(`${cedar ? 'cedar accepts' : 'cedar rejects'}: ${text}`);
      else if (cedar) compareWithCedar(text);
    }
    expect(disagreements).toEqual([]);
    expect(rejected).toBeGreaterThan(1000);
  });
});
