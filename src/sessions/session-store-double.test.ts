// The API tests' in-memory store (src/api/testing/memory-store.ts) stands in for SQLite wherever
// login endpoints and the access pipeline are tested over HTTP, so its sessions must keep the port's
// semantics (single use, expiry, revocation rules). This runs the shared session contract on it.
import { memoryStore } from '../api/testing/memory-store.js';
import { sessionContract } from '../store/contract/index.js';

sessionContract(async () => memoryStore());
