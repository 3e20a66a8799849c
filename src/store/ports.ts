// Store ports: what the rest of Tenet needs from persistence. SQLite (src/store/sqlite) is the
// embedded default; a PostgreSQL adapter will implement the same ports later. Every adapter must
// pass the shared contract suite in src/store/contract/. All methods are async so that a network
// store fits the same shape; hot paths read in-memory indexes built from these, not the store.
import type { CedarEntity, DeviceRecord, DevicePosture, DeviceStatus } from '../engine/signals.js';
import type { Authentication, EntityRef } from '../engine/tuple.js';
import type { AuditRecord, AuditCheckpoint, AuditQuery, AuditPage } from '../audit/record.js';
import type { LoginState, SessionHandoff, SessionRecord } from '../sessions/session.js';
import type { DeviceCertificateRecord, DeviceEnrollment, EnrollmentToken } from '../devices/device-identity.js';
import type { PasskeyCredential } from '../enforcement/passkeys/passkey-credential.js';

export interface EntityStore {
  /** Every entity, ordered by type then id (byte order). */
  list(): Promise<CedarEntity[]>;
  get(ref: EntityRef): Promise<CedarEntity | undefined>;
  /** Inserts or replaces the given entities in one transaction (all or nothing). */
  upsertMany(entities: readonly CedarEntity[]): Promise<void>;
  /** Removes entities; returns how many existed. */
  remove(refs: readonly EntityRef[]): Promise<number>;
  count(): Promise<number>;
}

export interface DeviceStore {
  /** Every device with its current posture (newest observedAt), ordered by id. */
  list(): Promise<DeviceRecord[]>;
  get(id: string): Promise<DeviceRecord | undefined>;
  /** Inserts or replaces devices in one transaction (all or nothing). Keeps posture history. */
  upsertMany(devices: readonly DeviceRecord[]): Promise<void>;
  /** Appends a posture report to the device's history and makes it current if it is newer. */
  /** Rejects with TENET_ERR_STORE_NOT_FOUND for an unknown device. A report with the same source and observedAt replaces the earlier one. */
  recordPosture(id: string, posture: DevicePosture): Promise<void>;
  /** Rejects with TENET_ERR_STORE_NOT_FOUND for an unknown device. */
  setStatus(id: string, status: DeviceStatus): Promise<void>;
  /** Up to `limit` reports, newest observedAt first; empty for an unknown device. */
  postureHistory(id: string, limit: number): Promise<DevicePosture[]>;
  /** Removes the device and its posture history; false when it did not exist. */
  remove(id: string): Promise<boolean>;
}

/** A stored threat-intelligence indicator. */
export interface ThreatIndicator {
  /** IP or CIDR, normalised (`203.0.113.0/24`, `2001:db8::/32`, `198.51.100.7/32`). */
  readonly indicator: string;
  readonly category: string;
  readonly source: string;
  readonly expiresAt?: string;
  readonly addedAt: string;
}

export interface ThreatIntelStore {
  /** Every indicator, ordered by source then indicator. */
  list(): Promise<ThreatIndicator[]>;
  /** Replaces every indicator of `source` with the given ones in one transaction. */
  replaceSource(source: string, indicators: readonly ThreatIndicator[]): Promise<void>;
  /** Adds or updates indicators (keyed by indicator + source). */
  upsertMany(indicators: readonly ThreatIndicator[]): Promise<void>;
  /** Removes the indicator from `source`, or from every source when omitted; returns how many were removed. */
  remove(indicator: string, source?: string): Promise<number>;
}

/** Fetch state of one threat feed, kept so a restart can send conditional requests (RFC 9110 §13.1). */
export interface ThreatFeedState {
  readonly source: string;
  /** The URL without its query (it may hold a key) or the file path; validators apply only to the same location. */
  readonly location: string;
  readonly etag?: string;
  readonly lastModified?: string;
  /** Last attempt (ISO 8601). */
  readonly checkedAt: string;
  /** Last time the feed was read successfully, changed or not. */
  readonly succeededAt?: string;
  /** Why the last attempt failed; absent after a success. Never holds header values. */
  readonly lastError?: string;
  /** Indicators the source holds after the last success. */
  readonly indicators: number;
}

export interface ThreatFeedStateStore {
  get(source: string): Promise<ThreatFeedState | undefined>;
  /** Creates or replaces the state of `state.source`. */
  put(state: ThreatFeedState): Promise<void>;
  /** Every feed's state, ordered by source. */
  list(): Promise<ThreatFeedState[]>;
}

/** An API credential. Only the SHA-256 of the token is stored; the token itself is shown once at creation. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly tokenHash: string;
  /** `pdp` (AuthZEN evaluation), `admin` (admin API), `ssf` (Shared Signals stream management and poll), in any combination. */
  readonly scopes: readonly ApiScope[];
  readonly createdAt: string;
  readonly revokedAt?: string;
}

