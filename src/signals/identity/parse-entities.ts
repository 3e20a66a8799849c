// Parses a Cedar entity JSON file into validated entities, all or nothing: every bad element and
// every duplicate is reported with its path (`[3].uid.id: expected string`), and nothing is
// returned unless the whole file is good.
import type { ErrorIssue } from '../../errors.js';
import type { CedarEntity } from '../../engine/signals.js';
import { formatEntityRef } from '../entity-ref-text.js';
import { formatJsonPath, importInvalid, plainZodMessage } from '../import-error.js';
import { parseJsonText } from '../json-text.js';
import { cedarEntitySchema } from './entity-schema.js';

/** Parses `text` (Cedar entity JSON). Throws TenetError TENET_ERR_IMPORT_INVALID listing every problem. */
export function parseEntities(text: string, fileName: string): CedarEntity[] {
  const json = parseJsonText(text, fileName);
  if (!json.ok) throw importInvalid(fileName, [json.issue]);
  if (!Array.isArray(json.value)) {
    throw importInvalid(fileName, [{ path: '(root)', message: 'expected an array of entities', hint: 'Cedar entity files are a JSON array: [{"uid": {...}, "attrs": {...}, "parents": [...]}]' }]);
  }

  const issues: ErrorIssue[] = [];
  const entities: CedarEntity[] = [];
  const firstIndexByKey = new Map<string, number>();

  json.value.forEach((element: unknown, index) => {
    const parsed = cedarEntitySchema.safeParse(element);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: formatJsonPath([index, ...issue.path]), message: plainZodMessage(issue.message) });
      return;
    }
    const { uid, attrs, parents, tags } = parsed.data;
    const key = formatEntityRef(uid);
    const first = firstIndexByKey.get(key);
    if (first !== undefined) {
      issues.push({ path: `[${index}].uid`, message: `duplicate entity ${key}, first defined at [${first}]`, hint: 'each entity may appear once per file; merge the two entries' });
      return;
    }
    firstIndexByKey.set(key, index);
    entities.push(tags === undefined ? { uid, attrs, parents } : { uid, attrs, parents, tags });
  });

  if (issues.length > 0) throw importInvalid(fileName, issues);
  return entities;
}
