// The proxy's own answers: failures of the request or of the upstream, never of the decision
// (non-allow verdicts are rendered by renderVerdict). Small, fixed texts: no upstream error detail
// reaches the client, only what happened and the decision id support can look up.
import { STATUS_CODES, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { escapeHtml } from '../access/render-verdict.js';

export type ProxyProblem =
  | 'bad-request'
  | 'not-found'
  | 'method-not-allowed'
  | 'request-timeout'
  | 'body-too-large'
  | 'headers-too-large'
  | 'unsupported-upgrade'
  | 'websocket-not-allowed'
  | 'internal-error'
  | 'upstream-unavailable'
  | 'upstream-timeout';

const PROBLEMS: Readonly<Record<ProxyProblem, { readonly status: number; readonly code: string; readonly message: string }>> = {
  'bad-request': { status: 400, code: 'TENET_ERR_REQUEST_BAD_TARGET', message: 'The request target or Host is not acceptable.' },
  'not-found': { status: 404, code: 'TENET_ERR_REQUEST_ROUTE_NOT_FOUND', message: 'Not found.' },
  'method-not-allowed': { status: 405, code: 'TENET_ERR_REQUEST_METHOD_NOT_ALLOWED', message: 'This method is not accepted here.' },
  'request-timeout': { status: 408, code: 'TENET_ERR_REQUEST_TIMEOUT', message: 'The request took too long to arrive.' },
  'body-too-large': { status: 413, code: 'TENET_ERR_REQUEST_BODY_TOO_LARGE', message: 'The request body is larger than this proxy accepts.' },
  'headers-too-large': { status: 431, code: 'TENET_ERR_REQUEST_HEADERS_TOO_LARGE', message: 'The request headers are larger than this proxy accepts.' },
  'unsupported-upgrade': { status: 400, code: 'TENET_ERR_REQUEST_UNSUPPORTED_UPGRADE', message: 'Only WebSocket upgrades are supported.' },
  'websocket-not-allowed': { status: 403, code: 'TENET_ERR_REQUEST_WEBSOCKET_NOT_ALLOWED', message: 'WebSocket connections are not allowed for this application.' },
  'internal-error': { status: 500, code: 'TENET_ERR_INTERNAL_PROXY', message: 'Internal error.' },
  'upstream-unavailable': { status: 502, code: 'TENET_ERR_PROXY_UPSTREAM_UNAVAILABLE', message: 'Upstream unavailable.' },
  'upstream-timeout': { status: 504, code: 'TENET_ERR_PROXY_UPSTREAM_TIMEOUT', message: 'The upstream did not answer in time.' },
};

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function problemAnswer(problem: ProxyProblem, options: { accept?: string | undefined; decisionId?: string | undefined } = {}): Answer {
  const { status, code, message } = PROBLEMS[problem];
  const noStore = { 'cache-control': 'no-store' };
  if (options.accept?.includes('text/html')) {
    const reference = options.decisionId === undefined ? '' : `<p>Decision id: <code>${escapeHtml(options.decisionId)}</code></p>`;
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} ${escapeHtml(STATUS_CODES[status] ?? '')}</title></head><body><h1>${escapeHtml(message)}</h1>${reference}</body></html>\n`;
    return { status, headers: { ...noStore, 'content-type': 'text/html; charset=utf-8' }, body };
  }
  const error = { code, message, issues: [] as const };
  const body = `${JSON.stringify(options.decisionId === undefined ? { error } : { error, decisionId: options.decisionId })}\n`;
  return { status, headers: { ...noStore, 'content-type': 'application/json; charset=utf-8' }, body };
}

/** Writes an answer on a response that has not started; `close` ends the connection after it (an unread body follows). */
export function writeAnswer(res: ServerResponse, answer: Answer, close = false): void {
  const headers: OutgoingHttpHeaders = { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) };
  if (close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** A whole HTTP/1.1 response as bytes, for sockets that left node:http (upgrades, parse errors). Always closes. */
export function rawResponse(answer: Answer): string {
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(answer.headers)) {
    if (!isHeaderSafe(name, value)) continue;
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
    lines.push(`${name}: ${value}`);
  }
  lines.push(`content-length: ${Buffer.byteLength(answer.body)}`, 'connection: close', '', answer.body);
  return lines.join('\r\n');
}

// A header value with CR or LF would let a rendered value inject headers into a hand-written response.
function isHeaderSafe(name: string, value: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !/[\r\n\0]/.test(value);
}
