// THE one place where error codes become HTTP statuses (house style: one catalogue, mapped once),
// plus the fastify error and 404 handlers that render every failure as
// `{ "error": { "code", "message", "issues" } }`. Unknown exceptions become a 500 with a generic
// message: the detail goes to the log, never to the caller (no stack traces, no internals).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TenetError, isTenetError, type ErrorArea, type ErrorIssue } from '../errors.js';
import type { ApiMetrics } from './metrics.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues: readonly ErrorIssue[];
  };
}

/** Codes whose status differs from their area's default. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  TENET_ERR_REQUEST_BODY_TOO_LARGE: 413,
  TENET_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE: 415,
  TENET_ERR_AUTH_INSUFFICIENT_SCOPE: 403,
  TENET_ERR_POLICY_RELOAD_IN_PROGRESS: 409,
};

/** Conditions that mean the same thing in every area (`TENET_ERR_STORE_UNAVAILABLE`, `TENET_ERR_REQUEST_ROUTE_NOT_FOUND`). */
const STATUS_BY_CONDITION: readonly (readonly [suffix: string, status: number])[] = [
  ['_NOT_FOUND', 404],
  ['_CONFLICT', 409],
  ['_UNAVAILABLE', 503],
];

/** Default per area: caller mistakes are 4xx, Tenet's own failures are 5xx. */
const STATUS_BY_AREA: Readonly<Record<ErrorArea, number>> = {
  REQUEST: 400,
  AUTH: 401,
  // Imports and policy sets that parse but do not validate: the request was understood, its content refused.
  IMPORT: 422,
  POLICY: 422,
  // Device requests that are understood but refused in the device's state (revoked, not pending).
  DEVICE: 409,
  // Shared Signals requests that are understood but refused (a stream that is not the caller's, a bad state).
  SSF: 400,
  CONFIG: 500,
  STORE: 500,
  AUDIT: 500,
  ENGINE: 500,
  INTERNAL: 500,
};

const AREAS = new Set<string>(Object.keys(STATUS_BY_AREA));

/** HTTP status for a TenetError code. Unknown or malformed codes are internal errors. */
export function httpStatusFor(code: string): number {
  const exact = STATUS_BY_CODE[code];
  if (exact !== undefined) return exact;
  for (const [suffix, status] of STATUS_BY_CONDITION) {
    if (code.endsWith(suffix)) return status;
  }
  const area = /^TENET_ERR_([A-Z]+)_/.exec(code)?.[1];
  if (area !== undefined && AREAS.has(area)) return STATUS_BY_AREA[area as ErrorArea];
  return 500;
}

/** A bounded metric label for a code: `TENET_ERR_REQUEST_MALFORMED_JSON` → `request-malformed-json`. */
export function rejectionReason(code: string): string {
  return code.replace(/^TENET_ERR_/, '').toLowerCase().replaceAll('_', '-');
}

/** Fastify's own errors (body parsing, limits) translated into the catalogue. */
function fromFastifyError(error: FastifyError): TenetError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TenetError('TENET_ERR_REQUEST_BODY_TOO_LARGE', 'Request body is larger than the configured limit (api.limits.bodyBytes).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TenetError('TENET_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type for this endpoint.', [
        { path: 'Content-Type', message: 'not accepted here', hint: 'AuthZEN endpoints take application/json; see docs/admin-api.md for import formats' },
      ]);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TenetError('TENET_ERR_REQUEST_EMPTY_BODY', 'Request body is empty; a JSON object is required.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TenetError('TENET_ERR_REQUEST_INVALID_CONTENT_LENGTH', 'Content-Length does not match the body received.');
    default:
      break;
  }
  // Any other fastify error that carries a client status (bad URL, bad header…): its message is
  // fastify's own fixed text, safe to show.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 && typeof error.code === 'string' && error.code.startsWith('FST_')) {
    return new TenetError('TENET_ERR_REQUEST_INVALID', error.message);
  }
  return undefined;
}

/** Generic texts for 5xx: a TenetError's message may name files or hosts, so it is logged, not sent. */
function publicServerMessage(status: number, requestId: string): string {
  return status === 503
    ? `A service Tenet depends on (store or decision log) is unavailable; retry later. Request id: ${requestId}.`
    : `Internal error; the server log has the details. Request id: ${requestId}.`;
}

/** Renders an error as the JSON error body and status. Exported for tests and for routes that reply directly. */
export function renderError(error: TenetError, requestId: string): { status: number; body: ErrorBody } {
  const status = httpStatusFor(error.code);
  if (status >= 500) {
    return { status, body: { error: { code: error.code, message: publicServerMessage(status, requestId), issues: [] } } };
  }
  return { status, body: { error: { code: error.code, message: error.message, issues: error.issues } } };
}

/** Installs the error handler and the 404 handler on the root instance (children inherit them). */
export function installErrorHandling(app: FastifyInstance, metrics: ApiMetrics): void {
  app.setErrorHandler((raw: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const known = isTenetError(raw) ? raw : fromFastifyError(raw as FastifyError);
    const error = known ?? new TenetError('TENET_ERR_INTERNAL_UNEXPECTED', 'unexpected error', [], { cause: raw });
    const { status, body } = renderError(error, request.id);
    metrics.rejections.inc({ reason: rejectionReason(error.code) });
    if (status >= 500) {
      // The full error (with stack) stays in the log, keyed by request id.
      request.log.error({ err: known === undefined ? raw : error, code: error.code }, 'request failed');
    } else {
      request.log.warn({ code: error.code, issues: error.issues.length, status }, 'request rejected');
    }
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const error = new TenetError('TENET_ERR_REQUEST_ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`);
    const { status, body } = renderError(error, request.id);
    metrics.rejections.inc({ reason: rejectionReason(error.code) });
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
}
