// The CAEP 1.0 / RISC event types Tenet receives and transmits (event-type URIs are the SET
// `events` keys, RFC 8417 §2.2), and the SSF stream verification event.
export const CAEP_EVENTS = {
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  credentialChange: 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  deviceComplianceChange: 'https://schemas.openid.net/secevent/caep/event-type/device-compliance-change',
  assuranceLevelChange: 'https://schemas.openid.net/secevent/caep/event-type/assurance-level-change',
  tokenClaimsChange: 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
  riskLevelChange: 'https://schemas.openid.net/secevent/caep/event-type/risk-level-change',
} as const;

export const SSF_VERIFICATION_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
export const SSF_STREAM_UPDATED_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';

/** JOSE `typ` of a security event token (RFC 8417 §2.3). */
export const SET_TYPE = 'secevent+jwt';

export type CaepEventType = (typeof CAEP_EVENTS)[keyof typeof CAEP_EVENTS];

/** CAEP risk levels (risk-level-change `current_level` / `previous_level`). */
export type CaepRiskLevel = 'low' | 'medium' | 'high';
