// Test support for the transmitter's tests (not used by production code): a Tenet API-shaped
// fastify instance with the SSF routes over a real SQLite store, bearer tokens of chosen scopes, a
// log capture, and a real HTTP push receiver on 127.0.0.1:0 that records what it is sent.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { pino, type Logger } from 'pino';
import { sha256Hex } from '../../api/auth-token.js';
import '../../api/caller.js';
import { installErrorHandling } from '../../api/errors.js';
import { useJsonBodyParser } from '../../api/json-body.js';
import { createApiMetrics } from '../../api/metrics.js';
import type { ApiScope, Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SET_TYPE } from '../caep-events.js';
import { SetSigner } from '../set/sign-set.js';
import { CaepTransmitter, type CaepTransmitterOptions } from './caep-transmitter.js';
import { registerSsfTransmitterRoutes } from './routes.js';

export const ISSUER = 'https://tenet.example';

/** Log lines as parsed JSON objects. */
export function logCapture(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

export interface Harness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly transmitter: CaepTransmitter;
  readonly signer: SetSigner;
  readonly logs: Record<string, unknown>[];
  /** A new bearer token with these scopes, stored hashed. */
  token(scopes: readonly ApiScope[], name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: { readonly dbPath?: string; readonly signer?: SetSigner } & Partial<Omit<CaepTransmitterOptions, 'store' | 'signer' | 'logger' | 'issuer'>> = {}): Promise<Harness> {
  const store = await openSqliteStore({ path: options.dbPath ?? ':memory:' });
  const signer = options.signer ?? (await SetSigner.ephemeral());
  const { logger, lines } = logCapture();
  const transmitter = new CaepTransmitter({
    store: store.ssfTransmitter,
    signer,
    issuer: ISSUER,
    logger,
    maxPending: options.maxPending ?? 100,
    pushTimeoutMs: options.pushTimeoutMs ?? 5000,
    defaultSubjects: options.defaultSubjects ?? 'ALL',
    pollWaitMs: options.pollWaitMs ?? 30_000,
    retry: options.retry ?? { initialMs: 20, maxMs: 100 },
  });
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  app.decorateRequest('caller', null);
  useJsonBodyParser(app);
  installErrorHandling(app, createApiMetrics());
  await registerSsfTransmitterRoutes(app, { transmitter, store, auth: { mode: 'token', staticTokens: [] } });
  await app.ready();
  await transmitter.start();
  return {
    app,
    store,
    transmitter,
    signer,
    logs: lines,
    async token(scopes, name = 'receiver') {
      const token = `tnt_${randomBytes(24).toString('base64url')}`;
      await store.apiTokens.create({ id: randomUUID(), name, tokenHash: sha256Hex(token), scopes: [...scopes], createdAt: new Date().toISOString() });
      return token;
    },
    async close() {
      await transmitter.stop();
      await app.close();
      await store.close();
    },
  };
}

/** Verifies a SET as a receiver would (signature against the JWKS, typ, iss, aud) and returns its claims. */
export async function verifySet(token: string, jwks: { keys: readonly object[] }, audience: string): Promise<JWTPayload> {
  const keySet = createLocalJWKSet({ keys: [...jwks.keys] } as Parameters<typeof createLocalJWKSet>[0]);
  const { payload, protectedHeader } = await jwtVerify(token, keySet, { issuer: ISSUER, audience, typ: SET_TYPE, algorithms: ['ES256'] });
  if (protectedHeader.kid === undefined) throw new Error('SET without kid');
  return payload;
}

export interface ReceivedPush {
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly token: string;
}

/** A real RFC 8935 push endpoint. `respond` decides each answer's status (202 by default). */
export class PushReceiver {
  readonly received: ReceivedPush[] = [];
  respond: (push: ReceivedPush, index: number) => { status: number; body?: unknown } = () => ({ status: 202 });
  #server: Server | undefined;
  #waiters: { count: number; resolve: () => void }[] = [];
  #attempts = 0;

  get url(): string {
    const address = this.#server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/events`;
  }

  /** Every request seen, including those answered with an error. */
  get attempts(): number {
    return this.#attempts;
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const push: ReceivedPush = { contentType: request.headers['content-type'], authorization: request.headers.authorization, token: Buffer.concat(chunks).toString('utf8') };
        const answer = this.respond(push, this.#attempts);
        this.#attempts += 1;
        if (answer.status >= 200 && answer.status < 300) this.received.push(push);
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body === undefined ? '' : JSON.stringify(answer.body));
        this.#notify();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(port, '127.0.0.1', resolve));
    return this;
  }

  /** Resolves once `count` requests (attempts, accepted or not) have been answered. */
  attemptsReached(count: number): Promise<void> {
    if (this.#attempts >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.#attempts < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
  }
}
