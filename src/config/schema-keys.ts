// Walks the config schema: the keys allowed at a path (for "did you mean" hints) and the flat
// reference of every key with its type, default and description (`tenet config reference`,
// docs/configuration.md). Reading zod's definition objects keeps the schema the single source.
import type { z } from 'zod';

type AnySchema = z.core.$ZodType;

interface Definition {
  readonly type: string;
  readonly innerType?: AnySchema;
  readonly shape?: Record<string, AnySchema>;
  readonly element?: AnySchema;
  readonly valueType?: AnySchema;
  readonly options?: readonly AnySchema[];
  readonly entries?: Record<string, string>;
  readonly values?: readonly unknown[];
  readonly defaultValue?: unknown;
}

function definition(schema: AnySchema): Definition {
  return (schema as unknown as { _zod: { def: Definition } })._zod.def;
}

function description(schema: AnySchema): string | undefined {
  return (schema as unknown as { description?: string }).description;
}

/** Strips default/optional/pipe wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = definition(current);
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) current = def.innerType;
    else return current;
  }
}

export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let current: AnySchema | undefined = unwrap(schema);
  for (const part of path) {
    if (!current) return [];
    const def = definition(current);
    if (def.type === 'object' && def.shape && typeof part === 'string') current = def.shape[part];
    else if (def.type === 'array' && def.element) current = def.element;
    else if (def.type === 'record' && def.valueType) current = def.valueType;
    else return [];
    current = current ? unwrap(current) : undefined;
  }
  if (!current) return [];
  const def = definition(current);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** The known key closest to `key` by edit distance, when it is close enough to be a typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

export interface ReferenceEntry {
  readonly key: string;
  readonly type: string;
  readonly defaultValue?: string;
  readonly description: string;
}

/** Every key of the schema, depth first, with `[]` marking list items. */
export function configReference(schema: AnySchema, prefix = ''): ReferenceEntry[] {
  const entries: ReferenceEntry[] = [];
  const def = definition(unwrap(schema));
  if (def.type !== 'object' || !def.shape) return entries;
  for (const [name, child] of Object.entries(def.shape)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const inner = unwrap(child);
    const innerDef = definition(inner);
    const fallback = defaultOf(child);
    const entry: ReferenceEntry = {
      key,
      type: typeName(inner),
      description: description(child) ?? description(inner) ?? '',
      ...(fallback === undefined ? {} : { defaultValue: fallback }),
    };
    entries.push(entry);
    if (innerDef.type === 'object') entries.push(...configReference(inner, key));
    if (innerDef.type === 'array' && innerDef.element && definition(unwrap(innerDef.element)).type === 'object') {
      entries.push(...configReference(innerDef.element, `${key}[]`));
    }
  }
  return entries;
}

function defaultOf(schema: AnySchema): string | undefined {
  const def = definition(schema);
  if (def.type !== 'default') return undefined;
  const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return undefined; // nested keys list their own defaults
  return JSON.stringify(value);
}

function typeName(schema: AnySchema): string {
  const def = definition(schema);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries ?? {}).join(' | ');
    case 'literal':
      return (def.values ?? []).map((value) => JSON.stringify(value)).join(' | ');
    case 'array':
      return def.element ? `list of ${typeName(unwrap(def.element))}` : 'list';
    case 'record':
      return 'map';
    case 'object':
      return 'section';
    case 'union':
      return (def.options ?? []).map((option) => typeName(unwrap(option))).join(' | ');
    default:
      return def.type;
  }
}
