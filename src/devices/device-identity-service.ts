// Device identity, the Policy Administrator's side (NIST SP 800-207 §3.1: the PA establishes and
// shuts down the device's credential): enrollment (owner approval à la RFC 8628, or an admin's
// one-time token), short-lived certificates and their renewal, signed posture reports, status
// changes (quarantine, revoke) and the CRL. Every change that can alter a decision is announced to
// `onDeviceChanged` listeners — the composition root refreshes the decision point's signals and
// drops the device's cached decisions, so the next request is decided on the new state.
import { TenetError } from '../errors.js';
import type { DeviceRecord, DeviceStatus } from '../engine/signals.js';
import type { EntityRef } from '../engine/tuple.js';
import type { DeviceCertificateVerifier } from '../enforcement/access/http-access.js';
import { readCertificationRequest } from '../pki/certification-request.js';
import type { Store } from '../store/ports.js';
import type { DeviceAuthority, IssuedCertificate } from './device-authority.js';
import type { DeviceCertificateRecord, DeviceEnrollment } from './device-identity.js';
import { DeviceProtocolFailure } from './protocol-failure.js';
import {
  POSTURE_JWS_TYPE,
  RENEWAL_JWS_TYPE,
  enrollRequestSchema,
  postureClaimsSchema,
  renewalClaimsSchema,
  type CertificateIssued,
  type EnrollmentPending,
  type PostureAccepted,
} from './protocol.js';
import { newDeviceId, newSecret, newUserCode, secretId } from './secrets.js';
import { verifyDeviceMessage } from './signed-device-message.js';

export interface DeviceIdentitySettings {
  /** Base URL of the proxy listener: audiences and the verification URI are built from it. */
  readonly publicUrl: string;
  readonly certificateLifetimeSeconds: number;
  readonly renewBeforeSeconds: number;
  readonly userApproval: boolean;
  readonly enrollmentLifetimeSeconds: number;
  readonly approvedDevicesManaged: boolean;
  /** How often the agent is asked to report (PostureAccepted.next_report_seconds). */
  readonly reportIntervalSeconds: number;
}

/** The posture verdict returned to an agent after its report (the engine's evaluation of the device). */
export type PostureVerdict = (deviceId: string) => Promise<{ readonly compliant: boolean; readonly failedChecks: readonly { readonly check: string; readonly reason: string }[] }>;

export interface DeviceIdentityDeps {
  readonly store: Store;
  readonly authority: DeviceAuthority;
  readonly verifier: DeviceCertificateVerifier;
  readonly settings: DeviceIdentitySettings;
  readonly postureVerdict: PostureVerdict;
  readonly clock?: () => Date;
}

/** Polls closer together than this are answered `slow_down` (RFC 8628 §3.5). */
const POLL_INTERVAL_SECONDS = 5;
/** A posture observation may not claim to be from the future, or older than this before it was sent. */
const MAX_OBSERVATION_DELAY_SECONDS = 3600;
const CRL_NUMBER_SETTING = 'device-crl-number';

export class DeviceIdentityService {
  readonly #deps: DeviceIdentityDeps;
  readonly #clock: () => Date;
  readonly #listeners = new Set<(deviceId: string) => Promise<void> | void>();
  readonly #revokedSerials = new Set<string>();
  /**
   * Last poll time per enrollment id (one process; a second process only makes slow_down laxer).
   * Forgotten once the enrollment is decided or expired, so it holds only enrollments in flight.
   */
  readonly #lastPoll = new Map<string, number>();
  #crl: Uint8Array | undefined;

