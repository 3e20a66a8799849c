// Child process for the HTTP benchmark's baseline: the floor for a JSON endpoint on this machine.
// A bare node:http server that reads the request body (as any PDP must) and answers a fixed
// AuthZEN decision. Prints `{"listening": url}` on stdout; exits on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = Buffer.from(JSON.stringify({ decision: true }));
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
    response.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ listening: `http://127.0.0.1:${port}` }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
