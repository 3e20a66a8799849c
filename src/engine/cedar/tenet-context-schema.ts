// Tenet's Cedar context schema as a string, so the engine can merge it into users' schemas without
// file I/O. INVARIANT: identical to tenet-context.cedarschema (the file users read); a test checks.

/** Keys Tenet owns at the top level of every Cedar context; a caller may not supply them. */
export const TENET_CONTEXT_KEYS: ReadonlySet<string> = new Set(['risk', 'device', 'authn', 'network', 'request']);

/** Names of the common types the schema declares (a user schema must not declare them too). */
export const TENET_COMMON_TYPES = ['TenetRisk', 'TenetDevice', 'TenetAuthn', 'TenetNetwork', 'TenetRequest', 'TenetContext'] as const;

export const TENET_CONTEXT_SCHEMA = `// Tenet's Cedar context: the trust signals the Policy Engine puts in "context" for every request
// (NIST SP 800-207 §3.3.1, criteria-based trust algorithm). Tenet merges these common types into
// your schema; declare an action's context as "TenetContext":
//
//   action "read" appliesTo { principal: User, resource: App, context: TenetContext };
//
// If the PEP also sends its own context keys (AuthZEN "context"), they sit at the top level beside
// Tenet's, so declare a record that names both:
//
//   action "read" appliesTo { principal: User, resource: App, context: {
//     risk: TenetRisk, device: TenetDevice, authn: TenetAuthn, network: TenetNetwork,
//     request: TenetRequest, ticket: String } };
//
// The keys risk, device, authn, network and request are reserved: a request whose own context uses
// one of them is denied ("invalid-request"), so no caller can forge a trust signal.
//
// INVARIANT: every attribute below is present on every request. Cedar treats a missing attribute
// as an error, so absent facts are sentinel values, listed beside each field.

// Score-based trust algorithm result (NIST SP 800-207 §3.3.1).
type TenetRisk = {
  score: Long,            // 0..100, the capped sum of the factor weights
  level: String,          // "low" | "medium" | "high" | "critical"
  factors: Set<String>,   // names of the factors that apply, e.g. "device-posture-stale"
};

type TenetDevice = {
  known: Bool,            // a verified device id that the inventory knows
  id: String,             // the device id; "" when no device was presented
  managed: Bool,          // false when unknown
  compliant: Bool,        // every posture check passed (devices.posture); false when unknown or no trusted report
  failedChecks: Set<String>, // names of the failed posture checks, e.g. "disk-encryption"; [] when unknown
  postureFresh: Bool,     // posture observed within the configured limit; false when none
  postureAgeSeconds: Long, // seconds since the posture was observed; -1 when none
  status: String,         // "active" | "quarantined" | "revoked"; "" when unknown
  ownedBySubject: Bool,   // the inventory assigns it to the principal; false when unknown or unassigned
};

type TenetAuthn = {
  authenticated: Bool,    // the subject authenticated with at least one method
  mfa: Bool,              // RFC 8176 "mfa", or two or more distinct methods
  phishingResistant: Bool, // a method resists phishing (FIDO2/WebAuthn, smart card)
  ageSeconds: Long,       // seconds since the subject authenticated; -1 when unknown
  methods: Set<String>,   // RFC 8176 amr values, e.g. "pwd", "otp", "hwk", "webauthn"
  acr: String,            // authentication context class from the IdP; "" when none
};

type TenetNetwork = {
  ipKnown: Bool,          // the PEP established the client address
  ip: ipaddr,             // the client address; ip("0.0.0.0") when unknown (check ipKnown first)
  threatListed: Bool,     // covered by a threat-intelligence indicator
  threats: Set<String>,   // categories of the matching indicators, e.g. "botnet", "tor-exit"
};

type TenetRequest = {
  method: String,         // HTTP method; "" when not HTTP
  path: String,           // HTTP path; "" when not HTTP
  userAgent: String,      // "" when none
  hour: Long,             // 0..23, UTC
  dayOfWeek: Long,        // 0 (Sunday) .. 6 (Saturday), UTC
};

type TenetContext = {
  risk: TenetRisk,
  device: TenetDevice,
  authn: TenetAuthn,
  network: TenetNetwork,
  request: TenetRequest,
};
`;
