// What an authorization endpoint sends back to the proxy that asked (forward-auth, ext_authz HTTP),
// and the renderer the lead's pipeline injects: Verdict → status, headers, body as the proxy PEP
// would answer a client (redirect to login, 401/403 JSON or page).
import type { ServerResponse } from 'node:http';
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';

export type HeaderValues = Readonly<Record<string, string | readonly string[]>>;

/** A rendered verdict; `headers` may carry several values for one name (Set-Cookie). */
export interface RenderedVerdict {
  readonly status: number;
  readonly headers: HeaderValues;
  readonly body: string | Uint8Array;
}

/** Every verdict but allow: the ones that are rendered. */
export type Refusal = Exclude<Verdict, { kind: 'allow' }>;

/** Injected (src/enforcement/access/render-verdict.ts): renders a refusal the way the proxy answers a client. */
export type RenderVerdict = (verdict: Refusal, facts: HttpRequestFacts) => RenderedVerdict | Promise<RenderedVerdict>;

export interface Answer {
  readonly status: number;
  readonly headers: HeaderValues;
  readonly body: string | Uint8Array;
}

/** A JSON answer (`{"error": message, ...extra}`), the shape of every refusal these endpoints make themselves. */
export function jsonAnswer(status: number, message: string, extra: Readonly<Record<string, string>> = {}, headers: HeaderValues = {}): Answer {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: message, ...extra }),
  };
}

/** Writes an answer; header names are matched case-insensitively so a rendered Content-Type is not duplicated. */
export function sendAnswer(res: ServerResponse, answer: Answer): void {
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, typeof value === 'string' ? value : [...value]);
  // Decisions are per request: no cache between the proxy and Tenet may reuse one.
  if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store');
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  res.setHeader('content-length', body.byteLength);
  res.statusCode = answer.status;
  res.end(body);
}

/** Case-insensitive lookup in a rendered header set. */
export function headerValue(headers: HeaderValues, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

/** The headers without the named ones (case-insensitive). */
export function withoutHeaders(headers: HeaderValues, names: readonly string[]): Record<string, string | readonly string[]> {
  const drop = new Set(names.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([key]) => !drop.has(key.toLowerCase())));
}
