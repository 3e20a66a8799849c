// The one schema of `tenet.yaml`. Config is documentation: every key has a default (where one is
// safe) and a one-line description, which `tenet config reference` prints and docs/configuration.md
// is generated from. Unknown keys are errors (strict objects), so a typo never silently does nothing.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { authenticationSchema, extAuthzSchema, listenAddress, proxySchema, routesSchema } from './enforcement-schema.js';
import { devicesSchema } from './devices-schema.js';
import { ssfSchema } from './ssf-schema.js';
import { behaviourSchema } from './behaviour-schema.js';

const duration = (description: string, fallback: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, {
      message: 'expected a duration such as "90s", "15m", "1h" or "7d"',
    })
    .default(fallback)
    .describe(description);

const sensitivity = z.enum(['low', 'medium', 'high', 'critical']);

const tokenScope = z.enum(['pdp', 'admin', 'ssf']);

const staticToken = z
  .strictObject({
    name: z.string().min(1).describe('Name shown in the decision log as the caller.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected the hex SHA-256 of the token (tenet token hash prints it)')
      .describe('Hex SHA-256 of the bearer token; the token itself is never stored.'),
    scopes: z.array(tokenScope).min(1).default(['pdp']).describe('What the token may call: pdp (AuthZEN), admin, ssf (Shared Signals receivers: stream management and poll).'),
  })
  .describe('A bearer token declared in config (stored hashed).');

const mtlsClient = z.strictObject({
  subject: z.string().min(1).describe('Certificate subject common name (CN) or a DNS/URI SAN allowed to call.'),
  scopes: z.array(tokenScope).min(1).default(['pdp']).describe('What the client may call.'),
});

const api = z
  .strictObject({
    auth: z
      .enum(['none', 'token', 'mtls'])
      .default('token')
      .describe('How callers authenticate: bearer tokens, client certificates, or none (loopback only; warns).'),
    tokens: z.array(staticToken).default([]).describe('Bearer tokens declared in config, besides those created with `tenet token create`.'),
    tls: z
      .strictObject({
        cert: z.string().describe('PEM certificate chain file for the API listener.'),
        key: z.string().describe('PEM private key file for the API listener.'),
        clientCa: z.string().optional().describe('PEM CA bundle that signs client certificates (required for auth: mtls).'),
      })
      .optional()
      .describe('Serve the API over HTTPS.'),
    mtlsClients: z.array(mtlsClient).default([]).describe('Client certificates allowed when auth is mtls.'),
    bodyLimitBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024).describe('Largest accepted request body.'),
    maxEvaluations: z.number().int().min(1).max(10_000).default(200).describe('Most items in one AuthZEN evaluations request.'),
    publicUrl: z.string().url().optional().describe('Base URL PEPs use to reach Tenet (for the AuthZEN metadata document).'),
  })
  .default({ auth: 'token', tokens: [], mtlsClients: [], bodyLimitBytes: 1024 * 1024, maxEvaluations: 200 })
  .describe('The PDP (AuthZEN) and admin HTTP API.');

const resourceSensitivity = z
  .strictObject({
    type: z.string().min(1).describe('Cedar entity type of the resource, e.g. "App".'),
    id: z.string().min(1).optional().describe('Entity id; omit to apply to every resource of the type.'),
    sensitivity: sensitivity.describe('Sensitivity tier; selects the risk threshold.'),
  })
  .describe('A resource (or a resource type) and its sensitivity.');

const riskWeights = z
  .record(z.string(), z.number().int().min(0).max(100))
  .default({})
  .describe('Override the weight of named risk factors, e.g. {"device-unknown": 40}.');

