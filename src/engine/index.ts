// The Policy Engine's public API (NIST SP 800-207 §3.1 "Policy Engine"). Pure: no I/O; the caller
// (src/pdp) gathers the signals and supplies the clock. Import from here, not from inner files.
export { decide } from './decide.js';
export { loadPolicySet, type EvaluatorKind, type LoadOptions } from './load-policy-set.js';
export type { PolicySet, PolicySource, LoadedPolicy } from './policy-set.js';
export { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './settings.js';
export { TENET_CONTEXT_SCHEMA, TENET_CONTEXT_KEYS, TENET_COMMON_TYPES } from './cedar/tenet-context-schema.js';
export type { PolicyEvaluator, EvaluationCall, EvaluationResult } from './cedar/evaluator.js';
export { RISK_CRITERIA } from './risk/assess.js';
export * from './decision.js';
export * from './reasons.js';
export * from './signals.js';
export * from './tuple.js';
