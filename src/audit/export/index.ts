// Decision-log export formats: JSON lines (Tenet's own record format) and OCSF (for SIEMs).
export { exportJsonLines, parseJsonLine, recordToJsonLine } from './jsonl.js';
export { exportOcsf, toOcsf, OCSF_CATEGORY_UID, OCSF_CLASS_UID, OCSF_SCHEMA_VERSION, type OcsfEvent, type OcsfOptions } from './ocsf.js';
