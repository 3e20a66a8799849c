// The agent's side of the device protocol (src/devices/protocol.ts) over HTTPS. TLS is always
// verified: against the system's trust store, or against the one PEM given with --server-ca (the
// quickstart's self-signed proxy certificate); there is no switch to turn verification off.
// Every answer is validated before use; a refusal becomes an AgentServerRefusal carrying the
// server's `error` and `error_description`.
import { request } from 'node:https';
import { z } from 'zod';
import { TenetError } from '../errors.js';
import { DEVICE_PATHS, type CertificateIssued, type DeviceProtocolError, type EnrollRequest, type EnrollmentPending, type PostureAccepted } from '../devices/protocol.js';

const MAX_ANSWER_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

const issuedSchema = z.object({
  status: z.literal('issued'),
  device_id: z.string().min(1),
  certificate: z.string().includes('-----BEGIN CERTIFICATE-----'),
  ca_certificate: z.string().includes('-----BEGIN CERTIFICATE-----'),
  not_after: z.string().min(1),
  renew_after: z.string().datetime({ offset: true }),
});
const pendingSchema = z.object({
  status: z.literal('pending'),
  enrollment: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().url(),
  verification_uri_complete: z.string().url(),
  expires_in: z.number().positive(),
  interval: z.number().positive(),
});
const acceptedSchema = z.object({
  accepted: z.literal(true),
  device_id: z.string(),
  compliant: z.boolean(),
  failed_checks: z.array(z.object({ check: z.string(), reason: z.string() })),
  next_report_seconds: z.number().positive(),
});
const errorSchema = z.object({ error: z.string().min(1).max(64), error_description: z.string().max(2000).optional() });

/** The server said no (or "not yet"): its error code and description, and the HTTP status. */
export class AgentServerRefusal extends TenetError {
  readonly error: DeviceProtocolError['error'] | (string & {});
  readonly errorDescription: string;
  readonly status: number;

  constructor(status: number, error: string, errorDescription: string) {
    super('TENET_ERR_DEVICE_AGENT_REFUSED', `the server refused: ${error}${errorDescription === '' ? '' : ` (${errorDescription})`}`);
    this.error = error;
    this.errorDescription = errorDescription;
    this.status = status;
  }
}

export function isAgentServerRefusal(value: unknown): value is AgentServerRefusal {
  return value instanceof AgentServerRefusal;
}

/** The server could not be reached, or its answer was not the protocol's: retrying later may help. */
export class AgentServerUnreachable extends TenetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TENET_ERR_DEVICE_AGENT_UNREACHABLE', message, [], options);
  }
}

/** The server URL as the agent keeps it: https only, origin only (the device paths are absolute). */
export function normaliseServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_SERVER_INVALID', `--server is not a URL: ${text}`, [{ path: '--server', message: 'expected e.g. https://tenet.example.com' }]);
  }
  if (url.protocol !== 'https:') {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_SERVER_INVALID', `--server must be an https URL (the enrollment secret and device reports travel on it): ${text}`, [{ path: '--server', message: 'expected https://…', hint: 'for a self-signed proxy certificate pass it with --server-ca' }]);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_SERVER_INVALID', `--server must be just the proxy's public origin (no path, query or credentials): ${text}`, [{ path: '--server', message: 'expected e.g. https://tenet.example.com:8443' }]);
  }
  return url.origin;
}

export type PollAnswer = { readonly kind: 'issued'; readonly issued: CertificateIssued } | { readonly kind: 'pending' } | { readonly kind: 'slow_down' };

export interface ServerClientOptions {
  readonly server: string;
  /** PEM trust anchor(s) for the server's TLS certificate, instead of the system's. */
  readonly serverCa?: string;
  readonly timeoutMs?: number;
}

