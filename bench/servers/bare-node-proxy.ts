// Child process for the proxy benchmark's runtime floor: the least a reverse proxy on node:http can
// do — no routing, no session, no decision, no header hygiene — with the same keep-alive upstream
// agent and an identity header the size of Tenet's assertion. What separates Tenet from nginx is
// mostly this floor; what separates Tenet from this row is Tenet's own work.
// Usage: tsx bench/servers/bare-node-proxy.ts <upstream URL>. Prints `{"listening": url}`.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
/** An ES256 JWT with Tenet's claims is about this long. */
const assertion = 'x'.repeat(640);

const server = createServer((incoming, outgoing) => {
  const forwarded = request(
    { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, agent, headers: { ...incoming.headers, host: upstream.host, 'x-tenet-assertion': assertion } },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  forwarded.on('error', () => outgoing.writeHead(502).end());
  incoming.pipe(forwarded);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ listening: `http://127.0.0.1:${port}` }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
