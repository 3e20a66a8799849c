// Everything the login tests run against: a real oidc-provider (test-provider.ts), a real SQLite
// store in memory, the real Sessions service, and a stand-in for the proxy listener that builds
// HttpRequestFacts (as if TLS were terminated) and hands requests to the login endpoints. Two hosts
// are "ours": login.example.test (publicUrl) and app.example.test; `GET /whoami` on either shows
// the session the browser's cookie resumes there. With `idpDown`, Tenet starts before the provider
// exists (its issuer is a free port) and the test starts the provider there later (`startIdp`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { authenticationSchema, type OidcProviderConfig } from '../../../config/enforcement-schema.js';
import { Sessions } from '../../../sessions/sessions.js';
import type { Store } from '../../../store/ports.js';
import { openSqliteStore } from '../../../store/sqlite/index.js';
import type { HttpRequestFacts } from '../../access/http-access.js';
import { startAuthentication, type AuthenticationService } from '../index.js';
import { TestBrowser } from './test-browser.js';
import { freePort, startTestProvider, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestProvider } from './test-provider.js';

export const PUBLIC_URL = 'https://login.example.test';
export const APP_URL = 'https://app.example.test';
export const OUR_HOSTS = new Set(['login.example.test', 'app.example.test']);
export const SESSION_COOKIE = '__Host-tenet_session';

export interface LoginHarness {
  /** The provider (with `idpDown`: throws until startIdp()). */
  readonly idp: TestProvider;
  /** `http://127.0.0.1:<port>`, the configured issuer. */
  readonly issuer: string;
  /** With `idpDown`: starts the provider at the configured issuer. */
  startIdp(): Promise<TestProvider>;
  readonly store: Store;
  readonly sessions: Sessions;
  readonly auth: AuthenticationService;
  readonly providerConfig: OidcProviderConfig;
  readonly proxyPort: number;
  /** Every log line written so far (JSON), to check nothing secret is logged. */
  readonly logs: string[];
  newBrowser(): TestBrowser;
  /** Follows a whole login from `/.tenet/login?rd=…` on `startHost` to the final answer. */
  login(browser: TestBrowser, rd: string, extraQuery?: Record<string, string>, startUrl?: string): Promise<Awaited<ReturnType<TestBrowser['follow']>>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Start Tenet while the provider is down; the test starts it with startIdp(). */
  readonly idpDown?: boolean;
  /** Tenet's clock (default: the system clock). */
  readonly clock?: () => Date;
}

export async function startLoginHarness(overrides: Partial<OidcProviderConfig> = {}, options: HarnessOptions = {}): Promise<LoginHarness> {
  const proxy = await listen(createServer());
  const proxyPort = (proxy.address() as AddressInfo).port;
  const idpPort = options.idpDown === true ? await freePort() : 0;
  const startIdp = (): Promise<TestProvider> =>
    startTestProvider({
      redirectUri: `${PUBLIC_URL}/.tenet/callback`,
      postLogoutRedirectUri: `${PUBLIC_URL}/.tenet/logged-out`,
      backchannelLogoutUri: `http://127.0.0.1:${proxyPort}/.tenet/backchannel-logout`,
      port: idpPort,
    });
  let idp = options.idpDown === true ? undefined : await startIdp();
  const issuer = idp?.issuer ?? `http://127.0.0.1:${idpPort}`;
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const config = authenticationSchema.parse({
    providers: [
      {
        id: 'test-idp',
        name: 'Test IdP',
        issuer,
        clientId: TEST_CLIENT_ID,
        clientSecret: TEST_CLIENT_SECRET,
        scopes: ['openid', 'email', 'profile', 'groups'],
        allowInsecureHttp: true,
        stepUpAcrValues: ['phr'],
        claims: { subjectClaim: 'email', attributes: { department: 'department', emailVerified: 'email_verified' } },
        ...overrides,
      },
    ],
  });
  const providerConfig = config.providers[0];
  if (providerConfig === undefined) throw new Error('no provider');
  const store = await openSqliteStore({ path: ':memory:' });
  const sessions = new Sessions(store.sessions, { cookieName: SESSION_COOKIE, idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 43_200 });
  const auth = await startAuthentication({
    config,
    publicUrl: PUBLIC_URL,
    sessions,
    store: store.sessions,
    returnToAllowed: (url) => url.protocol === 'https:' && OUR_HOSTS.has(url.host),
    readSecret: (provider) => provider.clientSecret,
    logger,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
  proxy.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serve(auth, sessions, req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });

  const portFor = (url: URL): number => (OUR_HOSTS.has(url.hostname) ? proxyPort : Number(url.port));
  const newBrowser = (): TestBrowser => new TestBrowser(portFor);
  return {
    get idp() {
      if (idp === undefined) throw new Error('the provider is not started (startIdp)');
      return idp;
    },
    issuer,
    startIdp: async () => {
      if (idp !== undefined) throw new Error('the provider is already started');
      idp = await startIdp();
      return idp;
    },
    store,
    sessions,
    auth,
    providerConfig,
    proxyPort,
    logs,
    newBrowser,
    login: (browser, rd, extraQuery = {}, startUrl = APP_URL) =>
      browser.follow(`${startUrl}/.tenet/login?${new URLSearchParams({ rd, ...extraQuery }).toString()}`),
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await auth.close();
      await idp?.close();
      await store.close();
    },
  };
}

async function serve(auth: AuthenticationService, sessions: Sessions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const facts: HttpRequestFacts = {
    method: req.method ?? 'GET',
    scheme: 'https',
    host: (req.headers.host ?? '').toLowerCase(),
    path: req.url ?? '/',
    clientIp: req.socket.remoteAddress ?? '127.0.0.1',
    ...(req.headers.cookie !== undefined ? { cookie: req.headers.cookie } : {}),
    ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
  };
  if (await auth.endpoints.handle(req, res, facts)) return;
  if (facts.path === '/whoami') {
    const secret = sessions.readCookie(facts.cookie);
    const session = secret === undefined ? undefined : await sessions.resume(secret, facts.host);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ session: session ?? null }));
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end(`app page ${facts.host}${facts.path}`);
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