export type ApiScope = 'pdp' | 'admin' | 'ssf';

export interface ApiTokenStore {
  /** Rejects with TENET_ERR_STORE_CONFLICT when the id or hash exists, TENET_ERR_STORE_CONSTRAINT for an unknown scope. */
  create(record: ApiTokenRecord): Promise<void>;
  /** Also returns revoked tokens (with revokedAt set): callers MUST reject those. */
  findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  /** Every token, ordered by createdAt then id. */
  list(): Promise<ApiTokenRecord[]>;
  /** True when an active token was revoked now; false when unknown or already revoked (the first revocation time is kept). */
  revoke(id: string, at: string): Promise<boolean>;
}

export interface AuditStore {
  /** Appends records in one transaction; resolves when committed (durable under WAL + synchronous=FULL). */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** The last record, or undefined for an empty log. */
  last(): Promise<AuditRecord | undefined>;
  /** Records with seq in [fromSeq, fromSeq+limit), in seq order. */
  range(fromSeq: number, limit: number): Promise<AuditRecord[]>;
  query(query: AuditQuery): Promise<AuditPage>;
  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  checkpoints(): Promise<AuditCheckpoint[]>;
}

/** Small named values: generated keys, the active policy version. */
export interface SettingsStore {
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly entities: EntityStore;
  readonly devices: DeviceStore;
  readonly threats: ThreatIntelStore;
  readonly threatFeeds: ThreatFeedStateStore;
  readonly apiTokens: ApiTokenStore;
  readonly audit: AuditStore;
  readonly settings: SettingsStore;
  readonly sessions: SessionStore;
  readonly deviceIdentity: DeviceIdentityStore;
  readonly passkeys: PasskeyStore;
  readonly subjectSignals: SubjectSignalStore;
  readonly ssfReceiver: SsfReceiverStore;
  readonly ssfTransmitter: SsfTransmitterStore;
  /** Throws a TenetError `TENET_ERR_STORE_UNAVAILABLE` when the store cannot be used. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Login sessions, login attempts and cross-host hand-offs (src/sessions/session.ts). */
export interface SessionStore {
  /** Rejects with TENET_ERR_STORE_CONFLICT when the id exists. */
  create(record: SessionRecord): Promise<void>;
  /** Also returns revoked and expired sessions: callers check revokedAt and expiry. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Records use (for idle expiry); no-op for an unknown id. */
  touch(id: string, at: string): Promise<void>;
  /** Revokes one session; false when unknown or already revoked (the first time is kept). */
  revoke(id: string, at: string): Promise<boolean>;
  /**
   * Replaces the authentication of every active session of the login (a step-up such as a passkey
   * assertion strengthens the whole login, on every host); returns the ids of the sessions changed.
   */
  updateLoginAuthn(loginId: string, authn: Authentication, at: string): Promise<string[]>;
  /** Revokes every active session of the login; returns the revoked sessions' ids. */
  revokeLogin(loginId: string, at: string): Promise<string[]>;
  /** Revokes active sessions from the provider matching the IdP subject and/or IdP session id (back-channel logout); returns their ids. */
  revokeByIdp(providerId: string, match: { readonly idpSubject?: string; readonly idpSessionId?: string }, at: string): Promise<string[]>;
  /** Active (unrevoked, unexpired at `at`) sessions, newest first, optionally only one subject's ("Type::id"). */
  listActive(at: string, subject?: string): Promise<SessionRecord[]>;
  /**
   * Active sessions of the user an identity provider knows as `idpSubject`, or of the user with
   * this email (compared case-insensitively), newest first — by index, not by scanning: CAEP events
   * name users this way.
   */
  listActiveByIdentity(at: string, match: { readonly providerId: string; readonly idpSubject: string } | { readonly email: string }): Promise<SessionRecord[]>;
  /** Deletes sessions that expired or were revoked before `before`; returns how many. */
  purge(before: string): Promise<number>;

  /** Rejects with TENET_ERR_STORE_CONFLICT when the id exists. */
  putLoginState(state: LoginState): Promise<void>;
  /** Returns and deletes the login state (single use), or undefined when unknown or expired at `at`. */
  takeLoginState(id: string, at: string): Promise<LoginState | undefined>;

