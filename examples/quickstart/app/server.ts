// The quickstart's example upstream application: what a service behind Tenet's identity-aware proxy
// does with the identity it receives. Every request must carry Tenet's signed identity assertion
// (an ES256 JWT in X-Tenet-Assertion); the app verifies it against Tenet's JWKS — signature,
// algorithm, issuer, audience, expiry, a lifetime of at most two minutes — and only then believes
// who the user is. Plain identity headers (X-Email, X-User, …) are never read: anyone who can reach
// the app directly could send them.
//   GET  /            "Hello <name>" with the verified claims and the request path (any path works)
//   GET  /api/whoami  the verified claims as JSON
//   GET  /ws          a WebSocket echo; the upgrade request needs a valid assertion too
// Without a valid assertion: 401 "no valid Tenet identity assertion".
//
// Run: tsx examples/quickstart/app/server.ts --port 9000 --jwks https://localhost:8443/.tenet/jwks.json \
//        --issuer https://localhost:8443 [--audience wiki] [--jwks-ca cert.pem]
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { WebSocketServer } from 'ws';

/** The longest assertion lifetime accepted (exp - iat): Tenet issues them for at most 120 s. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 120;
/** Allowed clock difference between Tenet and this app. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface ExampleAppOptions {
  readonly port: number;
  /** Default 127.0.0.1: only Tenet's proxy (on this machine) should reach the app. */
  readonly host?: string;
  /** Tenet's JWKS, e.g. https://localhost:8443/.tenet/jwks.json. */
  readonly jwksUrl: string;
  /** Tenet's proxy publicUrl, the assertions' `iss`. */
  readonly issuer: string;
  /** The route name, the assertions' `aud`; when absent any audience is accepted. */
  readonly audience?: string;
  /** Header carrying the assertion (case-insensitive). */
  readonly assertionHeader?: string;
  /** PEM CA for an https JWKS URL with a self-signed or private certificate (the quickstart proxy's). */
  readonly jwksCa?: string;
  /** Where the "Sign out" link points (Tenet's logout page). */
  readonly logoutPath?: string;
  /** Where problems are reported (never the assertion itself). Default: stderr. */
  readonly log?: (line: string) => void;
}

export interface RunningExampleApp {
  readonly url: string;
  stop(): Promise<void>;
}

/** The identity an assertion proves, as the app shows it. */
export interface VerifiedIdentity {
  readonly sub: string;
  readonly email?: string;
  readonly name?: string;
  readonly groups: readonly string[];
  readonly deviceId?: string;
  readonly decisionId: string;
  readonly claims: JWTPayload;
}

export type AssertionCheck = { readonly ok: true; readonly identity: VerifiedIdentity } | { readonly ok: false; readonly reason: string };

export function assertionVerifier(options: Pick<ExampleAppOptions, 'jwksUrl' | 'issuer' | 'audience' | 'jwksCa'>): (token: string | undefined) => Promise<AssertionCheck> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), options.jwksCa === undefined ? {} : { [customFetch]: fetchWithCa(options.jwksCa) });
  return async (token) => {
    if (token === undefined || token === '') return { ok: false, reason: 'no assertion header' };
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        ...(options.audience === undefined ? {} : { audience: options.audience }),
        // Only ES256: a token that names another algorithm (none, HS256 with the public key as a
        // secret, RS256) is refused before any key is used.
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        maxTokenAge: MAX_ASSERTION_LIFETIME_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return checkClaims(payload);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  };
}

function checkClaims(payload: JWTPayload): AssertionCheck {
  const { sub, iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) {
    return { ok: false, reason: `assertion lifetime exceeds ${MAX_ASSERTION_LIFETIME_SECONDS} s` };
  }
  const decisionId = payload['decision_id'];
  const groups = payload['groups'] ?? [];
  if (typeof sub !== 'string' || typeof decisionId !== 'string') return { ok: false, reason: 'sub and decision_id must be strings' };
  if (!Array.isArray(groups) || !groups.every((group) => typeof group === 'string')) return { ok: false, reason: 'groups must be a list of strings' };
  const email = optionalString(payload['email']);
  const name = optionalString(payload['name']);
  const deviceId = optionalString(payload['device_id']);
  return {
    ok: true,
    identity: {
      sub,
      groups,
      decisionId,
      claims: payload,
      ...(email === undefined ? {} : { email }),
      ...(name === undefined ? {} : { name }),
      ...(deviceId === undefined ? {} : { deviceId }),
    },
  };
}

