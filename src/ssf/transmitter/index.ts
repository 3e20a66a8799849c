// The Shared Signals transmitter's public surface for the composition root.
export { CaepTransmitter, type CaepTransmitterOptions, type InitiatingEntity } from './caep-transmitter.js';
export type { CaepSubject } from './caep-subject.js';
export { registerSsfTransmitterRoutes, SSF_PATHS, type SsfTransmitterRouteDeps } from './routes.js';
export { EVENTS_SUPPORTED, POLL_DELIVERY, PUSH_DELIVERY } from './stream-config.js';
