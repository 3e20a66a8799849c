// One access-log line per request (pino, info). Only what operators need to follow a request and
// find its decision: never cookies, Authorization, the identity assertion, the query string (login
// codes and tokens travel there), or the secret segment of Tenet's own secret-bearing paths (a
// device enrollment's poll secret is the last segment of its poll URL).
import type { Logger } from 'pino';
import { pathWithoutQuery } from './request-target.js';

export interface AccessLogEntry {
  readonly method: string;
  readonly host: string;
  /** Path and query as received; the query is removed before logging. */
  readonly path: string;
  readonly status: number;
  /** The verdict kind, or what happened instead ("reserved", "rejected", "error"). */
  readonly outcome: string;
  readonly decisionId?: string | undefined;
  readonly route?: string | undefined;
  /** Why forwarding failed, when it did. */
  readonly failure?: string | undefined;
  readonly upstreamMs?: number | undefined;
  readonly durationMs: number;
  readonly websocket?: boolean;
}

/** Reserved paths whose last segment is a secret (src/devices/protocol.ts DEVICE_PATHS.enrollmentPoll). */
const SECRET_PATH_PREFIXES = ['/.tenet/device/enroll/'] as const;

/** The path with the secret segment of a secret-bearing reserved path replaced. */
export function loggablePath(path: string): string {
  const prefix = SECRET_PATH_PREFIXES.find((candidate) => path.startsWith(candidate) && path.length > candidate.length);
  return prefix === undefined ? path : `${prefix}<redacted>`;
}

export function logAccess(logger: Logger, entry: AccessLogEntry): void {
  // Building the entry costs more than pino's own level check: skip it when nothing would be written.
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      method: entry.method,
      host: entry.host,
      path: loggablePath(pathWithoutQuery(entry.path)),
      status: entry.status,
      outcome: entry.outcome,
      ...(entry.decisionId === undefined ? {} : { decisionId: entry.decisionId }),
      ...(entry.route === undefined ? {} : { route: entry.route }),
      ...(entry.failure === undefined ? {} : { failure: entry.failure }),
      ...(entry.upstreamMs === undefined ? {} : { upstreamMs: Math.round(entry.upstreamMs * 10) / 10 }),
      durationMs: Math.round(entry.durationMs * 10) / 10,
      ...(entry.websocket === true ? { websocket: true } : {}),
    },
    'proxy request',
  );
}
