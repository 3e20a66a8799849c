// The API's JSON body parser: strict JSON text in, plain data out, with keys that could alter an
// object's prototype refused outright. AuthZEN contexts and properties are merged into Cedar
// contexts downstream; refusing `__proto__` and `constructor.prototype` here means no later
// Object.assign or spread can be turned into prototype pollution (OWASP "Prototype Pollution").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TenetError } from '../errors.js';

/** Parses `text` as JSON; throws TenetError `TENET_ERR_REQUEST_MALFORMED_JSON` or `…_FORBIDDEN_KEY`. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') {
    throw new TenetError('TENET_ERR_REQUEST_EMPTY_BODY', 'Request body is empty; a JSON object is required.');
  }
  try {
    return JSON.parse(text, function reviver(this: unknown, key: string, value: unknown): unknown {
      if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype'))) {
        throw new TenetError('TENET_ERR_REQUEST_FORBIDDEN_KEY', `JSON member name "${key}" is not allowed.`, [
          { path: key, message: 'key could alter object prototypes', hint: 'rename the member' },
        ]);
      }
      return value;
    });
  } catch (error) {
    if (error instanceof TenetError) throw error;
    // JSON.parse messages name the offending position only (no input echoed back beyond a token).
    throw new TenetError('TENET_ERR_REQUEST_MALFORMED_JSON', 'Request body is not valid JSON.', [
      { path: '(body)', message: error instanceof Error ? error.message : 'invalid JSON', hint: 'send a single JSON object encoded as UTF-8' },
    ]);
  }
}

/** Replaces fastify's JSON parser in `app`'s context with parseJsonText. */
export function useJsonBodyParser(app: FastifyInstance): void {
  if (app.hasContentTypeParser('application/json')) app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request: FastifyRequest, body: string | Buffer, done) => {
    try {
      done(null, parseJsonText(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