  private constructor(deps: DeviceIdentityDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** Loads the revoked serials so that `isRevoked` is right from the first request. */
  static async start(deps: DeviceIdentityDeps): Promise<DeviceIdentityService> {
    const service = new DeviceIdentityService(deps);
    for (const certificate of await deps.store.deviceIdentity.listRevoked((deps.clock ?? (() => new Date()))().toISOString())) service.#revokedSerials.add(certificate.serial);
    return service;
  }

  /** For the certificate verifier: checked on every request, so a revocation applies to the next one. */
  isRevoked(serial: string): boolean {
    return this.#revokedSerials.has(serial);
  }

  /** Listeners run (awaited, in order) before the operation that changed the device returns. */
  onDeviceChanged(listener: (deviceId: string) => Promise<void> | void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get caCertificatePem(): string {
    return this.#deps.authority.caCertificatePem;
  }

  // ── Enrollment ────────────────────────────────────────────────────────────────────────────────

  /** POST /.tenet/device/enroll. With a valid admin token: issued at once; else pending until the owner approves. */
  async startEnrollment(body: unknown): Promise<CertificateIssued | EnrollmentPending> {
    this.#requireIssuing();
    const parsed = enrollRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DeviceProtocolFailure('invalid_request', 400, `enrollment request: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`);
    }
    const request = parsed.data;
    const { publicKey } = this.#readCsr(request.csr);
    const now = this.#clock();
    if (request.token !== undefined) {
      const deviceId = newDeviceId();
      const token = await this.#deps.store.deviceIdentity.useEnrollmentToken(secretId(request.token), deviceId, now.toISOString());
      if (token === undefined) throw new DeviceProtocolFailure('invalid_token', 401, 'the enrollment token is unknown, used or expired');
      await this.#deps.store.devices.upsertMany([deviceRecord(deviceId, token.owner, token.managed, request.description)]);
      const issued = await this.#issue(deviceId, publicKey);
      await this.#changed(deviceId);
      return issued;
    }
    if (!this.#deps.settings.userApproval) throw new DeviceProtocolFailure('not_enabled', 403, 'enrollment by user approval is disabled here; ask an administrator for an enrollment token');
    const secret = newSecret();
    const expiresIn = this.#deps.settings.enrollmentLifetimeSeconds;
    // A user code collision among pending enrollments is refused by the store; draw again.
    for (let attempt = 0; ; attempt += 1) {
      const userCode = newUserCode();
      try {
        await this.#deps.store.deviceIdentity.putEnrollment({
          id: secretId(secret),
          userCode,
          csrPem: request.csr,
          description: request.description,
          status: 'pending',
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString(),
        });
        const verification = new URL('/.tenet/devices/approve', this.#deps.settings.publicUrl);
        const complete = new URL(verification);
        complete.searchParams.set('code', userCode);
        return {
          status: 'pending',
          enrollment: secret,
          user_code: userCode,
          verification_uri: verification.toString(),
          verification_uri_complete: complete.toString(),
          expires_in: expiresIn,
          interval: POLL_INTERVAL_SECONDS,
        };
      } catch (error) {
        if (attempt < 3 && error instanceof TenetError && error.code === 'TENET_ERR_STORE_CONFLICT') continue;
        throw error;
      }
    }
  }

  /** POST /.tenet/device/enroll/<secret>: the agent's poll. */
  async pollEnrollment(secret: string): Promise<CertificateIssued> {
    const id = secretId(secret);
    const enrollment = await this.#deps.store.deviceIdentity.getEnrollment(id);
    if (enrollment === undefined) throw new DeviceProtocolFailure('expired_token', 400, 'no such enrollment (it expired or never existed); start again');
    const nowMs = this.#clock().getTime();
    if (enrollment.status === 'denied') {
      this.#lastPoll.delete(id);
      throw new DeviceProtocolFailure('access_denied', 403, 'the enrollment was denied');
    }
    if (enrollment.status === 'approved') {
      const certificate = enrollment.certificateSerial === undefined ? undefined : await this.#deps.store.deviceIdentity.getCertificate(enrollment.certificateSerial);
      if (certificate !== undefined) {
        this.#lastPoll.delete(id);
        return this.#issuedAnswer(certificate);
      }
      // Approved a moment ago and the certificate is being recorded: ask the agent to poll again.
    } else if (Date.parse(enrollment.expiresAt) <= nowMs) {
      this.#lastPoll.delete(id);
      throw new DeviceProtocolFailure('expired_token', 400, 'the enrollment expired before it was approved; start again');
    }
    const last = this.#lastPoll.get(id);
    this.#lastPoll.set(id, nowMs);
    if (last !== undefined && nowMs - last < (POLL_INTERVAL_SECONDS - 1) * 1000) throw new DeviceProtocolFailure('slow_down', 400, `poll at most every ${POLL_INTERVAL_SECONDS} s`);
    throw new DeviceProtocolFailure('authorization_pending', 400, 'waiting for the owner to approve the device');
  }

  /** The pending enrollment a user code names (for the approval page). */
  async pendingEnrollment(userCode: string): Promise<DeviceEnrollment | undefined> {
    return this.#deps.store.deviceIdentity.findPendingByUserCode(userCode, this.#clock().toISOString());
  }

  /** Pending enrollments (admin listing). */
  async pendingEnrollments(): Promise<DeviceEnrollment[]> {
    return this.#deps.store.deviceIdentity.listPendingEnrollments(this.#clock().toISOString());
  }

  /**
   * Approves a pending enrollment: the device is recorded with `owner` and its certificate issued.
   * The owner approving at the approval page is the logged-in user; an admin may name anyone.
   */
  async approve(userCode: string, owner: EntityRef | undefined, approvedBy: EntityRef, managed: boolean = this.#deps.settings.approvedDevicesManaged): Promise<{ readonly deviceId: string }> {
    this.#requireIssuingForAdmin();
    const enrollment = await this.pendingEnrollment(userCode);
    if (enrollment === undefined) throw new TenetError('TENET_ERR_DEVICE_ENROLLMENT_NOT_FOUND', `No pending enrollment has the code ${JSON.stringify(userCode)} (it may have expired or been decided).`);
    const { publicKey } = this.#readCsr(enrollment.csrPem);
    const deviceId = newDeviceId();
    const issued = this.#deps.authority.issue({ deviceId, publicKey, lifetimeSeconds: this.#deps.settings.certificateLifetimeSeconds });
    const at = this.#clock().toISOString();
    // First decision wins; the loser records nothing.
    const won = await this.#deps.store.deviceIdentity.decideEnrollment(enrollment.id, { status: 'approved', deviceId, approvedBy, certificateSerial: issued.serial }, at);
    if (!won) throw new TenetError('TENET_ERR_DEVICE_ENROLLMENT_NOT_FOUND', `The enrollment ${userCode} was decided or expired meanwhile.`);
    await this.#deps.store.devices.upsertMany([deviceRecord(deviceId, owner, managed, enrollment.description)]);
    await this.#record(deviceId, issued);
    await this.#changed(deviceId);
    return { deviceId };
  }

  async deny(userCode: string): Promise<void> {
    const enrollment = await this.pendingEnrollment(userCode);
    if (enrollment === undefined || !(await this.#deps.store.deviceIdentity.decideEnrollment(enrollment.id, { status: 'denied' }, this.#clock().toISOString()))) {
      throw new TenetError('TENET_ERR_DEVICE_ENROLLMENT_NOT_FOUND', `No pending enrollment has the code ${JSON.stringify(userCode)}.`);
    }
  }

  /** Creates an admin enrollment token (returned once; only its hash is kept). */
  async createEnrollmentToken(options: { readonly owner?: EntityRef; readonly managed: boolean; readonly ttlSeconds: number; readonly createdBy: string }): Promise<{ readonly token: string; readonly expiresAt: string }> {
    this.#requireIssuingForAdmin();
    const token = newSecret();
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000).toISOString();
    await this.#deps.store.deviceIdentity.putEnrollmentToken({
      id: secretId(token),
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      managed: options.managed,
      createdAt: now.toISOString(),
      expiresAt,
      createdBy: options.createdBy,
    });
    return { token, expiresAt };
  }

  // ── Signed device messages ────────────────────────────────────────────────────────────────────

  /** POST /.tenet/device/renew: a new certificate for the same device; the old one is revoked as superseded. */
  async renew(jws: string): Promise<CertificateIssued> {
    this.#requireIssuing();
    const message = await verifyDeviceMessage(jws, { typ: RENEWAL_JWS_TYPE, audience: this.#audience('/.tenet/device/renew'), claims: renewalClaimsSchema }, this.#messageContext());
    const device = await this.#deps.store.devices.get(message.deviceId);
    if (device === undefined || device.status === 'revoked') throw new DeviceProtocolFailure('device_revoked', 403, 'the device is revoked or no longer in the inventory');
    const { publicKey } = this.#readCsr(message.claims.csr);
    const issued = await this.#issue(message.deviceId, publicKey);
    await this.#revokeSerials([message.serial], 'superseded');
    return issued;
  }

  /** POST /.tenet/device/posture: records the agent's signed report as posture source `agent`. */
  async acceptPosture(jws: string): Promise<PostureAccepted> {
    const message = await verifyDeviceMessage(jws, { typ: POSTURE_JWS_TYPE, audience: this.#audience('/.tenet/device/posture'), claims: postureClaimsSchema }, this.#messageContext());
    const device = await this.#deps.store.devices.get(message.deviceId);
    if (device === undefined) throw new DeviceProtocolFailure('unknown_device', 403, 'the device is no longer in the inventory');
    if (device.status === 'revoked') throw new DeviceProtocolFailure('device_revoked', 403, 'the device is revoked');
    const observedMs = Date.parse(message.claims.posture.observedAt);
    const sentMs = message.claims.iat * 1000;
    if (Number.isNaN(observedMs) || observedMs > sentMs + 60_000 || observedMs < sentMs - MAX_OBSERVATION_DELAY_SECONDS * 1000) {
      throw new DeviceProtocolFailure('stale', 400, 'posture.observedAt must be an ISO 8601 time shortly before the report was signed');
    }
    // A quarantined device keeps reporting: a better posture is how it earns its way back, by an admin.
    await this.#deps.store.devices.recordPosture(message.deviceId, { source: 'agent', observedAt: new Date(observedMs).toISOString(), facts: message.claims.posture.facts });
    await this.#changed(message.deviceId);
    const verdict = await this.#deps.postureVerdict(message.deviceId);
    return {
      accepted: true,
      device_id: message.deviceId,
      compliant: verdict.compliant,
      failed_checks: verdict.failedChecks,
      next_report_seconds: this.#deps.settings.reportIntervalSeconds,
    };
  }

  // ── Administration ────────────────────────────────────────────────────────────────────────────

  /**
   * Sets a device's status. `revoked` also revokes every certificate of the device, so it can
   * neither present one nor renew; `active` lifts a quarantine (a revoked device cannot be
   * reactivated: enroll it again).
   */
  async setStatus(deviceId: string, status: DeviceStatus): Promise<void> {
    const device = await this.#deps.store.devices.get(deviceId);
    if (device === undefined) throw new TenetError('TENET_ERR_STORE_DEVICE_NOT_FOUND', `No device ${JSON.stringify(deviceId)} in the inventory.`);
    if (device.status === 'revoked' && status !== 'revoked') {
      throw new TenetError('TENET_ERR_DEVICE_REVOKED', `Device ${deviceId} is revoked; a revoked device cannot be reactivated — enroll it again.`);
    }
    await this.#deps.store.devices.setStatus(deviceId, status);
    if (status === 'revoked') {
      const serials = await this.#deps.store.deviceIdentity.revokeDeviceCertificates(deviceId, this.#clock().toISOString(), 'cessationOfOperation');
      this.#markRevoked(serials);
    }
    await this.#changed(deviceId);
  }

  /** Revokes one certificate (e.g. a lost key) without changing the device's status. */
  async revokeCertificate(serial: string, reason: string): Promise<boolean> {
    const certificate = await this.#deps.store.deviceIdentity.getCertificate(serial);
    if (certificate === undefined) return false;
    const revoked = await this.#revokeSerials([serial], reason);
    await this.#changed(certificate.deviceId);
    return revoked.length === 1;
  }

  async certificates(deviceId: string): Promise<DeviceCertificateRecord[]> {
    return this.#deps.store.deviceIdentity.listCertificates(deviceId);
  }

  /** Announces a device change made elsewhere (an inventory import). */
  async devicesChanged(deviceIds: readonly string[]): Promise<void> {
    for (const deviceId of deviceIds) await this.#changed(deviceId);
  }

  /** The CRL (DER), re-signed after each revocation and when the cached one nears its nextUpdate. */
  async crl(): Promise<Uint8Array> {
    if (this.#crl !== undefined) return this.#crl;
    const revoked = await this.#deps.store.deviceIdentity.listRevoked(this.#clock().toISOString());
    const previous = BigInt((await this.#deps.store.settings.get(CRL_NUMBER_SETTING)) ?? '0');
    const crlNumber = previous + 1n;
    await this.#deps.store.settings.put(CRL_NUMBER_SETTING, crlNumber.toString());
    this.#crl = this.#deps.authority.crl(
      revoked.map((certificate) => ({ serial: certificate.serial, revokedAt: certificate.revokedAt ?? certificate.issuedAt, ...(certificate.revocationReason === undefined ? {} : { reason: certificate.revocationReason }) })),
      crlNumber,
    );
    return this.#crl;
  }

  /** Drops the cached CRL so the next request signs a fresh one (called on a timer shorter than crlLifetime). */
  expireCrl(): void {
    this.#crl = undefined;
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────────

  /** For the agent's calls: refused in the protocol's terms. */
  #requireIssuing(): void {
    if (!this.#deps.authority.canIssue) throw new DeviceProtocolFailure('not_enabled', 403, 'this Tenet verifies device certificates from another CA and does not enroll devices');
  }

  /** For administrators' calls: a TenetError the admin API answers with 409. */
  #requireIssuingForAdmin(): void {
    if (!this.#deps.authority.canIssue) {
      throw new TenetError('TENET_ERR_DEVICE_ENROLLMENT_DISABLED', 'devices.pki.mode is verify-only: this Tenet checks certificates another CA issues and enrolls no devices.');
    }
  }

  #readCsr(pem: string): ReturnType<typeof readCertificationRequest> {
    try {
      return readCertificationRequest(pem);
    } catch (error) {
      throw new DeviceProtocolFailure('invalid_csr', 400, error instanceof Error ? error.message : 'the certification request is not valid');
    }
  }

  async #issue(deviceId: string, publicKey: Parameters<DeviceAuthority['issue']>[0]['publicKey']): Promise<CertificateIssued> {
    const issued = this.#deps.authority.issue({ deviceId, publicKey, lifetimeSeconds: this.#deps.settings.certificateLifetimeSeconds });
    return this.#issuedAnswer(await this.#record(deviceId, issued));
  }

  async #record(deviceId: string, issued: IssuedCertificate): Promise<DeviceCertificateRecord> {
    const record: DeviceCertificateRecord = {
      serial: issued.serial,
      deviceId,
      fingerprint: issued.fingerprint,
      pem: issued.pem,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      issuedAt: this.#clock().toISOString(),
    };
    await this.#deps.store.deviceIdentity.putCertificate(record);
    return record;
  }

  #issuedAnswer(certificate: DeviceCertificateRecord): CertificateIssued {
    const renewAfterMs = Math.max(Date.parse(certificate.notBefore), Date.parse(certificate.notAfter) - this.#deps.settings.renewBeforeSeconds * 1000);
    return {
      status: 'issued',
      device_id: certificate.deviceId,
      certificate: certificate.pem,
      ca_certificate: this.#deps.authority.caCertificatePem,
      not_after: certificate.notAfter,
      renew_after: new Date(renewAfterMs).toISOString(),
    };
  }

  async #revokeSerials(serials: readonly string[], reason: string): Promise<string[]> {
    const at = this.#clock().toISOString();
    const revoked: string[] = [];
    for (const serial of serials) if (await this.#deps.store.deviceIdentity.revokeCertificate(serial, at, reason)) revoked.push(serial);
    this.#markRevoked(revoked);
    return revoked;
  }

  #markRevoked(serials: readonly string[]): void {
    if (serials.length === 0) return;
    for (const serial of serials) this.#revokedSerials.add(serial);
    this.#crl = undefined;
  }

  #audience(path: string): string {
    return new URL(path, this.#deps.settings.publicUrl).toString();
  }

  #messageContext(): Parameters<typeof verifyDeviceMessage>[2] {
    return { verifier: this.#deps.verifier, identities: this.#deps.store.deviceIdentity, clock: this.#clock };
  }

  async #changed(deviceId: string): Promise<void> {
    for (const listener of this.#listeners) await listener(deviceId);
  }
}

function deviceRecord(id: string, owner: EntityRef | undefined, managed: boolean, description: Readonly<Record<string, string>>): DeviceRecord {
  return {
    id,
    ...(owner === undefined ? {} : { owner }),
    managed,
    status: 'active',
    attributes: { enrolledVia: 'tenet', ...(description['hostname'] === undefined ? {} : { hostname: description['hostname'] }), ...(description['name'] === undefined ? {} : { name: description['name'] }) },
  };
}
