// The checks every passkey JSON endpoint makes before it reads anything, and how it answers:
//   method        POST only
//   sameOrigin    `Origin` must be the relying party's origin exactly, and Fetch Metadata, when the
//                 browser sends it, must say same-origin: a passkey ceremony started by another
//                 site (CSRF, or a page framing ours) is refused before the session is even read
//   mediaType     `application/json` (a cross-site HTML form cannot send it without a CORS preflight)
//   size          at most 64 KiB (a registration response with attestation "none" is a few KiB)
//   parse         a JSON object, else 400 naming the problem
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerJson } from '../authenticate/http-answers.js';
import { readLimitedBody } from '../access/read-limited-body.js';

export const MAX_JSON_BODY_BYTES = 64 * 1024;

export type JsonRequest = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false };

/** An error answer: `{ error, error_description }` in the style of RFC 6749 §5.2, plus any extra fields. */
export function answerJsonError(res: ServerResponse, status: number, error: string, description: string, extra: Readonly<Record<string, string>> = {}): void {
  answerJson(res, status, { error, error_description: description, ...extra });
}

/** Runs the checks above; on any failure the answer has been sent and `ok` is false. */
export async function readJsonRequest(req: IncomingMessage, res: ServerResponse, method: string, expectedOrigin: string): Promise<JsonRequest> {
  const refuse = (status: number, error: string, description: string): JsonRequest => {
    req.resume();
    answerJsonError(res, status, error, description);
    return { ok: false };
  };
  if (method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return refuse(405, 'method_not_allowed', 'this endpoint accepts POST only');
  }
  const site = req.headers['sec-fetch-site'];
  if (req.headers.origin !== expectedOrigin || (site !== undefined && site !== 'same-origin')) {
    return refuse(403, 'cross_origin', `passkey requests must come from ${expectedOrigin} itself`);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return refuse(415, 'unsupported_media_type', 'the body must be application/json');
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > MAX_JSON_BODY_BYTES) return refuse(413, 'too_large', `the body must be at most ${MAX_JSON_BODY_BYTES} bytes`);

  const text = await readLimitedBody(req, MAX_JSON_BODY_BYTES);
  if (text === undefined) {
    answerJsonError(res, 413, 'too_large', `the body must be at most ${MAX_JSON_BODY_BYTES} bytes`);
    return { ok: false };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    answerJsonError(res, 400, 'invalid_request', 'the body is not valid JSON');
    return { ok: false };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    answerJsonError(res, 400, 'invalid_request', 'the body must be a JSON object');
    return { ok: false };
  }
  return { ok: true, body: body as Record<string, unknown> };
}
