// Reads a request body up to a limit, for the small bodies Tenet's own endpoints accept (login
// forms, passkey JSON, device messages). Event-based on purpose: leaving a for-await loop early
// destroys the request, and with it the socket the refusal must go out on; an oversized body is
// reported at once and the rest discarded as it arrives (the listener's request timeout bounds how
// long).
import type { IncomingMessage } from 'node:http';

/** The body as UTF-8, or undefined once it passes `maxBytes`. */
export function readLimitedBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
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
}
