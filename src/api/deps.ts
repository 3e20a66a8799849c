// What the HTTP API needs from the rest of Tenet. The composition root (src/server.ts) builds one
// of these and hands it to buildApiServer; the API never constructs a store, engine or importer
// itself, so every dependency here is an interface the lead wires to the real implementation.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SignalChange } from '../continuous/signal-change.js';
import type { DeviceCertificateRecord, DeviceEnrollment } from '../devices/device-identity.js';
import type { CedarEntity, DeviceRecord } from '../engine/signals.js';
import type { EntityRef } from '../engine/tuple.js';
import type { DecisionPoint } from '../pdp/decision-point.js';
import type { ApiScope, Store, ThreatIndicator } from '../store/ports.js';

/** A bearer token configured in the config file: only its SHA-256 (hex) is kept. */
export interface StaticApiToken {
  /** Shown in logs and the decision log as the caller; never the token itself. */
  readonly name: string;
  /** Lower-case hex SHA-256 of the token (64 characters). */
  readonly sha256: string;
  readonly scopes: readonly ApiScope[];
}

/** A client certificate identity allowed to call the API (mTLS mode). */
export interface MtlsClient {
  /** Matched against the verified peer certificate's subject CN and every subjectAltName value (DNS, URI, email, IP). */
  readonly subject: string;
  readonly scopes: readonly ApiScope[];
}

/**
 * How callers authenticate.
 * - `none`: every caller has every scope. Only valid when the lead has verified that the listener is
 *   bound to loopback; the API does not re-check it.
 * - `token`: `Authorization: Bearer <token>`, verified by SHA-256 against `store.apiTokens` and `staticTokens`.
 * - `mtls`: the TLS listener must request and verify client certificates; the verified peer's CN/SAN
 *   must be in `clients`.
 */
export type ApiAuthSettings =
  | { readonly mode: 'none' }
  | { readonly mode: 'token'; readonly staticTokens: readonly StaticApiToken[] }
  | { readonly mode: 'mtls'; readonly clients: readonly MtlsClient[] };

/**
 * TLS for the API listener (PEM text). Required for auth mode `mtls`, where `ca` is the CA that
 * issues client certificates: the handshake requests a certificate and verifies it against `ca`,
 * but does not abort on failure, so the API can answer 401 in JSON instead of a bare TLS alert.
 */
export interface ApiTlsSettings {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  readonly ca?: string | Buffer;
}

export interface ApiLimits {
  /** Largest request body accepted, in bytes (larger → 413). */
  readonly bodyBytes: number;
  /** Largest `evaluations` array accepted by /access/v1/evaluations (larger → 400). */
  readonly maxEvaluations: number;
}

/** Input formats of a threat-intelligence list. */
export type ThreatListFormat = 'text' | 'csv' | 'stix';

/**
 * Parsers for signal imports (implemented in src/signals/*). Each returns every parsed item or
 * throws a TenetError `TENET_ERR_IMPORT_*` whose `issues` list every problem found (all or nothing).
 */
export interface SignalImporters {
  /** Cedar entity JSON (an array of `{uid, attrs, parents}`); `fileName` names the source in issues. */
  parseEntities(text: string, fileName: string): readonly CedarEntity[] | Promise<readonly CedarEntity[]>;
  parseDevices(text: string, format: 'json' | 'csv', source: string): readonly DeviceRecord[] | Promise<readonly DeviceRecord[]>;
  parseThreatIndicators(
    text: string,
    options: { readonly format: ThreatListFormat; readonly source: string; readonly category?: string; readonly now: Date },
  ): readonly ThreatIndicator[] | Promise<readonly ThreatIndicator[]>;
}

/** The active policy set as the admin API lists it. */
export interface PolicyCatalog {
  /** Ids of the policies in the active set, in a stable order. */
  policyIds(): readonly string[];
}

export interface ApiDeps {
  readonly decisionPoint: DecisionPoint;
  readonly store: Store;
  readonly auth: ApiAuthSettings;
  readonly limits: ApiLimits;
  readonly logger: Logger;
  readonly importers: SignalImporters;
  readonly policies: PolicyCatalog;
  /**
   * The PDP identifier published in /.well-known/authzen-configuration (`policy_decision_point`):
   * the externally visible https base URL, no query or fragment (AuthZEN 1.0 §9.1.1).
   */
  readonly publicBaseUrl: string;
  /** Serve HTTPS with these settings; plain HTTP when absent (then only behind loopback or a TLS proxy). */
  readonly tls?: ApiTlsSettings;
  /** Registry for the API's metrics; a private one is created when absent. */
  readonly metricsRegistry?: Registry;
  /** Clock for import timestamps; `() => new Date()` when absent. */
  readonly now?: () => Date;
  /** Device identity administration (src/devices); absent when `devices.pki` is not configured. */
  readonly devices?: DeviceAdministration;
  /**
   * Continuous verification (src/continuous): every signal write is announced here after the
   * decision point's signals were refreshed, and the answer waits until cached decisions and live
   * connections followed. Absent in tests that do not need it.
   */
  readonly signalChanges?: { publish(change: SignalChange): Promise<void> };
}

/**
 * What the admin API may do to device identity (implemented by src/devices/device-identity-service.ts).
 * Status changes go through it rather than straight to the store so that revoking also revokes the
 * device's certificates and every change reaches the decision point and the decision caches.
 */
export interface DeviceAdministration {
  setStatus(deviceId: string, status: 'active' | 'quarantined' | 'revoked'): Promise<void>;
  revokeCertificate(serial: string, reason: string): Promise<boolean>;
  certificates(deviceId: string): Promise<readonly DeviceCertificateRecord[]>;
  pendingEnrollments(): Promise<readonly DeviceEnrollment[]>;
  approve(userCode: string, owner: EntityRef | undefined, approvedBy: EntityRef, managed?: boolean): Promise<{ readonly deviceId: string }>;
  deny(userCode: string): Promise<void>;
  createEnrollmentToken(options: { readonly owner?: EntityRef; readonly managed: boolean; readonly ttlSeconds: number; readonly createdBy: string }): Promise<{ readonly token: string; readonly expiresAt: string }>;
  /** Announces devices changed by an import (posture, status), so cached decisions about them go. */
  devicesChanged(deviceIds: readonly string[]): Promise<void>;
}
