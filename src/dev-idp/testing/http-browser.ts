// Test support: a minimal browser over fetch — a cookie jar (host + path scoped, deletions honoured)
// and redirects followed by hand, stopping before any URL the test wants to inspect (an RP's
// redirect URI that does not exist). Enough to drive the development IdP's login, consent and
// logout pages with real HTTP; not a general-purpose browser (no Domain cookies, no scripts).

interface StoredCookie {
  readonly host: string;
  readonly path: string;
  readonly value: string;
}

export interface BrowserRequest {
  readonly method?: 'GET' | 'POST';
  /** Sent as application/x-www-form-urlencoded. */
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface BrowserPage {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export class HttpBrowser {
  /** key: host \n path \n name */
  readonly #jar = new Map<string, StoredCookie & { readonly name: string }>();

  /** One request, no redirect following; cookies sent and stored. */
  async request(url: string, init: BrowserRequest = {}): Promise<BrowserPage> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie !== '') headers.cookie = cookie;
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    this.store(target, response.headers.getSetCookie());
    return { url: target.href, status: response.status, headers: response.headers, body: await response.text() };
  }

  /**
   * Follows redirects from `url` until a page that is not a redirect, or until the next location
   * satisfies `stopAt` (returned unfetched as `stoppedAt`). At most 20 hops.
   */
  async navigate(url: string, init: BrowserRequest = {}, stopAt: (location: URL) => boolean = () => false): Promise<{ page: BrowserPage; stoppedAt?: URL }> {
    let page = await this.request(url, init);
    for (let hop = 0; hop < 20; hop += 1) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || location === null) return { page };
      const next = new URL(location, page.url);
      if (stopAt(next)) return { page, stoppedAt: next };
      // 303 (and, as browsers do, 301/302 after POST) continue as GET.
      page = await this.request(next.href);
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }

  cookieNames(host: string): string[] {
    return [...this.#jar.values()].filter((cookie) => cookie.host === host).map((cookie) => cookie.name);
  }

  private cookieHeader(target: URL): string {
    return [...this.#jar.values()]
      .filter((cookie) => cookie.host === target.host && pathMatches(target.pathname, cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(target: URL, setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      let path = defaultPath(target.pathname);
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=');
        const lower = key.toLowerCase();
        if (lower === 'path' && attributeValue.startsWith('/')) path = attributeValue;
        if (lower === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const key = `${target.host}\n${path}\n${name}`;
      if (expired || value === '') this.#jar.delete(key);
      else this.#jar.set(key, { host: target.host, path, name, value });
    }
  }
}

/** Extracts the `action` of the first form on a page (HTML-unescaped). */
export function formAction(html: string): string {
  const match = /<form[^>]*\saction="([^"]*)"/i.exec(html);
  if (match?.[1] === undefined) throw new Error(`no form with an action on the page:\n${html.slice(0, 500)}`);
  return match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The hidden inputs of a page's forms, name → value. */
export function hiddenInputs(html: string): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(match[0])?.[1];
    const value = /value="([^"]*)"/i.exec(match[0])?.[1];
    if (name !== undefined && value !== undefined) inputs[name] = value;
  }
  return inputs;
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  // RFC 6265 §5.1.4.
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}
