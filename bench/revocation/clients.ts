// The benchmark's sessions as clients: each polls on its own keep-alive connection through the
// proxy (cookie, X-Forwarded-For from the trusted loopback peer) or forward-auth (nginx
// auth_request headers, the device certificate as nginx forwards it), some hold a WebSocket through
// the proxy; `measure` times, per session, its signal to its first denied answer or closed socket.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { BenchDevice } from './devices.js';
import { BACKGROUND_MS, DEADLINE_MS, POLL_MS } from './options.js';
import { APP_HOST, type BenchStack } from './stack.js';

export interface Client {
  readonly index: number;
  readonly via: 'proxy' | 'forward-auth';
  readonly ip: string;
  readonly email: string;
  /** Requested path: '/' (route hello), DEVICE_PATH (route device, needs a compliant device). */
  readonly path: string;
  readonly agent: Agent;
  device?: BenchDevice;
  cookie: string;
  sessionId: string;
  fast: boolean;
  stopped: boolean;
  /** performance.now() of the first non-2xx answer while watched. */
  deniedAt?: number;
  /** The status of that answer. */
  deniedStatus?: number;
  watching: boolean;
  ws?: WebSocket;
  wsClosedAt?: number;
  /** Ends the current wait between polls (a client switched to fast polling must not sleep out its slow interval). */
  wake?: () => void;
}

/** One request as the client's PEP path sends it; resolves with the status. */
export function send(stack: BenchStack, client: Client): Promise<number> {
  const headers: Record<string, string> =
    client.via === 'proxy'
      ? { host: APP_HOST, cookie: client.cookie, 'x-forwarded-for': client.ip, accept: 'application/json' }
      : {
          host: APP_HOST,
          cookie: client.cookie,
          'x-original-uri': client.path,
          'x-original-method': 'GET',
          'x-forwarded-host': APP_HOST,
          'x-forwarded-proto': 'http',
          'x-real-ip': client.ip,
          accept: 'application/json',
          // nginx: proxy_set_header X-Tenet-Client-Cert $ssl_client_escaped_cert;
          ...(client.device === undefined ? {} : { 'x-tenet-client-cert': client.device.forwardedCertificate }),
        };
  const path = client.via === 'proxy' ? client.path : '/.tenet/forward-auth?mode=nginx';
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.proxyPort, path, headers, agent: client.agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits `ms`, or less when the client is woken (switched to fast polling). */
function pause(client: Client, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    client.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/**
 * Polls at the client's interval until stopped; notes the first denied answer while watched. The
 * first poll comes at a random point of the first interval: sessions are not synchronised, and a
 * thousand polls in lock-step every BACKGROUND_MS would measure bursts the benchmark made.
 */
/** Requests that got no answer at all (retried at once; reported). */
let failedRequests = 0;

export function requestsWithoutAnswer(): number {
  return failedRequests;
}

export async function poll(stack: BenchStack, client: Client): Promise<void> {
  await pause(client, Math.random() * BACKGROUND_MS);
  while (!client.stopped) {
    const started = performance.now();
    const status = await send(stack, client).catch(() => 0);
    if (status === 0) {
      // No answer (a keep-alive connection the server closed as it was reused): not a denial; ask again.
      failedRequests += 1;
      await pause(client, 10);
      continue;
    }
    if (client.watching && client.deniedAt === undefined && (status < 200 || status >= 300)) {
      client.deniedAt = performance.now();
      client.deniedStatus = status;
    }
    if (client.deniedAt !== undefined) return;
    await pause(client, (client.fast ? POLL_MS : BACKGROUND_MS) - (performance.now() - started));
  }
}

export function openSocket(stack: BenchStack, client: Client): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${stack.proxyPort}/ws`, { headers: { host: APP_HOST, cookie: client.cookie, 'x-forwarded-for': client.ip } });
  client.ws = ws;
  ws.on('error', () => undefined);
  ws.once('close', () => (client.wsClosedAt = performance.now()));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
  });
}

async function until(done: () => boolean, deadlineMs: number): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!done() && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

export interface Measured {
  readonly http: number[];
  readonly sockets: number[];
  readonly missed: number;
  /** How the first denied answers were given: status → count (a 500 is a failure, not a denial). */
  readonly statuses: ReadonlyMap<number, number>;
}

/**
 * The probe: from its signal on, a session polls every POLL_MS (the first request at once). Only
 * sessions whose signal was sent and that are not cut yet poll fast, so the probing adds little
 * load: a whole group polling fast at once (100 × 20 req/s here) would saturate this one process
 * and measure the benchmark's own queue rather than Tenet's revocation path.
 */
export function probe(client: Client): void {
  client.fast = true;
  client.wake?.();
}

/** Watches the group, injects, and collects each member's time from its injection to its cut. */
export async function measure(group: readonly Client[], inject: () => Promise<Map<Client, number>>): Promise<Measured> {
  // Every member was allowed on its first request and has been polling since (every
  // BACKGROUND_MS, well inside the decision cache's lifetime): its allow is cached when the signal comes.
  for (const client of group) client.watching = true;
  const injectedAt = await inject();
  const sockets = group.filter((client) => client.ws !== undefined);
  await until(() => group.every((client) => client.deniedAt !== undefined) && sockets.every((client) => client.wsClosedAt !== undefined), DEADLINE_MS);
  const http: number[] = [];
  const closed: number[] = [];
  let missed = 0;
  const statuses = new Map<number, number>();
  for (const client of group) {
    if (client.deniedStatus !== undefined) statuses.set(client.deniedStatus, (statuses.get(client.deniedStatus) ?? 0) + 1);
    const t0 = injectedAt.get(client) ?? Number.NaN;
    if (client.deniedAt === undefined) missed += 1;
    else http.push(client.deniedAt - t0);
    if (client.ws !== undefined) {
      if (client.wsClosedAt === undefined) missed += 1;
      else closed.push(client.wsClosedAt - t0);
    }
    client.stopped = true;
  }
  return { http, sockets: closed, missed, statuses };
}
