// Reads a small `application/x-www-form-urlencoded` request body (HTML 5 §4.10.21.7), refusing
// other media types and anything larger than the limit before it is buffered whole.
import type { IncomingMessage } from 'node:http';

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
  // Event-based on purpose: leaving a for-await loop early destroys the request, and with it the
  // socket the 400 answer must go out on. An oversized body is answered at once and then
  // discarded as it arrives (the listener's request timeout bounds how long).
  return new Promise<FormBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size - chunk.length <= maxBytes) resolve({ ok: false, problem: 'the body is too large' });
    });
    req.on('end', () => {
      if (size <= maxBytes) resolve({ ok: true, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) });
    });
    req.on('error', reject);
  });
}
