// The NIST SP 800-207 access request ("tuple"): who (subject), on what (device), wants to do what
// (action) to which resource, in which environment. Every PEP builds one of these; the engine
// decides on nothing else.

/** A Cedar entity reference. `type` is used verbatim as the Cedar entity type (e.g. `User`, `App::Route`). */
export interface EntityRef {
  readonly type: string;
  readonly id: string;
}

/** Subject or resource as a PEP sees it: a reference plus request-time attributes (AuthZEN `properties`). */
export interface RequestEntity extends EntityRef {
  /** Overlaid on the stored entity's attributes for this request only. */
  readonly properties?: Readonly<Record<string, unknown>>;
  /**
   * Request-time parents (e.g. IdP groups), added to the stored entity's parents for this request
   * only; their own stored ancestors apply too. Set only by Tenet's own PEPs from verified identity
   * (the AuthZEN API does not accept them). Each must be a Cedar entity type name and a non-empty
   * id; at most MAX_REQUEST_PARENTS, and none may make the entity its own ancestor, or the request
   * is invalid.
   */
  readonly parents?: readonly EntityRef[];
}

/** Most request-time parents one principal or resource may carry (e.g. IdP groups in one login). */
export const MAX_REQUEST_PARENTS = 256;

export interface RequestAction {
  /** Mapped to the Cedar action `Action::"<name>"`. */
  readonly name: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** How the subject authenticated, as established by the PEP (session, token). Absent = unknown. */
export interface Authentication {
  /** Authentication methods (RFC 8176 `amr` values, e.g. `pwd`, `otp`, `hwk`, `webauthn`). */
  readonly methods: readonly string[];
  /** True when at least one method resists phishing (FIDO2/WebAuthn, smart card). */
  readonly phishingResistant: boolean;
  /** When the subject last actively authenticated (ISO 8601). */
  readonly authenticatedAt?: string;
  /** Authentication context class reference from the IdP, if any. */
  readonly acr?: string;
}

/** Where and when the request happens. */
export interface Environment {
  /** Client IP address as established by the PEP (never a client-supplied header unless trusted). */
  readonly ip?: string;
  /** Request time (ISO 8601). The engine uses the snapshot's clock when absent. */
  readonly time?: string;
  readonly userAgent?: string;
  readonly method?: string;
  readonly path?: string;
  /**
   * The host the request is for, without port (Tenet's PEPs: the route-matched Host; AuthZEN:
   * `context.domain`). Threat-listed domains match it (signals.threats, context.network.threatListed).
   */
  readonly domain?: string;
}

export interface AccessRequest {
  readonly subject: RequestEntity;
  /** Device id the PEP verified (client certificate, signed device token), or absent when unknown. */
  readonly deviceId?: string;
  readonly action: RequestAction;
  readonly resource: RequestEntity;
  readonly environment: Environment;
  readonly authn?: Authentication;
  /** Caller-supplied context (AuthZEN `context`), merged into the Cedar context beside Tenet's signals. */
  readonly context?: Readonly<Record<string, unknown>>;
}