export async function startExampleApp(options: ExampleAppOptions): Promise<RunningExampleApp> {
  const header = (options.assertionHeader ?? 'x-tenet-assertion').toLowerCase();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const verify = assertionVerifier(options);
  const identify = async (req: IncomingMessage): Promise<AssertionCheck> => {
    const value = req.headers[header];
    // Two assertion headers are an attempt to confuse, not a choice to make.
    const check = Array.isArray(value) ? { ok: false as const, reason: 'more than one assertion header' } : await verify(value);
    if (!check.ok) log(`example app: refused ${req.method ?? ''} ${pathOf(req)}: ${check.reason}`);
    return check;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log(`example app: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const check = await identify(req);
    const path = pathOf(req);
    if (!check.ok) return unauthorized(res, path.startsWith('/api/') || path === '/ws');
    if (path === '/api/whoami') return send(res, 200, 'application/json', `${JSON.stringify(check.identity.claims, null, 2)}\n`);
    if (path === '/ws') return send(res, 426, 'application/json', `${JSON.stringify({ error: 'connect with a WebSocket' })}\n`);
    return send(res, 200, 'text/html; charset=utf-8', helloPage(check.identity, req, options.logoutPath ?? '/.tenet/logout'));
  };

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  sockets.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(req) !== '/ws') return refuseUpgrade(socket, 404, { error: 'not found' });
    identify(req).then(
      (check) => {
        if (!check.ok) return refuseUpgrade(socket, 401, { error: 'no valid Tenet identity assertion' });
        sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
      },
      () => socket.destroy(),
    );
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let stopping: Promise<void> | undefined;
  return { url, stop: () => (stopping ??= close(server, sockets)) };
}

function unauthorized(res: ServerResponse, json: boolean): void {
  // RFC 9110 §15.5.2: a 401 names how to authenticate; here, by coming through Tenet.
  res.setHeader('www-authenticate', 'Tenet-Assertion');
  if (json) send(res, 401, 'application/json', `${JSON.stringify({ error: 'no valid Tenet identity assertion' })}\n`);
  else send(res, 401, 'text/plain; charset=utf-8', 'no valid Tenet identity assertion\n');
}

function refuseUpgrade(socket: Socket, status: 401 | 404, body: object): void {
  const text = JSON.stringify(body);
  const reason = status === 401 ? 'Unauthorized' : 'Not Found';
  const authenticate = status === 401 ? 'WWW-Authenticate: Tenet-Assertion\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${authenticate}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

function helloPage(identity: VerifiedIdentity, req: IncomingMessage, logoutPath: string): string {
  const rows: [string, string][] = [
    ['subject (sub)', identity.sub],
    ['email', identity.email ?? '—'],
    ['groups', identity.groups.length === 0 ? '—' : identity.groups.join(', ')],
    ['device', identity.deviceId ?? '— (no verified device)'],
    ['decision id', identity.decisionId],
    ['request', `${req.method ?? ''} ${pathOf(req)}${queryOf(req)}`],
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Example app behind Tenet</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 44em; margin: 2em auto; color: #222; }
  th { text-align: left; padding-right: 1.5em; vertical-align: top; }
  td { font-family: ui-monospace, monospace; word-break: break-all; }
</style>
</head>
<body>
<h1>Hello ${escapeHtml(identity.name ?? identity.sub)}</h1>
<p>This example application believes only Tenet's signed identity assertion; here is what it proved:</p>
<table>
${rows.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
<p><a href="/api/whoami">All verified claims as JSON</a> · <a href="${escapeHtml(logoutPath)}">Sign out</a></p>
</body>
</html>
`;
}

const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { ...PAGE_SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

function queryOf(req: IncomingMessage): string {
  const at = (req.url ?? '').indexOf('?');
  return at === -1 ? '' : (req.url ?? '').slice(at);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** jose's fetch hook over node:https, trusting the system CAs plus one more (a self-signed JWKS host). */
function fetchWithCa(ca: string) {
  return (url: string, init: { headers: Headers; signal: AbortSignal }): Promise<Response> =>
    new Promise((resolveFetch, reject) => {
      const headers: Record<string, string> = {};
      init.headers.forEach((value, name) => (headers[name] = value));
      const outgoing = httpsRequest(new URL(url), { method: 'GET', headers, signal: init.signal, ca: [...rootCertificates, ca] }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolveFetch(new Response(Buffer.concat(chunks), { status: response.statusCode ?? 502, headers: { 'content-type': String(response.headers['content-type'] ?? '') } })));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
}

async function close(server: Server, sockets: WebSocketServer): Promise<void> {
  for (const client of sockets.clients) client.terminate();
  await new Promise<void>((resolveClose) => sockets.close(() => resolveClose()));
  await new Promise<void>((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9000' },
      host: { type: 'string', default: '127.0.0.1' },
      jwks: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      'assertion-header': { type: 'string', default: 'x-tenet-assertion' },
      'jwks-ca': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (values.jwks === undefined || values.issuer === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('usage: tsx examples/quickstart/app/server.ts --port 9000 --jwks <Tenet JWKS URL> --issuer <Tenet publicUrl> [--audience <route name>] [--host 127.0.0.1] [--assertion-header x-tenet-assertion] [--jwks-ca <PEM file>]\n');
    process.exitCode = 2;
    return;
  }
  const app = await startExampleApp({
    port,
    host: values.host,
    jwksUrl: values.jwks,
    issuer: values.issuer,
    assertionHeader: values['assertion-header'],
    ...(values.audience === undefined ? {} : { audience: values.audience }),
    ...(values['jwks-ca'] === undefined ? {} : { jwksCa: readFileSync(values['jwks-ca'], 'utf8') }),
  });
  process.stdout.write(`example app listening on ${app.url} (assertions from ${values.issuer}, keys from ${values.jwks})\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.stop().then(() => process.exit(0)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`example app: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
