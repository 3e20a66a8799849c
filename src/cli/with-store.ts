// Opens the store named by a config file for one CLI command and closes it afterwards.
import { loadConfig } from '../config/load.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/ports.js';
import { runCommand } from './output.js';

export function withStore(configFile: string, body: (store: Store) => Promise<number | void>): Promise<void> {
  return runCommand(async () => {
    const store = await openSqliteStore({ path: loadConfig(configFile).config.store.path });
    try {
      return await body(store);
    } finally {
      await store.close();
    }
  });
}
