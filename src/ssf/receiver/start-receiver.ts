// Starts the Shared Signals receiver from `ssf.receiver` config: resolves settings (secrets read,
// durations parsed), and begins discovery, stream setup and polling in the background. Returns at
// once; a transmitter that is down is retried without holding Tenet's start. The returned
// `receiver` is what the push route needs (registerSsfReceiverRoutes).
import type { Logger } from 'pino';
import type { SsfConfig } from '../../config/ssf-schema.js';
import type { SsfReceiverStore } from '../../store/ports.js';
import type { SharedSignalSink } from '../shared-signal-sink.js';
import { receiverSettings, type SecretRef } from './receiver-settings.js';
import { SsfReceiver } from './ssf-receiver.js';

export interface SsfReceiverDeps {
  readonly config: SsfConfig['receiver'];
  /** Audience when ssf.receiver.audience is not set: api.publicUrl, else http://<api listen>. */
  readonly defaultAudience: string;
  /** Tenet's API base URL as transmitters reach it (push URL = `<receiverUrl>/ssf/receiver/<id>`). */
  readonly receiverUrl: string;
  /** Issuers of authentication.providers[] (iss_sub subjects from them resolve to their users). */
  readonly identityProviderIssuers: readonly string[];
  readonly readSecret: (ref: SecretRef) => string;
  readonly store: SsfReceiverStore;
  readonly sink: SharedSignalSink;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly httpTimeoutMs?: number;
}

export interface RunningSsfReceiver {
  readonly receiver: SsfReceiver;
  stop(): Promise<void>;
}

/** Throws TENET_ERR_CONFIG_SSF_* when a secret cannot be read or an id repeats. */
export function startSsfReceiver(deps: SsfReceiverDeps): RunningSsfReceiver {
  const settings = receiverSettings(deps.config, { defaultAudience: deps.defaultAudience, readSecret: deps.readSecret });
  const receiver = new SsfReceiver({
    settings,
    store: deps.store,
    sink: deps.sink,
    logger: deps.logger.child({ component: 'ssf-receiver' }),
    receiverUrl: deps.receiverUrl,
    identityProviderIssuers: deps.identityProviderIssuers,
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.wait === undefined ? {} : { wait: deps.wait }),
    ...(deps.httpTimeoutMs === undefined ? {} : { httpTimeoutMs: deps.httpTimeoutMs }),
  });
  receiver.start();
  return { receiver, stop: () => receiver.stop() };
}
