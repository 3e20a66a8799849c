// Ordered list of SQLite schema migrations. Each migration is applied once, in version order,
// inside a transaction; the applied versions are recorded in `schema_migrations`.
// INVARIANT: never edit a released migration; add a new one.
import type { Migration } from './migration.js';
import { migration as signals } from './0001-signals.js';
import { migration as audit } from './0002-audit.js';
import { migration as sessions } from './0003-sessions.js';
import { migration as deviceIdentity } from './0004-device-identity.js';
import { migration as passkeys } from './0005-passkeys.js';
import { migration as subjectSignals } from './0006-subject-signals.js';
import { migration as ssfReceiver } from './0007-ssf-receiver.js';
import { migration as ssfTransmitter } from './0008-ssf-transmitter.js';
import { migration as threatFeeds } from './0009-threat-feeds.js';
import { migration as sessionEmailIndex } from './0010-session-email-index.js';

export const MIGRATIONS: readonly Migration[] = [signals, audit, sessions, deviceIdentity, passkeys, subjectSignals, ssfReceiver, ssfTransmitter, threatFeeds, sessionEmailIndex];
