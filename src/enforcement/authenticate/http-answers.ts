// How the login endpoints answer: HTML pages, redirects and JSON, always with `Cache-Control:
// no-store` (RFC 9111 §5.2.2.5: these answers carry codes, cookies and one-time states that no cache
// may keep) and `Referrer-Policy: no-referrer` (the callback and hand-off URLs carry one-time codes
// that must not leak to the next site through Referer, OAuth 2.0 Security BCP RFC 9700 §4.2.4).
import type { ServerResponse } from 'node:http';
import { renderPage, type PageBlock } from './pages.js';

// Pages are static HTML with inline style only: no script may run, nothing may frame them.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function commonHeaders(res: ServerResponse, setCookies: readonly string[]): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (setCookies.length > 0) res.setHeader('Set-Cookie', [...setCookies]);
}

export interface AnswerOptions {
  readonly setCookies?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** An HTML page. */
export function answerPage(res: ServerResponse, status: number, title: string, blocks: readonly PageBlock[], options: AnswerOptions = {}): void {
  const body = renderPage(title, blocks);
  commonHeaders(res, options.setCookies ?? []);
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}

/** A redirect (302 after GET, 303 after POST so the browser follows with GET). */
export function answerRedirect(res: ServerResponse, location: string, options: AnswerOptions & { readonly status?: 302 | 303 } = {}): void {
  commonHeaders(res, options.setCookies ?? []);
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.writeHead(options.status ?? 302);
  res.end();
}

/** A JSON body (the back-channel logout endpoint talks to identity providers, not browsers). */
export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  commonHeaders(res, []);
  if (text !== '') res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

/** 405 with the allowed methods (RFC 9110 §15.5.6). */
export function answerMethodNotAllowed(res: ServerResponse, allow: readonly string[]): void {
  answerPage(res, 405, 'Method not allowed', [{ text: `This address accepts ${allow.join(' and ')} only.` }], {
    headers: { Allow: allow.join(', ') },
  });
}
