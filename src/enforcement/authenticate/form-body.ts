// Reads a small `application/x-www-form-urlencoded` request body (HTML 5 §4.10.21.7), refusing
// other media types and anything larger than the limit before it is buffered whole.
import type { IncomingMessage } from 'node:http';
import { readLimitedBody } from '../access/read-limited-body.js';

export type FormBody = { readonly ok: true; readonly form: URLSearchParams } | { readonly ok: false; readonly problem: string };

export async function readFormBody(req: IncomingMessage, maxBytes: number): Promise<FormBody> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return { ok: false, problem: 'the body must be application/x-www-form-urlencoded' };
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return { ok: false, problem: 'the body is too large' };
  }
  const text = await readLimitedBody(req, maxBytes);
  return text === undefined ? { ok: false, problem: 'the body is too large' } : { ok: true, form: new URLSearchParams(text) };
}
