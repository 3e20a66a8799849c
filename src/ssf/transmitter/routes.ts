// The SSF 1.0 transmitter's HTTP surface, on the API listener:
//
//   route                                   auth   spec
//   GET    /.well-known/ssf-configuration   public  SSF 1.0 §7.1 transmitter metadata
//   GET    /ssf/jwks.json                   public  RFC 7517 key set for SET signatures
//   POST|GET|PATCH|PUT|DELETE /ssf/stream   ssf     §8.1.1 stream configuration
//   GET|POST /ssf/status                    ssf     §8.1.2 stream status
//   POST   /ssf/subjects/add|remove         ssf     §8.1.3 subjects
//   POST   /ssf/verify                      ssf     §8.1.4 verification
//   POST   /ssf/poll/:streamId              ssf     RFC 8936 poll delivery
//
// A receiver sees and changes only its own streams: another's stream id is simply not found (404),
// which also keeps stream ids from being probed.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireScope } from '../../api/auth.js';
import type { ApiAuthSettings } from '../../api/deps.js';
import { parseWith } from '../../api/zod-issues.js';
import { TenetError } from '../../errors.js';
import type { SsfStreamRecord, Store } from '../../store/ports.js';
import type { CaepTransmitter } from './caep-transmitter.js';
import { registerPollRoute } from './poll-route.js';
import { receiverIdentity } from './receiver-identity.js';
import {
  addSubjectSchema,
  createStreamSchema,
  EVENTS_SUPPORTED,
  eventsDelivered,
  optionalStreamIdQuerySchema,
  POLL_DELIVERY,
  PUSH_DELIVERY,
  removeSubjectSchema,
  replaceStreamSchema,
  statusUpdateSchema,
  streamIdQuerySchema,
  streamJson,
  updateStreamSchema,
  verificationSchema,
  type UpdateStreamBody,
} from './stream-config.js';
import { normaliseSubject, subjectKey } from './stream-subjects.js';

export interface SsfTransmitterRouteDeps {
  readonly transmitter: CaepTransmitter;
  readonly store: Store;
  readonly auth: ApiAuthSettings;
}

export const SSF_PATHS = {
  jwks: '/ssf/jwks.json',
  stream: '/ssf/stream',
  status: '/ssf/status',
  addSubject: '/ssf/subjects/add',
  removeSubject: '/ssf/subjects/remove',
  verify: '/ssf/verify',
  poll: '/ssf/poll',
} as const;

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = parseWith(schema, input ?? {});
  if (!parsed.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID', `Invalid ${what}.`, parsed.issues);
  return parsed.data;
}

