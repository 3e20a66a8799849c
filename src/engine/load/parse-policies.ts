// Splits policy files into individual policies with their ids and source locations, collecting
// every problem instead of stopping at the first.
//
// Ids: the `@id("...")` annotation when present, else Cedar's default `policyN`, numbered in text
// order across all files (as if the files were concatenated in the given order).
import { policySetTextToParts, policyToJson, type DetailedError, type PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { ErrorIssue } from '../../errors.js';
import { sourceLocation } from './source-position.js';

export interface ParsedPolicy {
  readonly id: string;
  readonly file: string;
  /** Offset of the policy's first character in its file. */
  readonly offset: number;
  readonly location: string;
  readonly text: string;
  readonly json: PolicyJson;
}

export function issueFromCedarError(file: string, text: string, error: DetailedError, baseOffset = 0): ErrorIssue {
  const start = error.sourceLocations?.[0]?.start;
  const path = start === undefined ? file : sourceLocation(file, text, baseOffset + start);
  const label = error.sourceLocations?.[0]?.label;
  const message = label === null || label === undefined ? error.message : `${error.message} (${label})`;
  return error.help === null ? { path, message } : { path, message, hint: error.help };
}

/**
 * policySetTextToParts returns policies sorted by their default id as a string (`policy0`,
 * `policy1`, `policy10`, `policy2`, …); this puts them back in text order.
 */
function inTextOrder(parts: readonly string[]): string[] {
  const sortedIds = parts.map((_, i) => `policy${i}`).sort();
  const ordered: string[] = new Array<string>(parts.length);
  sortedIds.forEach((id, sortedIndex) => {
    ordered[Number(id.slice('policy'.length))] = parts[sortedIndex] ?? '';
  });
  return ordered;
}

export function parsePolicyFiles(files: readonly { readonly file: string; readonly text: string }[], issues: ErrorIssue[]): ParsedPolicy[] {
  const parsed: ParsedPolicy[] = [];
  const seen = new Map<string, string>();
  let defaultIndex = 0;
  for (const { file, text } of files) {
    const answer = policySetTextToParts(text);
    if (answer.type === 'failure') {
      for (const error of answer.errors) issues.push(issueFromCedarError(file, text, error));
      continue;
    }
    if (answer.policy_templates.length > 0) {
      issues.push({ path: file, message: 'policy templates are not supported yet', hint: 'write static policies' });
    }
    // The parts are verbatim slices of the file, so searching forward from the previous policy finds each one.
    let cursor = 0;
    for (const policyText of inTextOrder(answer.policies)) {
      const found = text.indexOf(policyText, cursor);
      const offset = found === -1 ? cursor : found;
      cursor = found === -1 ? cursor : found + policyText.length;
      const location = sourceLocation(file, text, offset);
      const json = policyToJson(policyText);
      if (json.type === 'failure') {
        for (const error of json.errors) issues.push(issueFromCedarError(file, text, error, offset));
        defaultIndex++;
        continue;
      }
      const id = json.json.annotations?.['id'] ?? `policy${defaultIndex}`;
      defaultIndex++;
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        issues.push({ path: location, message: `duplicate policy id "${id}" (first defined at ${earlier})`, hint: 'give each policy a unique @id' });
        continue;
      }
      seen.set(id, location);
      parsed.push({ id, file, offset, location, text: policyText, json: json.json });
    }
  }
  return parsed;
}
