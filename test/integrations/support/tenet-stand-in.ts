// The two node servers behind a real proxy in the integration tests:
//   tenet     Tenet's proxy listener as far as the proxy sees it: forwardAuthHandler at
//             /.tenet/forward-auth and extAuthzHttpHandler under /.tenet/ext-authz/ (scripted
//             HttpAccess, the real renderVerdict), and a recorder for Tenet's other /.tenet/
//             pages (login hand-off, logout);
//   upstream  the protected application, echoing the request it received as JSON.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { renderVerdict } from '../../../src/enforcement/access/render-verdict.js';
import { extAuthzHttpHandler } from '../../../src/enforcement/ext-authz/index.js';
import { forwardAuthHandler } from '../../../src/enforcement/forward-auth/index.js';
import { scriptedAccess } from '../../../src/enforcement/forward-auth/testing/scripted-access.js';

/** extAuthz.httpPathPrefix's default. */
export const EXT_AUTHZ_PREFIX = '/.tenet/ext-authz';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface StandIns {
  readonly tenetPort: number;
  readonly upstreamPort: number;
  /** Every decision forward-auth asked for. */
  readonly calls: ReturnType<typeof scriptedAccess>['calls'];
  /** Requests to Tenet's other /.tenet/ pages. */
  readonly tenetPages: Recorded[];
  /** Requests the application received. */
  readonly upstream: Recorded[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startStandIns(): Promise<StandIns> {
  const scripted = scriptedAccess();
  const deps = { access: scripted.access, trustedProxies: ['127.0.0.1/32', '::1/128'], renderVerdict, logger: pino({ level: 'silent' }) };
  const forwardAuth = forwardAuthHandler(deps);
  const extAuthz = extAuthzHttpHandler({ ...deps, pathPrefix: EXT_AUTHZ_PREFIX });
  const tenetPages: Recorded[] = [];
  const upstream: Recorded[] = [];
  const tenet = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === '/.tenet/forward-auth') {
      void forwardAuth(req, res);
      return;
    }
    if ((req.url ?? '').startsWith(`${EXT_AUTHZ_PREFIX}/`)) {
      void extAuthz(req, res);
      return;
    }
    tenetPages.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tenetPage: req.url }));
  });
  const app = createServer((req, res) => {
    req.resume();
    const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    upstream.push(record);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record));
  });
  const [tenetPort, upstreamPort] = [await listen(tenet), await listen(app)];
  return {
    tenetPort,
    upstreamPort,
    calls: scripted.calls,
    tenetPages,
    upstream,
    close: async () => {
      await Promise.all([tenet, app].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
