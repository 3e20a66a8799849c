// Media-type checks for routes that accept more than one body format (admin imports) or exactly
// one (AuthZEN §10.1: requests MUST carry `Content-Type: application/json`).
import type { FastifyRequest } from 'fastify';
import { TenetError } from '../errors.js';

/** The request's media type, lower-cased, without parameters; undefined when absent. */
export function mediaType(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  if (header === undefined) return undefined;
  const type = header.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** Returns the request's media type when it is one of `allowed`, else throws 415. */
export function requireMediaType<T extends string>(request: FastifyRequest, allowed: readonly T[]): T {
  const type = mediaType(request);
  const match = allowed.find((candidate) => candidate === type);
  if (match === undefined) {
    throw new TenetError('TENET_ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be one of: ${allowed.join(', ')}.`, [
      { path: 'Content-Type', message: type === undefined ? 'missing' : `"${type}" is not accepted here`, hint: `send ${allowed.join(' or ')}` },
    ]);
  }
  return match;
}
