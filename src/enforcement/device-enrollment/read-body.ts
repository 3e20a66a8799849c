// Reads a small request body of an allowed media type, refusing a larger one before it is buffered
// whole (413) and any other type (415). An empty body needs no type (the enrollment poll has none).
import type { IncomingMessage } from 'node:http';

export type Body = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: 413 | 415; readonly problem: string };

export async function readBody(req: IncomingMessage, maxBytes: number, mediaTypes: readonly string[]): Promise<Body> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const declared = Number(req.headers['content-length'] ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return { ok: false, status: 413, problem: `the body is larger than ${maxBytes} bytes` };
  }
  // Event-based, as in authenticate/form-body.ts: an early exit must not destroy the socket the
  // answer goes out on.
  const text = await new Promise<string | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size - chunk.length <= maxBytes) resolve(undefined);
    });
    req.on('end', () => {
      if (size <= maxBytes) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
  if (text === undefined) return { ok: false, status: 413, problem: `the body is larger than ${maxBytes} bytes` };
  if (text === '' && type === '') return { ok: true, text };
  if (!mediaTypes.includes(type)) return { ok: false, status: 415, problem: `the body must be ${mediaTypes.join(' or ')}` };
  return { ok: true, text };
}