function notFound(streamId: string): TenetError {
  return new TenetError('TENET_ERR_REQUEST_STREAM_NOT_FOUND', `No event stream "${streamId}" for this receiver.`);
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/** The metadata document's path: the issuer's path, if any, goes after the well-known name (SSF 1.0 §7.2). */
function metadataPath(issuer: string): string {
  const path = new URL(issuer).pathname.replace(/\/+$/, '');
  return `/.well-known/ssf-configuration${path}`;
}

export async function registerSsfTransmitterRoutes(app: FastifyInstance, deps: SsfTransmitterRouteDeps): Promise<void> {
  const { transmitter } = deps;
  const issuer = transmitter.issuer;
  const url = (path: string): string => `${issuer}${path}`;
  const pollUrl = (streamId: string): string => url(`${SSF_PATHS.poll}/${encodeURIComponent(streamId)}`);
  const render = (stream: SsfStreamRecord): Record<string, unknown> => streamJson(stream, issuer, pollUrl);

  const metadata = {
    spec_version: '1_0',
    issuer,
    jwks_uri: url(SSF_PATHS.jwks),
    delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
    configuration_endpoint: url(SSF_PATHS.stream),
    status_endpoint: url(SSF_PATHS.status),
    add_subject_endpoint: url(SSF_PATHS.addSubject),
    remove_subject_endpoint: url(SSF_PATHS.removeSubject),
    verification_endpoint: url(SSF_PATHS.verify),
    // RFC 6750 bearer tokens of scope `ssf` (or the API's client certificates).
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
    default_subjects: transmitter.defaultSubjects,
  };

  await app.register(async (open) => {
    const paths = new Set(['/.well-known/ssf-configuration', metadataPath(issuer)]);
    for (const path of paths) open.get(path, async (_request, reply) => reply.type('application/json').send(metadata));
    open.get(SSF_PATHS.jwks, async (_request, reply) => reply.type('application/json').header('cache-control', 'max-age=300').send(transmitter.signer.jwks()));
  });

  await app.register(async (api) => {
    api.addHook('onRequest', requireScope('ssf', deps.auth, deps.store));
    const streams = deps.store.ssfTransmitter;

    /** The caller's stream, or 404 (also for another receiver's stream). */
    async function ownStream(request: FastifyRequest, streamId: string): Promise<SsfStreamRecord> {
      const stream = await streams.getStream(streamId);
      if (stream === undefined || stream.owner !== receiverIdentity(request)) throw notFound(streamId);
      return stream;
    }

    /** Transmitter-supplied members a receiver echoes must match (§8.1.1.3); `aud` cannot change. */
    function checkEchoed(body: UpdateStreamBody, stream: SsfStreamRecord): void {
      const issues: { path: string; message: string }[] = [];
      if (body.iss !== undefined && body.iss !== issuer) issues.push({ path: 'iss', message: `must be ${issuer}` });
      if (body.aud !== undefined) {
        const aud = typeof body.aud === 'string' ? [body.aud] : body.aud;
        if (aud.length !== stream.audience.length || aud.some((one, index) => one !== stream.audience[index])) issues.push({ path: 'aud', message: 'cannot be changed' });
      }
      if (body.events_delivered !== undefined) {
        const expected = eventsDelivered(stream.eventsRequested);
        if (body.events_delivered.length !== expected.length || body.events_delivered.some((one, index) => one !== expected[index])) {
          issues.push({ path: 'events_delivered', message: 'does not match the current events_delivered' });
        }
      }
      if (issues.length > 0) throw new TenetError('TENET_ERR_REQUEST_INVALID', 'A transmitter-supplied member does not match the stream.', issues);
    }

    api.post(SSF_PATHS.stream, async (request, reply) => {
      const body = parse(createStreamSchema, request.body, 'stream configuration');
      if (body.iss !== undefined && body.iss !== issuer) throw new TenetError('TENET_ERR_REQUEST_INVALID', 'Invalid stream configuration.', [{ path: 'iss', message: `must be ${issuer}` }]);
      const delivery = body.delivery ?? { method: POLL_DELIVERY };
      const identity = receiverIdentity(request);
      const now = new Date().toISOString();
      const record: SsfStreamRecord = {
        id: randomBytes(16).toString('hex'),
        owner: identity,
        audience: body.aud === undefined ? [defaultAudience(delivery, request)] : typeof body.aud === 'string' ? [body.aud] : [...body.aud],
        deliveryMethod: delivery.method === PUSH_DELIVERY ? 'push' : 'poll',
        ...(delivery.method === PUSH_DELIVERY ? { endpointUrl: delivery.endpoint_url } : {}),
        ...(delivery.method === PUSH_DELIVERY && delivery.authorization_header !== undefined ? { authorizationHeader: delivery.authorization_header } : {}),
        // Absent: every event Tenet transmits (an explicit [] asks for none).
        eventsRequested: body.events_requested ?? [...EVENTS_SUPPORTED],
        ...(body.description === undefined ? {} : { description: body.description }),
        defaultSubjects: transmitter.defaultSubjects,
        status: 'enabled',
        createdAt: now,
        updatedAt: now,
      };
      await streams.createStream(record);
      request.log.info({ streamId: record.id, delivery: record.deliveryMethod, receiver: request.caller?.name }, 'SSF stream created');
      return noStore(reply).code(201).send(render(record));
    });

    api.get(SSF_PATHS.stream, async (request, reply) => {
      const query = parse(optionalStreamIdQuerySchema, request.query, 'query');
      if (query.stream_id !== undefined) return noStore(reply).send(render(await ownStream(request, query.stream_id)));
      return noStore(reply).send((await streams.listStreams(receiverIdentity(request))).map(render));
    });

    const change = (replace: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const body = parse(replace ? replaceStreamSchema : updateStreamSchema, request.body, 'stream configuration');
      const stream = await ownStream(request, body.stream_id);
      checkEchoed(body, stream);
      const updated = applyChange(stream, body, replace);
      await streams.updateStream(updated);
      await transmitter.streamChanged(updated);
      return noStore(reply).send(render(updated));
    };
    api.patch(SSF_PATHS.stream, change(false));
    api.put(SSF_PATHS.stream, change(true));

    api.delete(SSF_PATHS.stream, async (request, reply) => {
      const query = parse(streamIdQuerySchema, request.query, 'query');
      const stream = await ownStream(request, query.stream_id);
      await streams.deleteStream(stream.id);
      transmitter.streamDeleted(stream.id);
      request.log.info({ streamId: stream.id }, 'SSF stream deleted');
      return noStore(reply).code(204).send();
    });

    api.get(SSF_PATHS.status, async (request, reply) => {
      const query = parse(streamIdQuerySchema, request.query, 'query');
      const stream = await ownStream(request, query.stream_id);
      return noStore(reply).send(statusJson(stream));
    });

    api.post(SSF_PATHS.status, async (request, reply) => {
      const body = parse(statusUpdateSchema, request.body, 'stream status');
      const stream = await ownStream(request, body.stream_id);
      const { statusReason: _previous, ...rest } = stream;
      const updated: SsfStreamRecord = { ...rest, status: body.status, ...(body.reason === undefined ? {} : { statusReason: body.reason }), updatedAt: new Date().toISOString() };
      await streams.updateStream(updated);
      await transmitter.streamChanged(updated);
      request.log.info({ streamId: stream.id, status: body.status }, 'SSF stream status changed');
      return noStore(reply).send(statusJson(updated));
    });

    api.post(SSF_PATHS.addSubject, async (request, reply) => {
      const body = parse(addSubjectSchema, request.body, 'add-subject request');
      const stream = await ownStream(request, body.stream_id);
      const subject = normaliseSubject(body.subject);
      await streams.putSubject(stream.id, { key: subjectKey(subject), subject, included: true });
      // §8.1.3.2: 200 whether or not Tenet knows the subject (no probing for who exists).
      return noStore(reply).code(200).send();
    });

    api.post(SSF_PATHS.removeSubject, async (request, reply) => {
      const body = parse(removeSubjectSchema, request.body, 'remove-subject request');
      const stream = await ownStream(request, body.stream_id);
      const subject = normaliseSubject(body.subject);
      await streams.putSubject(stream.id, { key: subjectKey(subject), subject, included: false });
      return noStore(reply).code(204).send();
    });

    api.post(SSF_PATHS.verify, async (request, reply) => {
      const body = parse(verificationSchema, request.body, 'verification request');
      const stream = await ownStream(request, body.stream_id);
      await transmitter.verify(stream, body.state);
      return noStore(reply).code(204).send();
    });

    registerPollRoute(api, { transmitter, streams, ownStream });
  });
}

/** Without an `aud` from the receiver: its push endpoint's origin, else its caller name (poll). */
function defaultAudience(delivery: { method: string; endpoint_url?: string | undefined }, request: FastifyRequest): string {
  if (delivery.method === PUSH_DELIVERY && delivery.endpoint_url !== undefined) return new URL(delivery.endpoint_url).origin;
  return request.caller?.name ?? 'receiver';
}

function statusJson(stream: SsfStreamRecord): Record<string, unknown> {
  return { stream_id: stream.id, status: stream.status, ...(stream.statusReason === undefined ? {} : { reason: stream.statusReason }) };
}

/** PATCH changes only the members given; PUT also deletes the receiver-supplied members left out (§8.1.1.3–4). */
function applyChange(stream: SsfStreamRecord, body: UpdateStreamBody, replace: boolean): SsfStreamRecord {
  const { endpointUrl: _e, authorizationHeader: _a, description: _d, ...base } = stream;
  let delivery: Pick<SsfStreamRecord, 'deliveryMethod' | 'endpointUrl' | 'authorizationHeader'>;
  if (body.delivery === undefined) {
    delivery = replace
      ? { deliveryMethod: 'poll' }
      : {
          deliveryMethod: stream.deliveryMethod,
          ...(stream.endpointUrl === undefined ? {} : { endpointUrl: stream.endpointUrl }),
          ...(stream.authorizationHeader === undefined ? {} : { authorizationHeader: stream.authorizationHeader }),
        };
  } else if (body.delivery.method === PUSH_DELIVERY) {
    delivery = { deliveryMethod: 'push', endpointUrl: body.delivery.endpoint_url, ...(body.delivery.authorization_header === undefined ? {} : { authorizationHeader: body.delivery.authorization_header }) };
  } else {
    delivery = { deliveryMethod: 'poll' };
  }
  const eventsRequested = body.events_requested ?? (replace ? [] : stream.eventsRequested);
  const description = body.description ?? (replace ? undefined : stream.description);
  return {
    ...base,
    ...delivery,
    eventsRequested,
    ...(description === undefined ? {} : { description }),
    updatedAt: new Date().toISOString(),
  } as SsfStreamRecord;
}
