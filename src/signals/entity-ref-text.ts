// The textual form of a Cedar entity reference, `Type::"id"` (namespaced: `App::User::"alice"`),
// as written in Cedar policies. Used where a file has one cell for a reference (device owners).
import type { EntityRef } from '../engine/tuple.js';

/** A Cedar entity type name: identifiers joined by `::` (Cedar grammar `Path`). */
export const CEDAR_TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Parses `Type::"id"`. The id is a double-quoted string with JSON escapes (`\"`, `\\`, `\n`,
 * `\uXXXX`); Cedar's `\u{…}` form is not accepted. Returns undefined when `text` is not a reference.
 */
export function parseEntityRefText(text: string): EntityRef | undefined {
  const match = /^(.+?)::(".*")$/s.exec(text.trim());
  if (match === null) return undefined;
  const [, type, quoted] = match;
  if (type === undefined || quoted === undefined || !CEDAR_TYPE_NAME.test(type)) return undefined;
  try {
    const id: unknown = JSON.parse(quoted);
    return typeof id === 'string' ? { type, id } : undefined;
  } catch {
    return undefined;
  }
}

/** Formats a reference as `Type::"id"`. */
export function formatEntityRef(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}
