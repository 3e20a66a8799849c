// The decision log (NIST SP 800-207 activity logs): hash-chained records, signed checkpoints,
// verification and export. The composition root wires an AuditLog onto the store's AuditStore.
export type { DecisionLog, DecisionLogEntry } from './entry.js';
export type { AuditBody, AuditCheckpoint, AuditOutcome, AuditPage, AuditQuery, AuditRecord } from './record.js';
export { AUDIT_BODY_VERSION, AUDIT_QUERY_MAX_LIMIT } from './record.js';
export { AuditLog, AUDIT_LOG_DEFAULTS, type AuditLogCounters, type AuditLogOptions } from './decision-log.js';
export { GENESIS_HASH, computeRecordHash, recordContent, sealRecord, type ChainHead } from './chain.js';
export { buildRecordFields, entityKey, type RecordFields } from './build.js';
export { buildAuditBody, parseAuditBody } from './body.js';
export { REDACTED, isSecretName, redactRequest, redactValue } from './redact.js';
export { checkpointStatement, signCheckpoint, verifyCheckpointSignature } from './checkpoint.js';
export { AUDIT_KEY_SETTING, auditKeyFromPem, auditPublicKeyFromPem, keyIdOf, loadOrCreateAuditKey, loadOrCreateAuditKeyFile, type AuditSigningKey } from './signing-key.js';
export { verifyAuditLog, verifyRecords, type VerifyFailure, type VerifyProblem, type VerifyResult } from './verify.js';
export { scanRecords, type ScanOptions } from './scan.js';
export * from './export/index.js';
