// The RFC 8935 push endpoint, POST /ssf/receiver/:transmitterId, as a Fastify plugin. Register it
// on the API listener OUTSIDE the API token scope: the transmitter authenticates with its own push
// token (checked by the receiver), not with a Tenet API token. The content-type parser lives in the
// plugin's own scope, so it changes nothing for other routes. Either `app.register(registerSsfReceiverRoutes, deps)` or
// `await registerSsfReceiverRoutes(app, deps)` works.
import type { FastifyInstance } from 'fastify';
import { MAX_SET_LENGTH } from '../set/verify-set.js';
import type { SsfReceiver } from './ssf-receiver.js';

export interface SsfReceiverRouteDeps {
  readonly receiver: Pick<SsfReceiver, 'receivePush'>;
  /** Largest body accepted (default 64 KiB, the longest SET read). */
  readonly bodyLimitBytes?: number;
}

export async function registerSsfReceiverRoutes(app: FastifyInstance, deps: SsfReceiverRouteDeps): Promise<void> {
  // Its own child scope, so parsers and the error handler below stay here even when this is called
  // directly on the root instance instead of through app.register.
  await app.register(async (scope) => {
    pushRoute(scope, deps);
  });
}

function pushRoute(app: FastifyInstance, deps: SsfReceiverRouteDeps): void {
  const bodyLimit = deps.bodyLimitBytes ?? MAX_SET_LENGTH;
  // Every content type is read as text here; the receiver answers a wrong one with the RFC's
  // invalid_request rather than Fastify's 415, so the transmitter gets an error it understands.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, typeof body === 'string' ? body : body.toString('utf8'));
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    request.log.warn({ code: error.code }, 'SSF push refused before reading the SET');
    void reply
      .code(tooLarge ? 413 : (error.statusCode ?? 400) < 500 ? 400 : 500)
      .header('content-type', 'application/json')
      .send({ err: 'invalid_request', description: tooLarge ? `the SET is larger than ${bodyLimit} bytes` : 'the request could not be read' });
  });
  app.post<{ Params: { transmitterId: string } }>('/ssf/receiver/:transmitterId', { bodyLimit }, async (request, reply) => {
    const answer = await deps.receiver.receivePush(request.params.transmitterId, {
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      body: typeof request.body === 'string' ? request.body : '',
    });
    for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value);
    if (answer.body === undefined) return reply.code(answer.status).send();
    return reply.code(answer.status).header('content-type', 'application/json').send(answer.body);
  });
}
