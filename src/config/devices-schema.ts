// The device part of tenet.yaml: device identity (a certificate authority and enrollment) and
// device posture (which sources are believed, and the rules that make a device compliant).
// Same rules as schema.ts: strict objects, a default where one is safe, one line of documentation
// per key.
import { z } from 'zod';
import { parseDuration } from './duration.js';

const duration = (description: string, fallback: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, { message: 'expected a duration such as "90s", "15m", "1h" or "7d"' })
    .default(fallback)
    .describe(description);

const optionalDuration = (description: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, { message: 'expected a duration such as "90s", "15m", "1h" or "7d"' })
    .optional()
    .describe(description);

const pki = z
  .strictObject({
    mode: z
      .enum(['builtin', 'external', 'verify-only'])
      .default('builtin')
      .describe('builtin: Tenet generates its device CA beside the database; external: sign with the CA certificate and key given; verify-only: accept certificates another CA issues (no enrollment).'),
    caCertificate: z.string().optional().describe('PEM CA certificate (external) or CA bundle (verify-only).'),
    caKey: z.string().optional().describe('PEM private key of caCertificate (external mode only; P-256 or P-384).'),
    certificateLifetime: duration('How long an issued device certificate is valid (short-lived: the agent renews it).', '7d'),
    renewBefore: duration('The agent renews its certificate when less than this remains.', '2d'),
    deviceIdUriPrefix: z
      .string()
      .regex(/^[a-z][a-z0-9+.-]*:\S*$/, 'expected a URI prefix such as "urn:tenet:device:" or "spiffe://example.com/device/"')
      .default('urn:tenet:device:')
      .describe('The device id is the rest of the certificate\'s URI subjectAltName after this prefix.'),
    crlLifetime: duration('nextUpdate of the published CRL (<publicUrl>/.tenet/device/crl); it is re-signed on every revocation.', '1h'),
  })
  .describe('Device certificate authority (NIST SP 800-207: the device is authenticated, not just the user).');

const enrollment = z
  .strictObject({
    userApproval: z.boolean().default(true).describe('Allow enrollment approved by the logged-in owner at <publicUrl>/.tenet/devices/approve (RFC 8628-style user code).'),
    codeLifetime: duration('How long a pending enrollment waits for approval.', '10m'),
    approvedDevicesManaged: z
      .boolean()
      .default(false)
      .describe('Whether a device its owner approved counts as managed (admin enrollment tokens say so themselves).'),
  })
  .default({ userApproval: true, codeLifetime: '10m', approvedDevicesManaged: false })
  .describe('How devices are enrolled.');

const sourceName = z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'expected 1-128 letters, digits or . _ : @ -');

const sourceTrust = z
  .strictObject({
    trust: z
      .enum(['verdict', 'facts', 'ignore'])
      .describe('verdict: the source\'s own compliant=false counts as a failed check, and its facts are checked by the rules; facts: only its facts are checked; ignore: kept in history, never used.'),
  })
  .describe('How much one posture source is believed.');

const customCheck = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes').describe('Check name (risk factor reason and context.device.failedChecks).'),
    fact: z.string().min(1).describe('Posture fact to test, e.g. "edrRunning".'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional().describe('The fact must equal this.'),
    oneOf: z.array(z.union([z.string(), z.number()])).min(1).optional().describe('The fact must be one of these.'),
    atLeast: z.union([z.string(), z.number()]).optional().describe('The fact must be at least this (numbers, or dotted versions such as "6.1.0").'),
  })
  .describe('A check on any posture fact; a missing fact fails it.');

const posture = z
  .strictObject({
    sources: z
      .record(sourceName, sourceTrust)
      .default({ agent: { trust: 'facts' } })
      .describe('Trust per posture source (agent = reports signed by a Tenet agent\'s device key; others = the `source` of an import).'),
    defaultSourceTrust: z.enum(['verdict', 'facts', 'ignore']).default('verdict').describe('Trust for sources not listed in `sources`.'),
    rules: z
      .strictObject({
        maxReportAge: optionalDuration('The newest trusted report must be younger than this (check "report-age").'),
        minOsVersion: z
          .partialRecord(z.enum(['linux', 'macos', 'windows', 'ios', 'android', 'chromeos']), z.string().regex(/^\d+(\.\d+)*$/, 'expected a dotted version such as "6.1" or "14.4.1"'))
          .optional()
          .describe('Lowest OS version per OS (fact osVersion, and os); an OS not listed fails (check "os-version").'),
        firewallEnabled: z.boolean().optional().describe('true: the firewall must be on (fact firewallEnabled, check "firewall").'),
        diskEncrypted: z.boolean().optional().describe('true: the system disk must be encrypted (fact diskEncrypted, check "disk-encryption").'),
        screenLockEnabled: z.boolean().optional().describe('true: a screen lock must be configured (fact screenLockEnabled, check "screen-lock"); an agent that cannot tell fails it.'),
        maxPackageUpdateAge: optionalDuration('Packages must have been updated within this (fact lastPackageUpdateAt, check "package-updates").'),
        minAgentVersion: z.string().regex(/^\d+(\.\d+)*$/, 'expected a dotted version').optional().describe('Lowest Tenet agent version (fact agentVersion, check "agent-version"); applies to agent reports.'),
        custom: z.array(customCheck).default([]).describe('Checks on other facts.'),
      })
      .default({ custom: [] })
      .describe('Posture rules: a device is compliant when every configured check passes (context.device.compliant; each failed check is a risk factor).'),
  })
  .default({ sources: { agent: { trust: 'facts' } }, defaultSourceTrust: 'verdict', rules: { custom: [] } })
  .describe('Device posture: which sources are believed and what compliant means.');

export const devicesSchema = z
  .strictObject({
    pki: pki.optional(),
    enrollment,
    posture,
  })
  .default({ enrollment: { userApproval: true, codeLifetime: '10m', approvedDevicesManaged: false }, posture: { sources: { agent: { trust: 'facts' } }, defaultSourceTrust: 'verdict', rules: { custom: [] } } })
  .describe('Devices: identity (certificates, enrollment) and posture.');

export type DevicesConfig = z.infer<typeof devicesSchema>;
export type DevicePkiConfig = z.infer<typeof pki>;
export type PostureConfig = z.infer<typeof posture>;
