// Cross-key checks of the device config that a schema cannot express: the CA files each PKI mode
// needs, the proxy that serves enrollment, routes that require a device certificate, and posture
// rules that could never pass.
import { resolve } from 'node:path';
import type { ErrorIssue } from '../errors.js';
import { durationSeconds } from './duration.js';
import type { TenetConfig } from './schema.js';

export function checkDevices(config: TenetConfig, baseDir: string, requireFile: (issues: ErrorIssue[], path: string, absolute: string) => void): { issues: ErrorIssue[]; warnings: string[] } {
  const issues: ErrorIssue[] = [];
  const warnings: string[] = [];
  const pki = config.devices.pki;
  if (pki === undefined) {
    config.routes.forEach((route, index) => {
      if (route.clientCertificate === 'required') {
        issues.push({ path: `routes.${index}.clientCertificate`, message: 'requires a device certificate, but devices.pki is not configured: every request would be refused', hint: 'configure devices.pki, or set clientCertificate: optional' });
      }
    });
    return { issues, warnings };
  }
  if (pki.mode === 'builtin' && (pki.caCertificate !== undefined || pki.caKey !== undefined)) {
    issues.push({ path: 'devices.pki', message: 'builtin mode generates its own CA; caCertificate and caKey are for mode external or verify-only', hint: 'remove them, or set mode: external' });
  }
  if (pki.mode === 'external' || pki.mode === 'verify-only') {
    if (pki.caCertificate === undefined) issues.push({ path: 'devices.pki.caCertificate', message: `mode ${pki.mode} needs the CA certificate file` });
    else requireFile(issues, 'devices.pki.caCertificate', resolve(baseDir, pki.caCertificate));
  }
  if (pki.mode === 'external') {
    if (pki.caKey === undefined) issues.push({ path: 'devices.pki.caKey', message: 'mode external needs the CA private key file', hint: 'or use mode verify-only to only check certificates another CA issues' });
    else requireFile(issues, 'devices.pki.caKey', resolve(baseDir, pki.caKey));
  }
  if (pki.mode === 'verify-only' && pki.caKey !== undefined) issues.push({ path: 'devices.pki.caKey', message: 'mode verify-only never signs: do not give Tenet the CA key' });
  if (durationSeconds(pki.renewBefore) >= durationSeconds(pki.certificateLifetime)) {
    issues.push({ path: 'devices.pki.renewBefore', message: `${pki.renewBefore} is not shorter than certificateLifetime (${pki.certificateLifetime}): agents would renew on every run` });
  }
  if (config.proxy === undefined) {
    warnings.push('devices.pki is configured without a proxy: certificates are checked (forward-auth, ext_authz), but no listener serves enrollment, posture reports or the CRL.');
  }
  const rules = config.devices.posture.rules;
  if (rules.maxReportAge !== undefined && durationSeconds(rules.maxReportAge) < 300) {
    warnings.push(`devices.posture.rules.maxReportAge is ${rules.maxReportAge}, shorter than the agent's 5-minute report interval: devices fall out of compliance between reports.`);
  }
  return { issues, warnings };
}
