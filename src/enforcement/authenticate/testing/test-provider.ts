// A real OpenID Provider (oidc-provider 9) for the login tests, minimally configured: one
// confidential client, test users with groups and amr, interactions completed programmatically
// (the test sets who signs in next and how), back-channel and RP-initiated logout enabled.
// It runs behind a small pass-through front on 127.0.0.1 that can rewrite the ID token of the
// next token response, so tests can hand Tenet crafted tokens through the real code exchange.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestUser {
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface NextLogin {
  accountId: string;
  amr?: string[];
  acr?: string;
}

export interface TestProvider {
  /** `http://127.0.0.1:<port>` */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The provider's RS256 signing key (private JWK with kid), for crafting tokens it would have signed. */
  readonly signingKey: JWK & { kid: string };
  /** Who signs in at the next login interaction, and how. */
  nextLogin: NextLogin;
  /** Rewrites the ID token of the next token endpoint response (then resets itself). */
  tamperNextIdToken: ((idToken: string) => Promise<string> | string) | undefined;
  readonly provider: Provider;
  close(): Promise<void>;
}

export const TEST_USERS: Readonly<Record<string, TestUser>> = {
  alice: { claims: { email: 'alice@example.test', email_verified: true, name: 'Alice Example', groups: ['engineering', 'admins'], department: 'R&D' } },
  bob: { claims: { email: 'bob@example.test', email_verified: true, name: 'Bob <script>alert(1)</script>', groups: ['sales'] } },
};

export interface TestProviderOptions {
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly backchannelLogoutUri?: string;
  /** The port the provider (its issuer) listens on; default: any free port. */
  readonly port?: number;
}

export const TEST_CLIENT_ID = 'tenet-test';
export const TEST_CLIENT_SECRET = 'tenet-test-secret-0123456789abcdef';

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

  const inner = await listen(createServer());
  const front = await listen(createServer(), options.port).catch(async (error: unknown) => {
    await close(inner);
    throw error;
  });
  const innerPort = (inner.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const clientId = TEST_CLIENT_ID;
  const clientSecret = TEST_CLIENT_SECRET;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        ...(options.backchannelLogoutUri !== undefined ? { backchannel_logout_uri: options.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-cookie-signing-key-0123456789'] },
    // amr, acr and email come with every ID token (as most providers send them); auth_time when
    // max_age asks for it; groups, name and department only from UserInfo (the code flow default).
    claims: { openid: ['sub', 'amr', 'acr', 'email'], email: ['email', 'email_verified'], profile: ['name', 'department'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    acrValues: ['urn:test:pwd', 'phr'],
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    // HS256 is advertised on purpose: openid-client's algorithm check then lets an HS256 ID token
    // through, and only Tenet's own allow-list stands between it and a session.
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] },
    pkce: { required: () => true },
    // Back-channel logout goes to Tenet on 127.0.0.1, which oidc-provider's SSRF guard (a dispatcher
    // refusing special-use addresses) would block; the test provider talks to loopback only.
    fetch: (url, options) => {
      const { dispatcher: _dispatcher, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx, sub) {
      const user = TEST_USERS[sub];
      if (user === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
    async renderError(ctx, out) {
      ctx.type = 'text/plain';
      ctx.body = `provider error: ${String(out.error)} ${String(out.error_description ?? '')}`;
    },
  };
  const provider = new Provider(issuer, configuration);
  const state: { nextLogin: NextLogin; tamper: TestProvider['tamperNextIdToken'] } = { nextLogin: { accountId: 'alice', amr: ['pwd'], acr: 'urn:test:pwd' }, tamper: undefined };

  const callback = provider.callback();
  inner.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/') === true) {
      completeInteraction(provider, state.nextLogin, req, res).catch((error: unknown) => {
        res.writeHead(500).end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    void callback(req, res);
  });
  front.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const tamper = req.method === 'POST' && req.url === '/token' ? state.tamper : undefined;
    if (tamper !== undefined) state.tamper = undefined;
    forward(innerPort, req, res, tamper);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    signingKey,
    get nextLogin() {
      return state.nextLogin;
    },
    set nextLogin(value) {
      state.nextLogin = value;
    },
    get tamperNextIdToken() {
      return state.tamper;
    },
    set tamperNextIdToken(value) {
      state.tamper = value;
    },
    provider,
    close: async () => {
      await Promise.all([close(front), close(inner)]);
    },
  };
}

/** Login: the test's next user; consent: grant whatever the client asked for (a first-party app). */
async function completeInteraction(provider: Provider, next: NextLogin, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, {
      login: { accountId: next.accountId, ...(next.amr !== undefined ? { amr: next.amr } : {}), ...(next.acr !== undefined ? { acr: next.acr } : {}) },
    });
    return;
  }
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (accountId === undefined || typeof clientId !== 'string') throw new Error('consent without a session');
  const grant = details.grantId !== undefined ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
  if (grant === undefined) throw new Error('grant not found');
  const missing = details.prompt.details;
  if (Array.isArray(missing.missingOIDCScope)) grant.addOIDCScope((missing.missingOIDCScope as string[]).join(' '));
  if (Array.isArray(missing.missingOIDCClaims)) grant.addOIDCClaims(missing.missingOIDCClaims as string[]);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/** Pass-through to the provider, keeping the Host header (it builds its URLs from it). */
function forward(port: number, req: IncomingMessage, res: ServerResponse, tamper: TestProvider['tamperNextIdToken']): void {
  const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    if (tamper === undefined) {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        if (typeof body.id_token === 'string') body.id_token = await tamper(body.id_token);
        const text = JSON.stringify(body);
        const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, headers).end(text);
      })();
    });
  });
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}

function listen(server: Server, port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A loopback port that was free a moment ago (for a provider that starts later, at a known issuer). */
export async function freePort(): Promise<number> {
  const server = await listen(createServer());
  const { port } = server.address() as AddressInfo;
  await close(server);
  return port;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
