// Composition root for device identity (present when `devices.pki` is configured): the device CA
// (its files beside the database), the certificate verifier every PEP uses, and the service behind
// the device endpoints and the admin API. Device changes refresh the decision point's signals
// before their listeners (the decision caches) run, so the next request is decided on the new
// state. Only this file, src/runtime.ts, src/server.ts and src/enforcement-points.ts wire pieces.
import { dirname, resolve } from 'node:path';
import { durationSeconds } from './config/duration.js';
import { resolveInput } from './config/load.js';
import { DeviceIdentityService } from './devices/device-identity-service.js';
import { DeviceCertificateAuthority } from './devices/pki/device-ca.js';
import { CachingDeviceCertificateVerifier } from './devices/pki/device-certificate-verifier.js';
import type { DeviceCertificateVerifier } from './enforcement/access/http-access.js';
import type { Runtime } from './runtime.js';

export interface RunningDeviceIdentity {
  readonly service: DeviceIdentityService;
  readonly verifier: DeviceCertificateVerifier;
  /** PEM trust anchors: what the proxy's TLS listener names as acceptable client certificate issuers. */
  readonly trustAnchorsPem: readonly string[];
  stop(): Promise<void>;
}

/** Agents are asked to report this often; posture rules' maxReportAge should allow a few misses. */
const REPORT_INTERVAL_SECONDS = 300;
/** Expired enrollments, tokens and report ids are deleted this often. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

export async function openDeviceIdentity(runtime: Runtime, options: { readonly storePath: string; readonly clock?: () => Date }): Promise<RunningDeviceIdentity | undefined> {
  const { loaded } = runtime;
  const { config } = loaded;
  const pki = config.devices.pki;
  if (pki === undefined) return undefined;
  const clock = options.clock ?? (() => new Date());
  const directory = options.storePath === ':memory:' ? resolve('data') : dirname(resolve(options.storePath));
  const authority = await DeviceCertificateAuthority.open(pki, { directory, resolve: (path) => resolveInput(loaded, path) }, clock);
  const publicUrl = config.proxy?.publicUrl ?? config.api.publicUrl ?? `http://${config.listen}`;

  // The verifier asks the service whether a serial is revoked, and the service verifies signed
  // messages with the verifier: the service is created second, the verifier reads it late.
  const late: { service?: DeviceIdentityService } = {};
  const verifier = new CachingDeviceCertificateVerifier({
    trustAnchorsPem: authority.trustAnchorsPem,
    deviceIdUriPrefix: pki.deviceIdUriPrefix,
    isRevoked: (serial) => late.service?.isRevoked(serial) ?? true,
    clock,
  });
  const service = await DeviceIdentityService.start({
    store: runtime.store,
    authority,
    verifier,
    settings: {
      publicUrl,
      certificateLifetimeSeconds: durationSeconds(pki.certificateLifetime),
      renewBeforeSeconds: durationSeconds(pki.renewBefore),
      userApproval: config.devices.enrollment.userApproval,
      enrollmentLifetimeSeconds: durationSeconds(config.devices.enrollment.codeLifetime),
      approvedDevicesManaged: config.devices.enrollment.approvedDevicesManaged,
      reportIntervalSeconds: REPORT_INTERVAL_SECONDS,
    },
    postureVerdict: async (deviceId) => {
      const evaluation = runtime.pdp.devicePosture(deviceId);
      if (evaluation === undefined) return { compliant: false, failedChecks: [{ check: 'no-posture', reason: 'the device is not in the current signals' }] };
      return { compliant: evaluation.compliant, failedChecks: evaluation.checks.filter((check) => !check.passed).map((check) => ({ check: check.name, reason: check.reason })) };
    },
    clock,
  });
  // First in line: later listeners (decision caches) must see the refreshed signals.
  late.service = service;
  // Signals first, then the announcement: caches and live connections must see the new state.
  service.onDeviceChanged(async (deviceId) => {
    await runtime.pdp.refreshSignals();
    await runtime.signalChanges.publish({ kind: 'device', deviceId, reason: 'device posture, status or certificates changed' });
  });

  const running = service;
  const crlTimer = setInterval(() => running.expireCrl(), Math.max(60_000, (durationSeconds(pki.crlLifetime) * 1000) / 2));
  crlTimer.unref();
  const purge = setInterval(() => {
    runtime.store.deviceIdentity.purge(clock().toISOString()).catch((error: unknown) => runtime.logger.warn({ err: (error as Error).message }, 'device enrollment purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  runtime.logger.info({ mode: pki.mode, canIssue: authority.canIssue, deviceIdUriPrefix: pki.deviceIdUriPrefix }, 'device identity is ready');
  return {
    service: running,
    verifier,
    trustAnchorsPem: authority.trustAnchorsPem,
    async stop() {
      clearInterval(crlTimer);
      clearInterval(purge);
    },
  };
}
