// A real SSF transmitter for tests, on 127.0.0.1 port 0: publishes its configuration metadata and
// JWKS, manages streams (create, read, verification), answers RFC 8936 polls from a queue while
// recording acks and setErrs, pushes SETs over HTTP, and signs SETs with jose (ES256). `down` makes
// every endpoint fail as an unreachable transmitter would (the connection is destroyed).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface FakeStream {
  readonly stream_id: string;
  readonly delivery: { method: string; endpoint_url?: string; authorization_header?: string };
  readonly events_requested: readonly string[];
}

export interface SetContent {
  readonly events: Record<string, Record<string, unknown>>;
  readonly sub_id?: unknown;
  readonly aud?: string | string[];
  readonly iss?: string;
  readonly iat?: number;
  readonly jti?: string;
}

export class FakeTransmitter {
  readonly #server: Server;
  #privateKey: CryptoKey | undefined;
  #jwk: JWK | undefined;
  issuer = '';
  /** Every endpoint fails while true (connections are dropped). */
  down = false;
  /** Answers the issuer in the metadata (to test the issuer check). */
  metadataIssuer: string | undefined;
  readonly streams = new Map<string, FakeStream>();
  readonly requests: { method: string; path: string; authorization: string | undefined }[] = [];
  readonly polls: { ack: string[]; setErrs: Record<string, { err: string; description: string }>; maxEvents: unknown; returnImmediately: unknown }[] = [];
  readonly verifications: { stream_id: string; state: string }[] = [];
  /** SETs waiting to be polled, by jti. */
  readonly pending = new Map<string, string>();
  jwksFetches = 0;

  constructor() {
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    this.#privateKey = privateKey;
    this.#jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  get publicJwk(): JWK {
    if (this.#jwk === undefined) throw new Error('not started');
    return this.#jwk;
  }

  /** A signed SET (ES256, kid k1, typ secevent+jwt) from this transmitter. */
  async sign(content: SetContent, header: Record<string, unknown> = {}, key?: CryptoKey): Promise<string> {
    const signingKey = key ?? this.#privateKey;
    if (signingKey === undefined) throw new Error('not started');
    const payload: Record<string, unknown> = { events: content.events, ...(content.sub_id === undefined ? {} : { sub_id: content.sub_id }) };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'secevent+jwt', ...header } as { alg: string })
      .setIssuer(content.iss ?? this.issuer)
      .setAudience(content.aud ?? 'https://tenet.test')
      .setIssuedAt(content.iat ?? Math.floor(Date.now() / 1000))
      .setJti(content.jti ?? randomUUID())
      .sign(signingKey);
  }

  /** Queues a SET for poll delivery; returns its jti. */
  queue(jti: string, set: string): void {
    this.pending.set(jti, set);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.issuer);
    this.requests.push({ method: request.method ?? '', path: url.pathname, authorization: request.headers.authorization });
    if (this.down) {
      request.socket.destroy();
      return;
    }
    const body = await readBody(request);
    const json = (status: number, value?: unknown): void => {
      response.writeHead(status, value === undefined ? {} : { 'content-type': 'application/json' });
      response.end(value === undefined ? undefined : JSON.stringify(value));
    };
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /.well-known/ssf-configuration':
        return json(200, {
          spec_version: '1_0',
          issuer: this.metadataIssuer ?? this.issuer,
          jwks_uri: `${this.issuer}/jwks`,
          delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
          configuration_endpoint: `${this.issuer}/streams`,
          verification_endpoint: `${this.issuer}/verify`,
        });
      case 'GET /jwks':
        this.jwksFetches += 1;
        return json(200, { keys: [this.publicJwk] });
      case 'POST /streams': {
        const input = JSON.parse(body) as { delivery: FakeStream['delivery']; events_requested: string[] };
        const id = randomUUID();
        const delivery = input.delivery.method === 'urn:ietf:rfc:8936' ? { method: input.delivery.method, endpoint_url: `${this.issuer}/poll/${id}` } : input.delivery;
        const stream: FakeStream = { stream_id: id, delivery, events_requested: input.events_requested };
        this.streams.set(id, stream);
        return json(201, { ...stream, iss: this.issuer, aud: 'https://tenet.test', events_delivered: input.events_requested });
      }
      case 'GET /streams': {
        const stream = this.streams.get(url.searchParams.get('stream_id') ?? '');
        return stream === undefined ? json(404) : json(200, { ...stream, iss: this.issuer, aud: 'https://tenet.test' });
      }
      case 'POST /verify':
        this.verifications.push(JSON.parse(body) as { stream_id: string; state: string });
        return json(204);
      default:
        if (request.method === 'POST' && url.pathname.startsWith('/poll/')) {
          const input = JSON.parse(body) as { ack?: string[]; setErrs?: Record<string, { err: string; description: string }>; maxEvents?: unknown; returnImmediately?: unknown };
          this.polls.push({ ack: input.ack ?? [], setErrs: input.setErrs ?? {}, maxEvents: input.maxEvents, returnImmediately: input.returnImmediately });
          for (const jti of [...(input.ack ?? []), ...Object.keys(input.setErrs ?? {})]) this.pending.delete(jti);
          return json(200, { sets: Object.fromEntries(this.pending), moreAvailable: false });
        }
        return json(404);
    }
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
