// The receiver's settings, resolved once from `ssf.receiver` (src/config/ssf-schema.ts): durations
// in seconds, secrets read, subject formats as a set. Reading a secret that is missing fails start
// (a push endpoint without its token would have to refuse everything anyway).
import { durationSeconds } from '../../config/duration.js';
import type { SsfConfig } from '../../config/ssf-schema.js';
import { TenetError } from '../../errors.js';
import { CAEP_EVENTS } from '../caep-events.js';

export interface SecretRef {
  readonly file?: string | undefined;
  readonly env?: string | undefined;
}

export interface ReceiverTransmitter {
  readonly id: string;
  readonly issuer: string;
  readonly delivery: 'push' | 'poll';
  readonly streamId?: string;
  readonly managementToken?: string;
  readonly pushToken?: string;
  readonly pollIntervalMs: number;
  /** Event types asked for when creating a stream. */
  readonly events: readonly string[];
  readonly subjects: ReadonlySet<string>;
  readonly allowInsecureHttp: boolean;
}

export interface ReceiverSettings {
  readonly audience: string;
  readonly maxClockSkewSeconds: number;
  readonly maxAgeSeconds: number;
  readonly transmitters: ReadonlyMap<string, ReceiverTransmitter>;
}

export function receiverSettings(config: SsfConfig['receiver'], input: { readonly defaultAudience: string; readonly readSecret: (ref: SecretRef) => string }): ReceiverSettings {
  const transmitters = new Map<string, ReceiverTransmitter>();
  for (const [index, source] of config.transmitters.entries()) {
    if (transmitters.has(source.id)) throw new TenetError('TENET_ERR_CONFIG_SSF_DUPLICATE_TRANSMITTER', `ssf.receiver.transmitters.${index}: the id "${source.id}" is used twice`);
    const read = (ref: SecretRef | undefined, name: string): string | undefined => {
      if (ref === undefined) return undefined;
      try {
        const value = input.readSecret(ref).trim();
        if (value.length === 0) throw new Error('it is empty');
        return value;
      } catch (error) {
        throw new TenetError('TENET_ERR_CONFIG_SSF_SECRET', `ssf.receiver.transmitters.${index}.${name} cannot be read: ${(error as Error).message}`, [], { cause: error });
      }
    };
    const pushToken = read(source.pushToken, 'pushToken');
    const managementToken = read(source.managementToken, 'managementToken');
    transmitters.set(source.id, {
      id: source.id,
      issuer: source.issuer,
      delivery: source.delivery,
      ...(source.streamId === undefined ? {} : { streamId: source.streamId }),
      ...(managementToken === undefined ? {} : { managementToken }),
      ...(pushToken === undefined ? {} : { pushToken }),
      pollIntervalMs: durationSeconds(source.pollInterval) * 1000,
      events: source.events.length > 0 ? source.events : Object.values(CAEP_EVENTS),
      subjects: new Set(source.subjects),
      allowInsecureHttp: source.allowInsecureHttp,
    });
  }
  return {
    audience: config.audience ?? input.defaultAudience,
    maxClockSkewSeconds: durationSeconds(config.maxClockSkew),
    maxAgeSeconds: durationSeconds(config.maxAge),
    transmitters,
  };
}