  putHandoff(handoff: SessionHandoff): Promise<void>;
  /** Returns and deletes the hand-off (single use), or undefined when unknown or expired at `at`. */
  takeHandoff(id: string, at: string): Promise<SessionHandoff | undefined>;
}

/** Device certificates, enrollments and agent report ids (src/devices/device-identity.ts). */
export interface DeviceIdentityStore {
  /** Rejects with TENET_ERR_STORE_CONFLICT when the serial exists. */
  putCertificate(certificate: DeviceCertificateRecord): Promise<void>;
  getCertificate(serial: string): Promise<DeviceCertificateRecord | undefined>;
  /** The device's certificates, newest issuedAt first (revoked and expired included). */
  listCertificates(deviceId: string): Promise<DeviceCertificateRecord[]>;
  /** Every revoked certificate that has not yet expired at `at` (what a CRL lists), ordered by serial. */
  listRevoked(at: string): Promise<DeviceCertificateRecord[]>;
  /** Revokes one certificate; false when unknown or already revoked (the first revocation is kept). */
  revokeCertificate(serial: string, at: string, reason: string): Promise<boolean>;
  /** Revokes every unrevoked certificate of the device; returns the serials revoked. */
  revokeDeviceCertificates(deviceId: string, at: string, reason: string): Promise<string[]>;

  /** Rejects with TENET_ERR_STORE_CONFLICT when the id or a pending enrollment's user code exists. */
  putEnrollment(enrollment: DeviceEnrollment): Promise<void>;
  getEnrollment(id: string): Promise<DeviceEnrollment | undefined>;
  /** The pending, unexpired enrollment with this user code (case-insensitive), if any. */
  findPendingByUserCode(userCode: string, at: string): Promise<DeviceEnrollment | undefined>;
  /** Pending, unexpired enrollments, newest first. */
  listPendingEnrollments(at: string): Promise<DeviceEnrollment[]>;
  /**
   * Moves a pending enrollment to approved/denied (setting the given fields); false when it is not
   * pending or has expired at `at` (so two approvers cannot both win).
   */
  decideEnrollment(id: string, decision: { readonly status: 'approved' | 'denied'; readonly deviceId?: string; readonly approvedBy?: EntityRef; readonly certificateSerial?: string }, at: string): Promise<boolean>;

  putEnrollmentToken(token: EnrollmentToken): Promise<void>;
  /** Marks the token used by `deviceId` and returns it, or undefined when unknown, used or expired at `at` (single use). */
  useEnrollmentToken(id: string, deviceId: string, at: string): Promise<EnrollmentToken | undefined>;

  /**
   * Remembers a signed report's id until `expiresAt`; false when it was already remembered
   * (a replay). Ids past their expiry are forgotten.
   */
  rememberReportId(deviceId: string, jti: string, expiresAt: string): Promise<boolean>;
  /** Deletes expired enrollments, tokens and report ids; returns how many rows went. */
  purge(before: string): Promise<number>;
}

/** Users' passkeys (WebAuthn credentials). */
export interface PasskeyStore {
  /** Rejects with TENET_ERR_STORE_CONFLICT when the credential id exists. */
  add(credential: PasskeyCredential): Promise<void>;
  get(id: string): Promise<PasskeyCredential | undefined>;
  /** The subject's passkeys, oldest first. */
  listFor(subject: EntityRef): Promise<PasskeyCredential[]>;
  /** Records a verified assertion: the new signature counter and when; no-op for an unknown id. */
  recordUse(id: string, counter: number, at: string): Promise<void>;
  /** Deletes the subject's passkey; false when it is not theirs or unknown. */
  remove(subject: EntityRef, id: string): Promise<boolean>;
}

/**
 * What other systems said about a subject (a CAEP risk-level-change from a transmitter), one record
 * per subject and source, until that source says otherwise. Feeds the risk factor
 * `subject-risk-reported` (src/engine) through the decision point's in-memory index.
 */
export interface SubjectSignalRecord {
  /** The Cedar principal in entity-key spelling, `User::"alice"`. */
  readonly subject: string;
  /** Who said so: `ssf:<transmitter id>`. */
  readonly source: string;
  readonly riskLevel: 'low' | 'medium' | 'high';
  /** Why, as the source said it (CAEP `reason_admin` / `reason_user`), for the decision reasons. */
  readonly reason: string;
  /** When the source observed it (CAEP `event_timestamp`), ISO 8601. */
  readonly observedAt: string;
}

export interface SubjectSignalStore {
  /** Inserts or replaces the record of (subject, source); an older observedAt than the stored one is ignored (false). */
  put(record: SubjectSignalRecord): Promise<boolean>;
  /** Every record, ordered by subject then source. */
  list(): Promise<SubjectSignalRecord[]>;
  /** The subject's records. */
  listFor(subject: string): Promise<SubjectSignalRecord[]>;
  remove(subject: string, source: string): Promise<boolean>;
}

/** A Shared Signals event stream Tenet transmits on (SSF 1.0 §8.1.1), as the transmitter keeps it. */
export interface SsfStreamRecord {
  readonly id: string;
  /** The receiver's credential identity (who may manage and poll the stream). */
  readonly owner: string;
  /** The SETs' `aud` (RFC 8417 §2.2). */
  readonly audience: readonly string[];
  readonly deliveryMethod: 'push' | 'poll';
  /** The receiver's push endpoint (push only). */
  readonly endpointUrl?: string;
  /** Sent as `Authorization` with every push (a secret; never returned by the API). */
  readonly authorizationHeader?: string;
  readonly eventsRequested: readonly string[];
  readonly description?: string;
  /** ALL: events about every subject unless removed; NONE: only about subjects added. */
  readonly defaultSubjects: 'ALL' | 'NONE';
  readonly status: 'enabled' | 'paused' | 'disabled';
  readonly statusReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A subject a receiver added to (included) or removed from (not included) a stream (SSF 1.0 §8.1.3). */
export interface SsfStreamSubject {
  /** Canonical text of the identifier, unique per stream. */
  readonly key: string;
  /** The RFC 9493 subject identifier as the receiver sent it. */
  readonly subject: Readonly<Record<string, unknown>>;
  readonly included: boolean;
}

/** A signed SET waiting for delivery (push) or acknowledgement (poll). */
export interface SsfPendingEvent {
  readonly streamId: string;
  readonly jti: string;
  /** The compact JWS. */
  readonly token: string;
  readonly createdAt: string;
}

export interface SsfTransmitterStore {
  /** Rejects with TENET_ERR_STORE_CONFLICT when the id exists. */
  createStream(stream: SsfStreamRecord): Promise<void>;
  getStream(id: string): Promise<SsfStreamRecord | undefined>;
  /** The owner's streams, oldest first; every stream when owner is omitted. */
  listStreams(owner?: string): Promise<SsfStreamRecord[]>;
  /** Replaces the stream's record (same id and owner); false when unknown. */
  updateStream(stream: SsfStreamRecord): Promise<boolean>;
  /** Deletes the stream with its subjects and pending events; false when unknown. */
  deleteStream(id: string): Promise<boolean>;

