// Request identification (AuthZEN 1.0 §10.1.3): when a PEP sends `X-Request-ID`, the response MUST
// carry the same identifier. Fastify is configured to adopt that header as the request id (so log
// lines correlate with the PEP's); requests without one get a UUID, which is echoed too.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Used only when the caller sent no X-Request-ID. */
export function newRequestId(): string {
  return randomUUID();
}

export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const sent = request.headers[REQUEST_ID_HEADER];
    reply.header('X-Request-ID', typeof sent === 'string' ? sent : request.id);
    return payload;
  });
}
