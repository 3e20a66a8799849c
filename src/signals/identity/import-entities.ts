// Imports a Cedar entity file into the store: parse everything first, then one upsert
// transaction, so a bad file changes nothing (all or nothing, docs/signals.md).
import type { Store } from '../../store/ports.js';
import { parseEntities } from './parse-entities.js';

export interface EntityImportResult {
  /** Entities inserted or replaced. */
  readonly imported: number;
}

export async function importEntities(store: Pick<Store, 'entities'>, text: string, fileName: string): Promise<EntityImportResult> {
  const entities = parseEntities(text, fileName);
  await store.entities.upsertMany(entities);
  return { imported: entities.length };
}