const risk = z
  .strictObject({
    weights: riskWeights,
    thresholds: z
      .strictObject({
        low: z.number().int().min(0).max(100).default(80).describe('Highest score allowed for low-sensitivity resources.'),
        medium: z.number().int().min(0).max(100).default(60).describe('Highest score allowed for medium-sensitivity resources.'),
        high: z.number().int().min(0).max(100).default(40).describe('Highest score allowed for high-sensitivity resources.'),
        critical: z.number().int().min(0).max(100).default(20).describe('Highest score allowed for critical-sensitivity resources.'),
      })
      .default({ low: 80, medium: 60, high: 40, critical: 20 })
      .describe('Highest risk score allowed per resource sensitivity; above it the decision is deny (or step-up).'),
  })
  .default({ weights: {}, thresholds: { low: 80, medium: 60, high: 40, critical: 20 } })
  .describe('Score-based trust algorithm (NIST SP 800-207 §3.3.1).');

const freshness = z
  .strictObject({
    devicePosture: duration('Posture reports older than this are stale (risk factor device-posture-stale).', '1h'),
    authentication: duration('Authentication older than this is stale (risk factor authn-stale).', '12h'),
    stepUpMaxAge: duration('A step-up must be at most this old to count.', '10m'),
  })
  .default({ devicePosture: '1h', authentication: '12h', stepUpMaxAge: '10m' })
  .describe('How old a signal may be before it stops counting.');

const deviceSource = z.strictObject({
  file: z.string().describe('Device inventory export (JSON array or CSV).'),
  format: z.enum(['json', 'csv']).optional().describe('Defaults from the file extension.'),
  source: z.string().min(1).describe('Name of the source (e.g. "mdm"), recorded with each posture report.'),
});

// Threat feeds (src/signals/threat-intel/threat-feeds.ts). A feed is a file or an https URL;
// header values (API keys) come only from files or environment variables, so tenet.yaml never
// holds them, and they are never logged.
const threatHeaderValue = z
  .strictObject({
    file: z.string().min(1).optional().describe('File holding the header value (a trailing newline is removed).'),
    env: z.string().min(1).optional().describe('Environment variable holding the header value.'),
  })
  .refine((value) => (value.file === undefined) !== (value.env === undefined), 'give exactly one of file or env')
  .describe('A header value read from a file or an environment variable (never written in tenet.yaml, never logged).');

const threatSource = z
  .strictObject({
    source: z.string().min(1).describe('Name of the feed; every update replaces every indicator of this source.'),
    file: z.string().min(1).optional().describe('Indicator file, relative to tenet.yaml (give file or url).'),
    url: z.string().optional().describe('Feed URL, fetched over https (give file or url).'),
    allowInsecureHttp: z.boolean().default(false).describe('Allow an http:// URL (the list could be altered in transit; test setups only).'),
    format: z.enum(['text', 'csv', 'stix']).optional().describe('text: one IP, CIDR or domain per line; csv: indicator,category,expires_at; stix: STIX 2.1 bundle. Defaults from the extension (.csv, .json → stix, else text).'),
    category: z.string().min(1).default('malicious').describe('Category for plain-text lists, and the default for CSV rows and STIX indicators without one.'),
    refresh: z
      .string()
      .refine((value) => (parseDuration(value) ?? 0) > 0, { message: 'expected a duration such as "15m", "1h" or "1d"' })
      .optional()
      .describe('How often to re-fetch the URL (default 1h) or re-read the file (default: only at start and on reload).'),
    timeout: duration('A URL fetch that takes longer fails (the last good list stays).', '30s'),
    maxBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(32 * 1024 * 1024).describe('Largest feed body accepted, in bytes; a larger one fails the fetch.'),
    headers: z
      .record(z.string(), threatHeaderValue)
      .optional()
      .describe('Request headers for a URL feed, e.g. an API key: header name → { file: … } or { env: … }.'),
  })
  .superRefine((value, ctx) => {
    if ((value.file === undefined) === (value.url === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of file or url' });
    if (value.file !== undefined && value.headers !== undefined) ctx.addIssue({ code: 'custom', path: ['headers'], message: 'headers apply to url feeds only' });
    for (const name of Object.keys(value.headers ?? {})) {
      // RFC 9110 §5.1: a field name is a token.
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) ctx.addIssue({ code: 'custom', path: ['headers', name], message: 'must be an HTTP header name' });
    }
    if (value.url === undefined) return;
    let url: URL;
    try {
      url = new URL(value.url);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is not a URL' });
      return;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && value.allowInsecureHttp)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `must be https (${url.protocol} given)${url.protocol === 'http:' ? '; set allowInsecureHttp: true to accept http' : ''}` });
    }
    if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', path: ['url'], message: 'must not contain credentials; use headers with a file or env value' });
  });

