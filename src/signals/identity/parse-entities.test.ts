// Tests for parseEntities: the Cedar entity format, and the all-or-nothing error report.
import { describe, expect, it } from 'vitest';
import type { TenetError } from '../../errors.js';
import { IMPORT_LIMITS } from '../limits.js';
import { parseEntities } from './parse-entities.js';

function failure(text: string): TenetError {
  try {
    parseEntities(text, 'entities.json');
  } catch (error) {
    return error as TenetError;
  }
  throw new Error('expected parseEntities to throw');
}

function messages(text: string): string[] {
  return failure(text).issues.map((i) => `${i.path}: ${i.message}`);
}

describe('parseEntities', () => {
  it('parses the standard format, accepting __entity-wrapped references', () => {
    const text = JSON.stringify([
      { uid: { type: 'User', id: 'alice' }, attrs: { level: 3, tags: ['a'], manager: { __entity: { type: 'User', id: 'bob' } } }, parents: [{ __entity: { type: 'Group', id: 'eng' } }] },
      { uid: { __entity: { type: 'App::Route', id: 'wiki' } }, attrs: {}, parents: [], tags: { owner: 'ops' } },
    ]);
    expect(parseEntities(text, 'entities.json')).toEqual([
      { uid: { type: 'User', id: 'alice' }, attrs: { level: 3, tags: ['a'], manager: { __entity: { type: 'User', id: 'bob' } } }, parents: [{ type: 'Group', id: 'eng' }] },
      { uid: { type: 'App::Route', id: 'wiki' }, attrs: {}, parents: [], tags: { owner: 'ops' } },
    ]);
  });

  it('defaults missing attrs and parents, and leaves tags absent', () => {
    const [entity] = parseEntities('[{"uid": {"type": "Group", "id": "eng"}}]', 'e.json');
    expect(entity).toEqual({ uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [] });
    expect(entity !== undefined && 'tags' in entity).toBe(false);
  });

  it('accepts a UTF-8 BOM and CRLF line ends', () => {
    expect(parseEntities('\uFEFF[\r\n{"uid": {"type": "User", "id": "a"}}\r\n]\r\n', 'e.json')).toHaveLength(1);
  });

  it('names the path of a wrong type', () => {
    const text = JSON.stringify([{ uid: { type: 'User', id: 'a' } }, { uid: { type: 'User', id: 'b' } }, { uid: { type: 'User', id: 'c' } }, { uid: { type: 'User', id: 7 } }]);
    expect(messages(text)).toEqual(['[3].uid.id: expected string, received number']);
  });

  it('reports every bad element at once, not just the first', () => {
    const text = JSON.stringify([
      { uid: { type: 'User', id: 'ok' } },
      { uid: { type: 'not a type', id: 'x' } },
      { uid: { type: 'User' } },
      { uid: { type: 'User', id: 'y' }, attrs: { score: 1.5, nothing: null, deep: { list: [1, 2.5] } } },
      { uid: { type: 'User', id: 'z' }, extra: true },
      { uid: { type: 'User', id: 'w' }, parents: ['Group::"eng"'] },
    ]);
    const error = failure(text);
    expect(error.code).toBe('TENET_ERR_IMPORT_INVALID');
    expect(error.message).toMatch(/^entities\.json: 7 problems; nothing was imported\. First: \[1\]\.uid\.type: not a Cedar entity type name/);
    expect(error.issues.map((i) => i.path)).toEqual(['[1].uid.type', '[2].uid.id', '[3].attrs.score', '[3].attrs.nothing', '[3].attrs.deep.list[1]', '[4]', '[5].parents[0]']);
    expect(error.issues[2]?.message).toMatch(/__extn/);
    expect(error.issues[5]?.message).toMatch(/extra/);
  });

  it('rejects duplicate entities within a file, naming both positions', () => {
    const text = JSON.stringify([{ uid: { type: 'User', id: 'a' } }, { uid: { type: 'Group', id: 'a' } }, { uid: { __entity: { type: 'User', id: 'a' } } }]);
    expect(messages(text)).toEqual(['[2].uid: duplicate entity User::"a", first defined at [0]']);
  });

  it('reports malformed JSON with line and column where the parser gives a position', () => {
    const error = failure('[\n  {"uid": {"type": "User", "id" "a"}}\n]');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: 'entities.json:2:33', message: 'not valid JSON: Unexpected string in JSON at position 34' });
    const trailing = failure('[\n  {"uid": {"type": "User", "id": "a"}},\n]');
    expect(trailing.issues[0]).toMatchObject({ message: "not valid JSON: Unexpected token ']'", hint: expect.stringMatching(/trailing commas/) });
    expect(failure('').issues[0]?.message).toMatch(/Unexpected end/);
  });

  it('rejects a top level that is not an array', () => {
    expect(messages('{"uid": {"type": "User", "id": "a"}}')).toEqual(['(root): expected an array of entities']);
    expect(messages('null')).toEqual(['(root): expected an array of entities']);
  });

  it('bounds oversized ids, strings, nesting and file size', () => {
    const hugeId = 'x'.repeat(IMPORT_LIMITS.maxIdLength + 1);
    const hugeString = 'y'.repeat(IMPORT_LIMITS.maxStringLength + 1);
    // Built as text: JSON.stringify itself would overflow the stack on 100 000 levels.
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const text = `[{"uid": {"type": "User", "id": "${hugeId}"}}, {"uid": {"type": "User", "id": "b"}, "attrs": {"s": "${hugeString}", "deep": ${deep}}}]`;
    const error = failure(text);
    expect(error.issues.map((i) => i.path)).toEqual(['[0].uid.id', '[1].attrs.s', `[1].attrs.deep${'[0]'.repeat(IMPORT_LIMITS.maxValueDepth)}`]);
    expect(failure(' '.repeat(IMPORT_LIMITS.maxTextLength + 1)).issues[0]?.message).toMatch(/over the limit/);
  });

  it('quotes odd attribute names in paths', () => {
    expect(messages(JSON.stringify([{ uid: { type: 'User', id: 'a' }, attrs: { 'odd key': null } }]))).toEqual(['[0].attrs["odd key"]: null is not a Cedar value; omit the attribute instead']);
  });
});
