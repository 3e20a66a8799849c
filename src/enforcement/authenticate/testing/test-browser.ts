// A minimal browser for the login tests: plain HTTP over loopback, a cookie jar that honours the
// attributes the tests care about (host-only, Path, Secure, Max-Age/Expires), manual redirects.
// Host names are mapped to local ports (`https://app.example.test/` → 127.0.0.1:<proxy port>, sent
// with that Host header) so Tenet sees the hosts it would in production.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface Exchange {
  readonly url: URL;
  readonly method: string;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The raw Set-Cookie values of this answer. */
  readonly setCookies: readonly string[];
  readonly location: URL | undefined;
}

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly host: string;
  readonly path: string;
  readonly secure: boolean;
}

export class TestBrowser {
  readonly #cookies = new Map<string, StoredCookie>();

  /** `portFor` maps a URL to the loopback port that serves it. */
  constructor(private readonly portFor: (url: URL) => number) {}

  /** One request; cookies from the jar are sent and the answer's cookies stored. */
  async request(target: string | URL, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Exchange> {
    const url = new URL(target);
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = { host: url.host, ...init.headers };
    const cookie = this.cookieHeader(url);
    if (cookie !== undefined && headers.cookie === undefined) headers.cookie = cookie;
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.portFor(url), method, path: `${url.pathname}${url.search}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    });
    const setCookies = answer.headers['set-cookie'] ?? [];
    for (const line of setCookies) this.store(url, line);
    const location = answer.headers.location === undefined ? undefined : new URL(answer.headers.location, url);
    return { url, method, status: answer.status, headers: answer.headers, body: answer.body, setCookies, location };
  }

  /** GET `target` and follow redirects (GET) until an answer that is not a redirect, or until `stopAt` says so. */
  async follow(target: string | URL, options: { stopAt?: (url: URL) => boolean; maxHops?: number } = {}): Promise<Exchange[]> {
    const hops: Exchange[] = [];
    let next: URL | undefined = new URL(target);
    while (next !== undefined) {
      if (options.stopAt?.(next) === true && hops.length > 0) break;
      if (hops.length >= (options.maxHops ?? 25)) throw new Error(`too many redirects: ${hops.map((hop) => hop.url.href).join(' → ')}`);
      const hop = await this.request(next);
      hops.push(hop);
      next = hop.status >= 300 && hop.status < 400 ? hop.location : undefined;
    }
    return hops;
  }

  /** Submits the first HTML form of `page` (hidden inputs included) as the browser would; `extra` adds fields (e.g. the button's name). */
  async submitForm(page: Exchange, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Exchange> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
    if (form === null) throw new Error(`no form on ${page.url.href}`);
    const fields = new URLSearchParams();
    for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1];
      if (name !== undefined) fields.set(name, decodeEntities(value ?? ''));
    }
    for (const [name, value] of Object.entries(extra)) fields.set(name, value);
    return this.request(new URL(decodeEntities(form[1] ?? ''), page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: fields.toString(),
    });
  }

  /** The Cookie header this browser would send to `url`. */
  cookieHeader(url: URL): string | undefined {
    const pairs = [...this.#cookies.values()]
      .filter((cookie) => cookie.host === url.host && pathMatches(cookie.path, url.pathname) && (!cookie.secure || url.protocol === 'https:'))
      .map((cookie) => `${cookie.name}=${cookie.value}`);
    return pairs.length === 0 ? undefined : pairs.join('; ');
  }

  /** A cookie's value on `host`, or undefined. */
  cookie(host: string, name: string): string | undefined {
    return [...this.#cookies.values()].find((cookie) => cookie.host === host && cookie.name === name)?.value;
  }

  setCookie(host: string, name: string, value: string): void {
    this.#cookies.set(`${host} / ${name}`, { name, value, host, path: '/', secure: true });
  }

  /** Forgets the cookies of `host` (every host when omitted). */
  clearCookies(host?: string): void {
    for (const [key, cookie] of this.#cookies) if (host === undefined || cookie.host === host) this.#cookies.delete(key);
  }

  private store(url: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
    let secure = false;
    let expired = false;
    for (const attribute of attributes) {
      const [key = '', attributeValue = ''] = attribute.split('=').map((part) => part.trim());
      const lower = key.toLowerCase();
      if (lower === 'path') path = attributeValue;
      else if (lower === 'secure') secure = true;
      else if (lower === 'max-age') expired = Number(attributeValue) <= 0;
      else if (lower === 'expires') expired = Date.parse(attributeValue) <= Date.now();
    }
    // RFC 6265bis §4.1.3: a Secure cookie can only be set from a secure origin.
    if (secure && url.protocol !== 'https:') return;
    const key = `${url.host} ${path} ${name}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, host: url.host, path, secure });
  }
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The attributes of a Set-Cookie line, lower-cased names → values ('' for flags). */
export function cookieAttributes(line: string): { name: string; value: string; attributes: Map<string, string> } {
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const index = attribute.indexOf('=');
    const key = (index < 0 ? attribute : attribute.slice(0, index)).trim().toLowerCase();
    attributes.set(key, index < 0 ? '' : attribute.slice(index + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}
