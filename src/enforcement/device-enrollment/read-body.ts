// Reads a small request body of an allowed media type, refusing a larger one before it is buffered
// whole (413) and any other type (415). An empty body needs no type (the enrollment poll has none).
import type { IncomingMessage } from 'node:http';
import { readLimitedBody } from '../access/read-limited-body.js';

export type Body = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: 413 | 415; readonly problem: string };

export async function readBody(req: IncomingMessage, maxBytes: number, mediaTypes: readonly string[]): Promise<Body> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const declared = Number(req.headers['content-length'] ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return { ok: false, status: 413, problem: `the body is larger than ${maxBytes} bytes` };
  }
  const text = await readLimitedBody(req, maxBytes);
  if (text === undefined) return { ok: false, status: 413, problem: `the body is larger than ${maxBytes} bytes` };
  if (text === '' && type === '') return { ok: true, text };
  if (!mediaTypes.includes(type)) return { ok: false, status: 415, problem: `the body must be ${mediaTypes.join(' or ')}` };
  return { ok: true, text };
}
