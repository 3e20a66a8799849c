// One conditional GET of a threat feed URL. Sends If-None-Match / If-Modified-Since from the last
// good fetch (RFC 9110 §13.1.2, §13.1.3) so an unchanged list costs a 304 and no parsing. Bounded:
// one deadline for the whole exchange (redirects and body included), and a byte limit counted on
// the decoded body as it streams in (a compressed bomb stops at the limit, not after inflating).
// Redirects are followed by hand (at most 5): never from https down to http unless the feed allows
// http, and the configured headers (API keys) are sent only to the feed's own origin — fetch's
// automatic redirects forward custom headers to whatever host the Location names. Errors name the
// URL without its query (which may hold a key) and never a header value.
import { TenetError } from '../../errors.js';

export interface FeedFetchRequest {
  readonly url: string;
  readonly allowInsecureHttp: boolean;
  /** Secret request headers (API keys). Never logged or put in errors. */
  readonly headers: Readonly<Record<string, string>>;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Aborts the fetch (used when the feeds are stopped). */
  readonly signal?: AbortSignal | undefined;
}

export type FeedFetchResult =
  | { readonly status: 'not-modified' }
  | { readonly status: 'ok'; readonly body: string; readonly etag?: string; readonly lastModified?: string };

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Fetches the feed. Throws TenetError TENET_ERR_IMPORT_FETCH_FAILED with a reason safe to log. */
export async function fetchFeed(request: FeedFetchRequest): Promise<FeedFetchResult> {
  const origin = new URL(request.url).origin;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TimeoutError()), request.timeoutMs);
  const signal = request.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, request.signal]);
  let url = new URL(request.url);
  try {
    for (let hop = 0; ; hop += 1) {
      checkScheme(url, request.allowInsecureHttp);
      const headers: Record<string, string> = { accept: 'text/plain, text/csv, application/json, application/stix+json;q=0.9, */*;q=0.5', 'user-agent': 'Tenet threat-feed' };
      if (url.origin === origin) {
        Object.assign(headers, request.headers);
        if (request.etag !== undefined) headers['if-none-match'] = request.etag;
        if (request.lastModified !== undefined) headers['if-modified-since'] = request.lastModified;
      }
      const response = await fetch(url, { headers, redirect: 'manual', signal });
      if (REDIRECT_STATUSES.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (location === null) throw failed(request.url, `HTTP ${response.status} without a Location`);
        if (hop >= MAX_REDIRECTS) throw failed(request.url, `more than ${MAX_REDIRECTS} redirects`);
        url = new URL(location, url);
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel();
        return { status: 'not-modified' };
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel();
        throw failed(request.url, `HTTP ${response.status}`);
      }
      const body = await readLimited(response, request.maxBytes, request.url);
      const etag = response.headers.get('etag');
      const lastModified = response.headers.get('last-modified');
      return { status: 'ok', body, ...(etag === null ? {} : { etag }), ...(lastModified === null ? {} : { lastModified }) };
    }
  } catch (error) {
    if (error instanceof TenetError) throw error;
    if (deadline.signal.aborted) throw failed(request.url, `no complete answer within ${request.timeoutMs} ms`);
    if (request.signal?.aborted === true) throw failed(request.url, 'stopped');
    throw failed(request.url, describeNetworkError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** The URL as it may be logged or stored: without query, fragment or credentials. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function checkScheme(url: URL, allowInsecureHttp: boolean): void {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecureHttp)) return;
  throw failed(url.href, `refusing ${url.protocol} (only https${allowInsecureHttp ? ' or http' : ''})`);
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw failed(url, `body of ${declared} bytes is over the limit of ${maxBytes}`);
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw failed(url, `body is over the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw failed(url, 'body is not UTF-8 text');
  }
}

class TimeoutError extends Error {}

function describeNetworkError(error: unknown): string {
  // undici wraps the system error (ECONNREFUSED, ENOTFOUND, certificate problems) in `cause`.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause !== undefined && typeof cause.code === 'string') return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

function failed(url: string, reason: string): TenetError {
  return new TenetError('TENET_ERR_IMPORT_FETCH_FAILED', `fetching ${redactedUrl(url)}: ${reason}`);
}
