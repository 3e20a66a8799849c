// Size limits for signal imports. Files come from outside (admin uploads, feeds), so every
// dimension an attacker or a broken export could blow up is bounded, with a message naming it.

export const IMPORT_LIMITS = {
  /** Largest import text accepted, in UTF-16 code units (≈ bytes for ASCII files). */
  maxTextLength: 64 * 1024 * 1024,
  /** Longest entity type, entity id, device id, source or category. */
  maxIdLength: 1024,
  /** Longest string value inside attributes, tags or posture facts. */
  maxStringLength: 64 * 1024,
  /** Deepest nesting of arrays/records inside one attribute value. */
  maxValueDepth: 32,
  /** Most attributes, tags or posture facts on one record. */
  maxKeysPerRecord: 1024,
  /** Most parents of one entity. */
  maxParents: 1024,
} as const;
