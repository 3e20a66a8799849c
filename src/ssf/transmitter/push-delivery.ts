// One push of one SET to a receiver (RFC 8935 §2): POST the compact JWS as
// `application/secevent+jwt`, with the stream's Authorization header. 202 (any 2xx) means
// accepted; 400 with `{err, description}` means the receiver refused this SET for good (§2.3), so
// retrying it would only fail again; anything else (timeout, refused connection, 5xx, 401/403/429)
// is worth retrying later.
export type PushOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'rejected'; readonly err: string; readonly description?: string }
  | { readonly kind: 'retry'; readonly why: string };

export async function pushSet(
  endpointUrl: string,
  token: string,
  options: { readonly authorization?: string; readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<PushOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/secevent+jwt', accept: 'application/json' };
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let response: Response;
  try {
    // Redirects are not followed: the Authorization header must only go where the receiver said.
    response = await fetch(endpointUrl, { method: 'POST', headers, body: token, redirect: 'manual', signal });
  } catch (error) {
    const reason = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { kind: 'retry', why: reason };
  }
  const body = await response.text().catch(() => '');
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered' };
  if (response.status === 400) {
    const parsed = parseError(body);
    return { kind: 'rejected', err: parsed.err, ...(parsed.description === undefined ? {} : { description: parsed.description }) };
  }
  return { kind: 'retry', why: `HTTP ${response.status}` };
}

/** RFC 8935 §2.3 error body; the values are logged, so they are bounded. */
function parseError(body: string): { err: string; description?: string } {
  try {
    const value = JSON.parse(body) as { err?: unknown; description?: unknown };
    const err = typeof value.err === 'string' ? value.err.slice(0, 64) : 'unspecified';
    return typeof value.description === 'string' ? { err, description: value.description.slice(0, 256) } : { err };
  } catch {
    return { err: 'unspecified' };
  }
}