  /** Adds or replaces the stream's entry for the subject; rejects with TENET_ERR_STORE_NOT_FOUND for an unknown stream. */
  putSubject(streamId: string, subject: SsfStreamSubject): Promise<void>;
  /** The stream's subject entries, ordered by key. */
  listSubjects(streamId: string): Promise<SsfStreamSubject[]>;

  /**
   * Queues an event and then drops the stream's oldest pending events beyond `maxPending`, in one
   * transaction; returns the jtis dropped. Rejects with TENET_ERR_STORE_NOT_FOUND for an unknown stream.
   */
  enqueue(event: SsfPendingEvent, maxPending: number): Promise<string[]>;
  /** Up to `limit` pending events of the stream, oldest first. */
  pending(streamId: string, limit: number): Promise<SsfPendingEvent[]>;
  countPending(streamId: string): Promise<number>;
  /** Removes the stream's pending events with these jtis (delivered or acknowledged); returns how many went. */
  acknowledge(streamId: string, jtis: readonly string[]): Promise<number>;
  /** Removes every pending event of the stream; returns how many went. */
  clearPending(streamId: string): Promise<number>;
}

/** A stream Tenet created at a Shared Signals transmitter (SSF 1.0 §8.1.1), kept so a restart reuses it. */
export interface SsfReceiverStream {
  /** The `ssf.receiver.transmitters[].id` it belongs to. */
  readonly transmitterId: string;
  /** The transmitter's issuer when the stream was created (a changed issuer means a new stream). */
  readonly issuer: string;
  readonly streamId: string;
  readonly delivery: 'push' | 'poll';
  readonly createdAt: string;
}

/** The Shared Signals receiver's memory: SET ids already accepted per issuer (replay), and its streams. */
export interface SsfReceiverStore {
  /**
   * Remembers a SET's jti from `issuer` until `expiresAt`; false when it is already remembered (a
   * replay). Ids past their expiry are forgotten.
   */
  rememberJti(issuer: string, jti: string, expiresAt: string): Promise<boolean>;
  /** Forgets a jti (its SET could not be processed, so the transmitter's redelivery must be accepted); false when unknown. */
  forgetJti(issuer: string, jti: string): Promise<boolean>;
  /** Deletes jtis whose memory ended before `before`; returns how many. */
  purgeJtis(before: string): Promise<number>;
  getStream(transmitterId: string): Promise<SsfReceiverStream | undefined>;
  /** Inserts or replaces the transmitter's stream. */
  putStream(stream: SsfReceiverStream): Promise<void>;
  /** false when there was none. */
  removeStream(transmitterId: string): Promise<boolean>;
}
