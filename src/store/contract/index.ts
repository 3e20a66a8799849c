// The store contract suite: every Store adapter (SQLite, PostgreSQL, …) runs these same tests, so
// the rest of Tenet can rely on the port semantics rather than on one implementation (the model
// is hono's shared router tests). Usage in an adapter's test file:
//   runStoreContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));
import { afterEach, describe } from 'vitest';
import type { Store } from '../ports.js';
import { apiTokenContract } from './api-tokens.contract.js';
import { runAuditStoreContract } from './audit.contract.js';
import { deviceIdentityContract } from './device-identity.contract.js';
import { deviceContract } from './devices.contract.js';
import { entityContract } from './entities.contract.js';
import type { OpenStore } from './harness.js';
import { lifecycleContract } from './lifecycle.contract.js';
import { passkeyContract } from './passkeys.contract.js';
import { sessionContract } from './sessions.contract.js';
import { settingsContract } from './settings.contract.js';
import { subjectSignalContract } from './subject-signals.contract.js';
import { ssfTransmitterContract } from './ssf-transmitter.contract.js';
import { ssfReceiverContract } from './ssf-receiver.contract.js';
import { threatContract } from './threats.contract.js';

export type { OpenStore } from './harness.js';
export { sessionContract } from './sessions.contract.js';
export { passkeyContract } from './passkeys.contract.js';

/** Registers the contract tests for one adapter. `open` must return a new, empty store on every call. */
export function runStoreContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    entityContract(open);
    deviceContract(open);
    deviceIdentityContract(open);
    threatContract(open);
    apiTokenContract(open);
    settingsContract(open);
    sessionContract(open);
    passkeyContract(open);
    subjectSignalContract(open);
    ssfTransmitterContract(open);
    ssfReceiverContract(open);
    lifecycleContract(open);
    describe('audit', () => {
      // The audit suite (owned by src/audit) opens stores without closing them; close them here.
      const opened: Store[] = [];
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((store) => store.close()));
      });
      runAuditStoreContract(async () => {
        const store = await open();
        opened.push(store);
        return store.audit;
      });
    });
  });
}
