// The one schema of `tenet.yaml`. Config is documentation: every key has a default (where one is
// safe) and a one-line description, which `tenet config reference` prints and docs/configuration.md
// is generated from. Unknown keys are errors (strict objects), so a typo never silently does nothing.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { authenticationSchema, extAuthzSchema, listenAddress, proxySchema, routesSchema } from './enforcement-schema.js';
import { devicesSchema } from './devices-schema.js';

const duration = (description: string, fallback: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, {
      message: 'expected a duration such as "90s", "15m", "1h" or "7d"',
    })
    .default(fallback)
    .describe(description);

const sensitivity = z.enum(['low', 'medium', 'high', 'critical']);

const tokenScope = z.enum(['pdp', 'admin']);

const staticToken = z
  .strictObject({
    name: z.string().min(1).describe('Name shown in the decision log as the caller.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected the hex SHA-256 of the token (tenet token hash prints it)')
      .describe('Hex SHA-256 of the bearer token; the token itself is never stored.'),
    scopes: z.array(tokenScope).min(1).default(['pdp']).describe('What the token may call: pdp (AuthZEN) and/or admin.'),
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

const threatSource = z.strictObject({
  file: z.string().describe('Indicator list: one IP/CIDR per line, or CSV (indicator,category,expires_at).'),
  format: z.enum(['text', 'csv']).optional().describe('Defaults from the file extension (.csv → csv, else text).'),
  source: z.string().min(1).describe('Name of the feed; re-loading replaces every indicator of this source.'),
  category: z.string().min(1).default('malicious').describe('Category for plain-text lists (CSV rows carry their own).'),
});

const signals = z
  .strictObject({
    devices: z.array(deviceSource).default([]).describe('Device inventories loaded at start and on reload.'),
    threatIntel: z.array(threatSource).default([]).describe('Threat indicator feeds loaded at start and on reload.'),
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
