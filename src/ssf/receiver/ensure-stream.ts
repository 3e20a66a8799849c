// Makes sure the transmitter delivers to Tenet on a stream (SSF 1.0 §8.1.1): a configured
// `streamId` is used as given; otherwise the stream Tenet created earlier (kept in the store) is
// read back, and when it is gone (404) or was never made, a new one is created at
// `configuration_endpoint` — push to Tenet's endpoint with the push token as the Authorization the
// transmitter must send, or poll. For poll, the stream's `delivery.endpoint_url` is where to poll.
import { z } from 'zod';
import { TenetError } from '../../errors.js';
import type { SsfReceiverStore } from '../../store/ports.js';
import { POLL_DELIVERY, PUSH_DELIVERY, type TransmitterMetadata } from './discover-transmitter.js';
import type { ReceiverTransmitter } from './receiver-settings.js';
import { callTransmitter } from './transmitter-http.js';

const streamSchema = z.object({
  stream_id: z.string().min(1).max(256),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  delivery: z.object({ method: z.string(), endpoint_url: z.string().optional() }).optional(),
});

export interface StreamInUse {
  readonly streamId: string;
  /** For poll delivery: the transmitter's poll endpoint. */
  readonly pollUrl?: string;
  /** True when this call created the stream (the caller may then ask for verification). */
  readonly created: boolean;
  /** The stream's aud, when the transmitter said (a warning is due when it does not name Tenet). */
  readonly aud?: readonly string[];
}

export interface EnsureStreamInput {
  readonly transmitter: ReceiverTransmitter;
  readonly metadata: TransmitterMetadata;
  readonly store: SsfReceiverStore;
  /** Tenet's push endpoint for this transmitter. */
  readonly pushUrl: string;
  readonly timeoutMs: number;
  readonly now: () => Date;
  readonly signal?: AbortSignal;
}

export async function ensureStream(input: EnsureStreamInput): Promise<StreamInUse> {
  const { transmitter } = input;
  if (transmitter.streamId !== undefined) {
    if (transmitter.delivery === 'push') return { streamId: transmitter.streamId, created: false };
    const existing = await readStream(input, transmitter.streamId);
    if (existing === undefined) throw new TenetError('TENET_ERR_INTERNAL_SSF_STREAM_MISSING', `transmitter ${transmitter.id} has no stream ${transmitter.streamId}`);
    return inUse(existing, false, transmitter);
  }
  const stored = await input.store.getStream(transmitter.id);
  if (stored !== undefined && stored.issuer === transmitter.issuer && stored.delivery === transmitter.delivery) {
    const existing = await readStream(input, stored.streamId);
    if (existing !== undefined) return inUse(existing, false, transmitter);
    await input.store.removeStream(transmitter.id);
  }
  const created = await createStream(input);
  await input.store.putStream({ transmitterId: transmitter.id, issuer: transmitter.issuer, streamId: created.stream_id, delivery: transmitter.delivery, createdAt: input.now().toISOString() });
  return inUse(created, true, transmitter);
}

function inUse(stream: z.infer<typeof streamSchema>, created: boolean, transmitter: ReceiverTransmitter): StreamInUse {
  const aud = stream.aud === undefined ? undefined : typeof stream.aud === 'string' ? [stream.aud] : stream.aud;
  if (transmitter.delivery === 'poll') {
    const pollUrl = stream.delivery?.endpoint_url;
    if (stream.delivery?.method !== POLL_DELIVERY || pollUrl === undefined) {
      throw new TenetError('TENET_ERR_CONFIG_SSF_STREAM_MISMATCH', `the stream ${stream.stream_id} of transmitter ${transmitter.id} is not a poll stream with an endpoint_url`);
    }
    return { streamId: stream.stream_id, pollUrl, created, ...(aud === undefined ? {} : { aud }) };
  }
  return { streamId: stream.stream_id, created, ...(aud === undefined ? {} : { aud }) };
}

