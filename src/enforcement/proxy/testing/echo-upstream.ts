// A real upstream for the proxy tests: a node:http server on 127.0.0.1 port 0 that answers each
// request with JSON describing what it received (method, target, headers, body, which connection),
// unless a test installs its own handler. It counts connections, so keep-alive reuse is visible.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  readonly method: string;
  readonly url: string;
  /** Lower-case name → every value received under it, in order. */
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
  /** Which upstream connection carried the request (1-based, in order of acceptance). */
  readonly connection: number;
}

export interface EchoUpstream {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly received: Received[];
  /** Connections accepted so far. */
  connections(): number;
  /** Replace the echo for the next requests (undefined restores it). */
  handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  close(): Promise<void>;
}

export async function startEchoUpstream(options: { tls?: { cert: string; key: string } } = {}): Promise<EchoUpstream> {
  const connectionIds = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  let accepted = 0;
  const received: Received[] = [];
  const upstream: { handle: EchoUpstream['handle'] } = { handle: undefined };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (upstream.handle) {
      upstream.handle(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = { method: req.method ?? '', url: req.url ?? '', headers: headerLists(req.rawHeaders), body: Buffer.concat(chunks).toString('utf8'), connection: connectionIds.get(req.socket) ?? 0 };
      received.push(entry);
      const body = JSON.stringify(entry);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    accepted += 1;
    connectionIds.set(socket, accepted);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    server,
    received,
    connections: () => accepted,
    get handle() {
      return upstream.handle;
    },
    set handle(value) {
      upstream.handle = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function headerLists(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    (headers[name] ??= []).push(rawHeaders[index + 1] ?? '');
  }
  return headers;
}