const signals = z
  .strictObject({
    devices: z.array(deviceSource).default([]).describe('Device inventories loaded at start and on reload.'),
    threatIntel: z.array(threatSource).default([]).describe('Threat indicator feeds (files or URLs; text, CSV or STIX 2.1), loaded at start, on reload and on their refresh schedule.'),
  })
  .default({ devices: [], threatIntel: [] })
  .describe('Signal sources (NIST policy information points).');

const store = z
  .strictObject({
    kind: z.literal('sqlite').default('sqlite').describe('Store kind. sqlite is the embedded default.'),
    path: z.string().default('data/tenet.db').describe('SQLite database file, relative to the working directory.'),
  })
  .default({ kind: 'sqlite', path: 'data/tenet.db' })
  .describe('Where Tenet keeps signals, API tokens and the decision log.');

const audit = z
  .strictObject({
    failMode: z
      .enum(['closed', 'open'])
      .default('closed')
      .describe('When the decision log cannot be written: closed = deny every decision; open = answer but count the loss.'),
    checkpointEvery: z.number().int().min(1).default(1000).describe('Sign a checkpoint every N records (and at shutdown).'),
    checkpointInterval: duration('Also sign a checkpoint this often when records arrived since the last one.', '1m'),
    signingKey: z
      .string()
      .optional()
      .describe('PEM Ed25519 private key file for checkpoints; when absent, generated once into audit-signing-key.pem beside the database.'),
    maxQueue: z.number().int().min(1).default(10_000).describe('Records waiting to be written before new decisions are refused (backpressure).'),
  })
  .default({ failMode: 'closed', checkpointEvery: 1000, checkpointInterval: '1m', maxQueue: 10_000 })
  .describe('The tamper-evident decision log.');

const obligations = z
  .strictObject({
    cacheTtl: duration('How long a PEP may reuse an allow decision.', '30s'),
    reevaluateAfter: duration('How often long-lived sessions and connections are re-evaluated.', '5m'),
  })
  .default({ cacheTtl: '30s', reevaluateAfter: '5m' })
  .describe('Obligations attached to decisions.');

export const configSchema = z
  .strictObject({
    policies: z.string().min(1).describe('Directory of .cedar policy files, plus an optional schema (*.cedarschema or *.cedarschema.json).'),
    entities: z.array(z.string().min(1)).default([]).describe('Cedar entity JSON files (users, groups, resources…), re-read on reload.'),
    listen: listenAddress.default('127.0.0.1:8180').describe('Address the API listens on (overridden by --listen).'),
    api,
    store,
    resources: z.array(resourceSensitivity).default([]).describe('Resource sensitivities; risk thresholds apply only to these.'),
    risk,
    freshness,
    obligations,
    signals,
    audit,
    routes: routesSchema,
    authentication: authenticationSchema,
    proxy: proxySchema.optional(),
    extAuthz: extAuthzSchema,
    devices: devicesSchema,
    ssf: ssfSchema,
    behaviour: behaviourSchema,
    engine: z
      .strictObject({
        evaluator: z
          .enum(['compiled', 'wasm'])
          .default('compiled')
          .describe('Cedar evaluator: compiled (Tenet\'s JS evaluator, proven equal by differential tests) or wasm (cedar-wasm, the reference).'),
      })
      .default({ evaluator: 'compiled' })
      .describe('The Policy Engine.'),
    logging: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('Log level.'),
      })
      .default({ level: 'info' })
      .describe('Structured JSON logs on stdout (pino).'),
  })
  .describe('tenet.yaml');

export type TenetConfig = z.infer<typeof configSchema>;
export type ResourceSensitivityRule = z.infer<typeof resourceSensitivity>;
