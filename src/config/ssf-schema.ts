// The OpenID Shared Signals part of tenet.yaml: which transmitters Tenet receives CAEP events from
// (and how), and whether Tenet transmits its own. Same rules as schema.ts: strict objects, a
// default where one is safe, one line of documentation per key.
import { z } from 'zod';
import { parseDuration } from './duration.js';

const duration = (description: string, fallback: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, { message: 'expected a duration such as "90s", "15m", "1h" or "7d"' })
    .default(fallback)
    .describe(description);

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), { message: 'expected an http:// or https:// URL' });

const secretRef = z
  .strictObject({
    file: z.string().optional().describe('File holding the secret.'),
    env: z.string().optional().describe('Environment variable holding the secret.'),
  })
  .refine((value) => (value.file === undefined) !== (value.env === undefined), 'give exactly one of file or env')
  .describe('A secret read from a file or an environment variable (never written in tenet.yaml).');

const transmitter = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes').describe('Name of this transmitter in logs and in the push URL (<api>/ssf/receiver/<id>).'),
    issuer: httpUrl.describe('The transmitter\'s issuer; its metadata is discovered at <issuer>/.well-known/ssf-configuration (SSF 1.0 §6).'),
    delivery: z.enum(['push', 'poll']).default('push').describe('push: the transmitter POSTs SETs to Tenet (RFC 8935); poll: Tenet fetches them (RFC 8936).'),
    streamId: z.string().min(1).optional().describe('The stream this transmitter delivers on, when created out of band; otherwise Tenet creates one with the stream management API.'),
    managementToken: secretRef.optional().describe('Bearer token for the transmitter\'s stream management and poll endpoints.'),
    pushToken: secretRef.optional().describe('Bearer token the transmitter must send with each push (RFC 8935 §2); required for push delivery.'),
    pollInterval: duration('How often to poll (poll delivery).', '30s'),
    events: z
      .array(z.string().url())
      .default([])
      .describe('Event types to ask for (empty: every CAEP event Tenet handles).'),
    subjects: z
      .array(z.enum(['email', 'iss_sub', 'opaque', 'complex']))
      .default(['email', 'iss_sub', 'opaque', 'complex'])
      .describe('Subject identifier formats accepted from this transmitter (RFC 9493).'),
    allowInsecureHttp: z.boolean().default(false).describe('Allow an http:// issuer (development only; warns).'),
  })
  .describe('A Shared Signals transmitter Tenet receives CAEP events from.');

export const ssfSchema = z
  .strictObject({
    receiver: z
      .strictObject({
        audience: httpUrl.optional().describe('The `aud` transmitters put in SETs for Tenet (default: api.publicUrl, else http://<listen>).'),
        transmitters: z.array(transmitter).default([]).describe('Transmitters to receive from.'),
        maxClockSkew: duration('How far a SET\'s iat may lie in the future.', '5m'),
        maxAge: duration('SETs older than this (by iat) are refused as stale; their jti is remembered this long.', '1h'),
      })
      .default({ transmitters: [], maxClockSkew: '5m', maxAge: '1h' })
      .describe('Receive CAEP events (OpenID Shared Signals Framework 1.0 receiver).'),
    transmitter: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Publish /.well-known/ssf-configuration and the stream management API, and emit CAEP events.'),
        issuer: httpUrl.optional().describe('Tenet\'s issuer in the SETs it signs (default: api.publicUrl, else http://<listen>).'),
        signingKey: z.string().optional().describe('PEM P-256 private key for SETs; when absent, generated once into ssf-signing-key.pem beside the database.'),
        pushTimeout: duration('Time allowed for a receiver\'s push endpoint to answer.', '5s'),
        maxPending: z.number().int().min(1).max(1_000_000).default(10_000).describe('Most undelivered events kept per stream (poll delivery, or push retries); the oldest go first.'),
        defaultSubjects: z.enum(['ALL', 'NONE']).default('ALL').describe('Subjects of a new stream (SSF 1.0 default_subjects): ALL sends events about every subject unless the receiver removes it; NONE only about subjects the receiver adds.'),
        pollWait: duration('Longest a poll request (RFC 8936) is held open waiting for events.', '30s'),
      })
      .default({ enabled: false, pushTimeout: '5s', maxPending: 10_000, defaultSubjects: 'ALL', pollWait: '30s' })
      .describe('Transmit CAEP events (OpenID Shared Signals Framework 1.0 transmitter): session revoked, device compliance, risk level.'),
  })
  .default({ receiver: { transmitters: [], maxClockSkew: '5m', maxAge: '1h' }, transmitter: { enabled: false, pushTimeout: '5s', maxPending: 10_000, defaultSubjects: 'ALL', pollWait: '30s' } })
  .describe('OpenID Shared Signals (CAEP): continuous access evaluation events between Tenet and other systems.');

export type SsfConfig = z.infer<typeof ssfSchema>;
export type SsfTransmitterSource = z.infer<typeof transmitter>;