export class ServerClient {
  readonly server: string;
  readonly #serverCa: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ServerClientOptions) {
    this.server = normaliseServerUrl(options.server);
    this.#serverCa = options.serverCa;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** 201 issued (with a valid token) or 202 pending (user approval, RFC 8628 §3.2). */
  async enroll(body: EnrollRequest): Promise<CertificateIssued | EnrollmentPending> {
    const answer = await this.#post(DEVICE_PATHS.enroll, 'application/json', JSON.stringify(body));
    if (answer.status === 201 || answer.status === 200) return parse(issuedSchema, answer);
    if (answer.status === 202) return parse(pendingSchema, answer);
    throw refusal(answer);
  }

  /** One poll (RFC 8628 §3.4–3.5): issued, still pending, or slow down; denied/expired throw. */
  async poll(enrollment: string): Promise<PollAnswer> {
    const answer = await this.#post(`${DEVICE_PATHS.enrollmentPoll}${encodeURIComponent(enrollment)}`, undefined, '');
    if (answer.status === 200 || answer.status === 201) return { kind: 'issued', issued: parse(issuedSchema, answer) };
    if (answer.status === 202) return { kind: 'pending' };
    const error = refusal(answer);
    if (isAgentServerRefusal(error) && error.error === 'authorization_pending') return { kind: 'pending' };
    if (isAgentServerRefusal(error) && error.error === 'slow_down') return { kind: 'slow_down' };
    throw error;
  }

  async renew(jws: string): Promise<CertificateIssued> {
    const answer = await this.#post(DEVICE_PATHS.renew, 'application/jose', jws);
    if (answer.status === 200 || answer.status === 201) return parse(issuedSchema, answer);
    throw refusal(answer);
  }

  async report(jws: string): Promise<PostureAccepted> {
    const answer = await this.#post(DEVICE_PATHS.posture, 'application/jose', jws);
    if (answer.status === 200) return parse(acceptedSchema, answer);
    throw refusal(answer);
  }

  #post(path: string, contentType: string | undefined, body: string): Promise<Answer> {
    const url = new URL(path, this.server);
    const payload = Buffer.from(body, 'utf8');
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          headers: { accept: 'application/json', 'content-length': String(payload.length), ...(contentType === undefined ? {} : { 'content-type': contentType }) },
          ...(this.#serverCa === undefined ? {} : { ca: this.#serverCa }),
          // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn verification off.
          rejectUnauthorized: true,
          timeout: this.#timeoutMs,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          let size = 0;
          incoming.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              incoming.destroy();
              reject(new AgentServerUnreachable(`${url.origin} answered ${path} with more than ${MAX_ANSWER_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          incoming.on('end', () => resolve({ path, status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          incoming.on('error', (error) => reject(new AgentServerUnreachable(`reading the answer from ${url.origin}: ${error.message}`, { cause: error })));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      outgoing.on('error', (error) => reject(new AgentServerUnreachable(`cannot reach ${url.origin}: ${describeNetworkError(error)}`, { cause: error })));
      outgoing.end(payload);
    });
  }
}

interface Answer {
  readonly path: string;
  readonly status: number;
  readonly text: string;
}

function parse<T>(schema: z.ZodType<T>, answer: Answer): T {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    throw new AgentServerUnreachable(`the server answered ${answer.path} with HTTP ${answer.status} and a body that is not JSON (is --server the Tenet proxy's public URL?)`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentServerUnreachable(`the server's answer to ${answer.path} is not what the protocol says (${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`})`);
  }
  return parsed.data;
}

function refusal(answer: Answer): AgentServerRefusal | AgentServerUnreachable {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  const parsed = errorSchema.safeParse(json);
  if (parsed.success) return new AgentServerRefusal(answer.status, parsed.data.error, parsed.data.error_description ?? '');
  if (answer.status >= 500 || answer.status === 429) return new AgentServerUnreachable(`the server answered ${answer.path} with HTTP ${answer.status}`);
  return new AgentServerRefusal(answer.status, 'invalid_request', `HTTP ${answer.status} without a protocol error body (is --server the Tenet proxy's public URL?)`);
}

function describeNetworkError(error: Error & { code?: string }): string {
  const code = error.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return `${error.message} (the server's TLS certificate is not trusted; for a self-signed proxy certificate pass it with --server-ca at enrollment)`;
  return error.message;
}
