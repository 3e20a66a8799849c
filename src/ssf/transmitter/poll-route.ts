// RFC 8936 poll delivery: POST /ssf/poll/:streamId. The receiver acknowledges SETs (`ack`) or
// reports them failed (`setErrs`, logged) — either way they are done — and gets up to `maxEvents`
// pending SETs. Events stay queued until acknowledged, so a lost response loses nothing. With no
// events and `returnImmediately` false the request is held (long poll, §2.3) until one is queued,
// the bound `pollWait` passes, or the receiver goes away.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseWith } from '../../api/zod-issues.js';
import { TenetError } from '../../errors.js';
import type { SsfStreamRecord, SsfTransmitterStore } from '../../store/ports.js';
import type { CaepTransmitter } from './caep-transmitter.js';

/** Most SETs in one poll response, whatever `maxEvents` asks. */
export const MAX_EVENTS_PER_POLL = 1000;
/** Default when `maxEvents` is absent (RFC 8936 §2.4 leaves it to the transmitter). */
const DEFAULT_MAX_EVENTS = 100;

const jti = z.string().min(1).max(256);

const pollSchema = z.object({
  maxEvents: z.number().int().min(0).optional(),
  returnImmediately: z.boolean().optional(),
  ack: z.array(jti).max(MAX_EVENTS_PER_POLL).optional(),
  setErrs: z
    .record(jti, z.object({ err: z.string().max(256), description: z.string().max(1024).optional() }))
    .refine((value) => Object.keys(value).length <= MAX_EVENTS_PER_POLL, `at most ${MAX_EVENTS_PER_POLL} entries`)
    .optional(),
});

export interface PollRouteDeps {
  readonly transmitter: CaepTransmitter;
  readonly streams: SsfTransmitterStore;
  readonly ownStream: (request: FastifyRequest, streamId: string) => Promise<SsfStreamRecord>;
}

export function registerPollRoute(app: FastifyInstance, deps: PollRouteDeps): void {
  app.post<{ Params: { streamId: string } }>('/ssf/poll/:streamId', async (request, reply) => {
    const parsed = parseWith(pollSchema, request.body ?? {});
    if (!parsed.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID', 'Invalid poll request (RFC 8936 §2.4).', parsed.issues);
    const body = parsed.data;
    const stream = await deps.ownStream(request, request.params.streamId);
    if (stream.deliveryMethod !== 'poll') {
      throw new TenetError('TENET_ERR_REQUEST_NOT_POLL_STREAM', `Stream "${stream.id}" uses push delivery; it cannot be polled.`);
    }

    const done = [...(body.ack ?? []), ...Object.keys(body.setErrs ?? {})];
    if (done.length > 0) await deps.streams.acknowledge(stream.id, done);
    for (const [id, error] of Object.entries(body.setErrs ?? {})) {
      request.log.warn({ streamId: stream.id, jti: id, err: error.err, description: error.description }, 'SSF receiver reported an error for a SET');
    }

    const maxEvents = Math.min(body.maxEvents ?? DEFAULT_MAX_EVENTS, MAX_EVENTS_PER_POLL);
    let current = stream;
    let events = await readable(deps, current, maxEvents);
    if (events.length === 0 && maxEvents > 0 && body.returnImmediately !== true) {
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      await deps.transmitter.waitForEvents(stream.id, deps.transmitter.pollWaitMs, gone.signal);
      // The stream may have been deleted or paused while the request was held.
      const again = await deps.streams.getStream(stream.id);
      if (again === undefined || gone.signal.aborted) return reply.header('cache-control', 'no-store').send({ sets: {}, moreAvailable: false });
      current = again;
      events = await readable(deps, current, maxEvents);
    }
    const pending = current.status === 'enabled' ? await deps.streams.countPending(stream.id) : 0;
    return reply
      .header('cache-control', 'no-store')
      .send({ sets: Object.fromEntries(events.map((event) => [event.jti, event.token])), moreAvailable: pending > events.length });
  });
}

/** A paused stream holds its events (SSF 1.0 §8.1.2): nothing is handed out until it is enabled. */
async function readable(deps: PollRouteDeps, stream: SsfStreamRecord, limit: number) {
  if (stream.status !== 'enabled' || limit === 0) return [];
  return deps.streams.pending(stream.id, limit);
}