function endpoint(input: EnsureStreamInput): string {
  const url = input.metadata.configurationEndpoint;
  if (url === undefined) throw new TenetError('TENET_ERR_INTERNAL_SSF_STREAM_MISSING', `transmitter ${input.transmitter.id} publishes no configuration_endpoint; configure streamId`);
  return url;
}

async function readStream(input: EnsureStreamInput, streamId: string): Promise<z.infer<typeof streamSchema> | undefined> {
  const url = new URL(endpoint(input));
  url.searchParams.set('stream_id', streamId);
  const response = await callTransmitter(request(input, 'GET', url.toString()));
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new TenetError('TENET_ERR_INTERNAL_SSF_STREAM_FAILED', `reading stream ${streamId} of transmitter ${input.transmitter.id} answered HTTP ${response.status}`);
  // §8.1.1.2: a GET with stream_id answers one configuration; some transmitters answer a list.
  const body = Array.isArray(response.json) ? response.json.find((item: unknown) => (item as { stream_id?: unknown } | null)?.stream_id === streamId) : response.json;
  const parsed = streamSchema.safeParse(body);
  if (!parsed.success || parsed.data.stream_id !== streamId) return undefined;
  return parsed.data;
}

async function createStream(input: EnsureStreamInput): Promise<z.infer<typeof streamSchema>> {
  const { transmitter } = input;
  const method = transmitter.delivery === 'push' ? PUSH_DELIVERY : POLL_DELIVERY;
  if (input.metadata.deliveryMethodsSupported.length > 0 && !input.metadata.deliveryMethodsSupported.includes(method)) {
    throw new TenetError('TENET_ERR_CONFIG_SSF_STREAM_MISMATCH', `transmitter ${transmitter.id} does not support ${transmitter.delivery} delivery`);
  }
  if (transmitter.delivery === 'push' && transmitter.pushToken === undefined) {
    throw new TenetError('TENET_ERR_CONFIG_SSF_PUSH_TOKEN', `transmitter ${transmitter.id} uses push delivery but has no pushToken`);
  }
  const delivery =
    transmitter.delivery === 'push'
      ? { method, endpoint_url: input.pushUrl, authorization_header: `Bearer ${transmitter.pushToken ?? ''}` }
      : { method };
  const response = await callTransmitter(request(input, 'POST', endpoint(input), { delivery, events_requested: transmitter.events, description: 'Tenet zero trust control plane' }));
  if (response.status !== 200 && response.status !== 201) {
    throw new TenetError('TENET_ERR_INTERNAL_SSF_STREAM_FAILED', `creating a stream at transmitter ${transmitter.id} answered HTTP ${response.status}`);
  }
  const parsed = streamSchema.safeParse(response.json);
  if (!parsed.success) throw new TenetError('TENET_ERR_INTERNAL_SSF_STREAM_FAILED', `transmitter ${transmitter.id} answered the stream creation with an invalid configuration`);
  return parsed.data;
}

function request(input: EnsureStreamInput, method: 'GET' | 'POST', url: string, body?: unknown): Parameters<typeof callTransmitter>[0] {
  return {
    method,
    url,
    timeoutMs: input.timeoutMs,
    allowInsecureHttp: input.transmitter.allowInsecureHttp,
    ...(input.transmitter.managementToken === undefined ? {} : { token: input.transmitter.managementToken }),
    ...(body === undefined ? {} : { body }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  };
}

/** Asks the transmitter to send a verification event (SSF 1.0 §8.1.4.2); resolves to whether it agreed. */
export async function requestVerification(input: EnsureStreamInput, streamId: string, state: string): Promise<boolean> {
  const url = input.metadata.verificationEndpoint;
  if (url === undefined) return false;
  const response = await callTransmitter(request(input, 'POST', url, { stream_id: streamId, state }));
  return response.status === 204 || response.status === 200 || response.status === 202;
}
