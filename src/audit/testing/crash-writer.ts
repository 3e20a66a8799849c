// Child process for the crash-safety test (src/audit/crash.test.ts): records decisions into a
// file database as fast as it can and prints `ack <decisionId>` for each one whose record()
// resolved, until it is killed. Usage: node --import tsx crash-writer.ts <db-path>
// The signing key comes from TENET_TEST_AUDIT_KEY (PKCS#8 PEM) so the parent can verify.
import { AuditLog } from '../decision-log.js';
import { auditKeyFromPem } from '../signing-key.js';
import { openAuditTestDb } from './audit-db.js';
import { sampleEntry } from './fixtures.js';

const path = process.argv[2];
const pem = process.env.TENET_TEST_AUDIT_KEY;
if (path === undefined || pem === undefined) {
  console.error('usage: TENET_TEST_AUDIT_KEY=<pem> crash-writer.ts <db-path>');
  process.exit(2);
}

const { store } = openAuditTestDb(path);
const log = await AuditLog.open({ store, signingKey: auditKeyFromPem(pem, 'TENET_TEST_AUDIT_KEY'), checkpointEvery: 50 });
console.log('ready');
for (let n = 1; ; n += 16) {
  // 16 concurrent decisions per round, so group commit is exercised when the kill lands.
  const entries = Array.from({ length: 16 }, (_, i) => sampleEntry(n + i));
  await Promise.all(
    entries.map(async (entry) => {
      await log.record(entry);
      // Linux pipes are written synchronously: once this returns, the parent can see the ack.
      process.stdout.write(`ack ${entry.decision.id}\n`);
    }),
  );
}
