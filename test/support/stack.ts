// The whole quickstart stack in the test process, as `npm start` runs it (examples/quickstart/start.ts):
// the bundled development IdP, Tenet (`serve`: decision point, identity-aware proxy with its
// self-signed certificate, login endpoints, optionally ext_authz gRPC) and the example app behind
// it. Everything listens on free loopback ports, so stacks of parallel test files never collide:
// the proxy's port must be known before start (publicUrl, the IdP's redirect URIs and the routes'
// host name it), so it is reserved by binding port 0 and releasing it, and the whole start is
// retried on the rare EADDRINUSE when another process took the port in between.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { loadDevIdpFile, startDevIdp, type RunningDevIdp } from '../../src/dev-idp/index.js';
import { SELF_SIGNED_CERT_FILE } from '../../src/enforcement/proxy/self-signed-certificate.js';
import type { RunningEnforcement } from '../../src/enforcement-points.js';
import { serve, type RunningServer } from '../../src/server.js';
import { startExampleApp, type RunningExampleApp } from '../../examples/quickstart/app/server.js';
import { QUICKSTART_DIR } from './quickstart.js';

/** Where the stack listens, for options that add routes. */
export interface StackAddresses {
  /** The proxy's port P (https://localhost:P). */
  readonly proxyPort: number;
  /** `localhost:P`, the quickstart routes' host. */
  readonly publicHost: string;
  /** The example app, `http://127.0.0.1:<port>`: the quickstart routes' upstream. */
  readonly appUrl: string;
}

export interface StackOptions {
  /** authentication.session.idleTimeout (default: the quickstart's, 1h), e.g. "2s" for expiry tests. */
  readonly idleTimeout?: string;
  /** Also serve ext_authz over gRPC (extAuthz.grpcListen on a free loopback port). */
  readonly extAuthzGrpc?: boolean;
  /** Routes appended to the quickstart's (tenet.yaml `routes` entries). */
  readonly extraRoutes?: (addresses: StackAddresses) => readonly Record<string, unknown>[];
  /** Files written into the copied quickstart before start, by path relative to it (e.g. `policies/extra.cedar`). */
  readonly files?: Readonly<Record<string, string>>;
  /** Log level of Tenet and the IdP (default `TEST_LOG_LEVEL` or silent). */
  readonly logLevel?: string;
  /**
   * Bind the API to this port instead of an ephemeral one: for tests where the API's own URL must
   * be known before start (the Shared Signals issuer it publishes).
   */
  readonly apiPort?: number;
}

export interface RunningStack {
  /** Temp directory holding the copy, the store, the certificate and keys. */
  readonly root: string;
  /** The copied quickstart (tenet.yaml, policies/, …). */
  readonly dir: string;
  readonly configFile: string;
  readonly storePath: string;
  readonly proxyPort: number;
  /** `https://localhost:P`: the proxy's publicUrl, where browsers go. */
  readonly publicUrl: string;
  /** `localhost:P`. */
  readonly publicHost: string;
  /** Tenet's decision / admin API, e.g. `http://127.0.0.1:41234`. */
  readonly apiUrl: string;
  /** The dev IdP's issuer, `http://127.0.0.1:<port>`. */
  readonly idpUrl: string;
  /** The example app (direct, bypassing Tenet). */
  readonly appUrl: string;
  /** The ext_authz gRPC port, when `extAuthzGrpc` was asked for. */
  readonly grpcPort: number | undefined;
  /** The proxy's self-signed certificate (PEM): what the example app trusts for Tenet's JWKS. */
  readonly certificate: string;
  readonly tenet: RunningServer;
  readonly enforcement: RunningEnforcement;
  readonly idp: RunningDevIdp;
  readonly app: RunningExampleApp;
  /** What the example app logged (refused requests and their reasons). */
  readonly appLog: readonly string[];
  /** Stops the app, Tenet and the IdP, then deletes the temp directory. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port was bound');
  return address.port;
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (error) {
      // Only a lost race for a reserved port is retried; every other failure is the test's to see.
      if (!lostPortRace(error) || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

/** node:net says EADDRINUSE in `code`; grpc-js only in its message. */
function lostPortRace(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test((error as Error).message ?? '');
}

async function startOnce(options: StackOptions): Promise<RunningStack> {
  const root = mkdtempSync(join(tmpdir(), 'tenet-stack-'));
  const dir = join(root, 'quickstart');
  cpSync(QUICKSTART_DIR, dir, { recursive: true });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const logger = pino({ level: options.logLevel ?? process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const stops: (() => Promise<void>)[] = [async () => rmSync(root, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const proxyPort = await freePort();
    const appPort = await freePort();
    const grpcPort = options.extAuthzGrpc ? await freePort() : undefined;
    const publicHost = `localhost:${proxyPort}`;
    const publicUrl = `https://${publicHost}`;
    const appUrl = `http://127.0.0.1:${appPort}`;

    // The IdP first (on port 0): its issuer names the port it got, and tenet.yaml names the issuer.
    const idpFile = loadDevIdpFile(join(dir, 'idp-users.yaml'));
    const idp = await startDevIdp({
      host: '127.0.0.1',
      port: 0,
      users: idpFile.users,
      clients: idpFile.clients.map((client) => ({
        ...client,
        redirectUris: [`${publicUrl}/.tenet/callback`],
        postLogoutRedirectUris: [`${publicUrl}/.tenet/logged-out`],
        backchannelLogoutUri: `${publicUrl}/.tenet/backchannel-logout`,
      })),
      logger: logger.child({ component: 'dev-idp' }),
    });
    stops.push(() => idp.stop());

    const configFile = join(dir, 'tenet.yaml');
    const storePath = join(root, 'data', 'tenet.db');
    writeFileSync(configFile, rewriteConfig(readFileSync(configFile, 'utf8'), { storePath, publicHost, publicUrl, proxyPort, appUrl, idpIssuer: idp.issuer, grpcPort, options }));

    const tenet = await serve(loadConfig(configFile), { handleSignals: false, logger });
    stops.push(() => tenet.stop());
    const enforcement = tenet.enforcement;
    if (enforcement === undefined) throw new Error('serve started no enforcement points: the rewritten tenet.yaml lost its proxy');

    // The proxy's self-signed certificate, generated beside the store at start (as start.ts reads it).
    const certificate = readFileSync(join(dirname(storePath), SELF_SIGNED_CERT_FILE), 'utf8');
    const appLog: string[] = [];
    const app = await startExampleApp({
      port: appPort,
      host: '127.0.0.1',
      jwksUrl: `${publicUrl}/.tenet/jwks.json`,
      issuer: publicUrl,
      jwksCa: certificate,
      log: (line) => appLog.push(line),
    });
    stops.push(() => app.stop());

    return {
      root,
      dir,
      configFile,
      storePath,
      proxyPort,
      publicUrl,
      publicHost,
      apiUrl: tenet.url,
      idpUrl: idp.issuer,
      appUrl: app.url,
      grpcPort: enforcement.grpcPort,
      certificate,
      tenet,
      enforcement,
      idp,
      app,
      appLog,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface Rewrite {
  readonly storePath: string;
  readonly publicHost: string;
  readonly publicUrl: string;
  readonly proxyPort: number;
  readonly appUrl: string;
  readonly idpIssuer: string;
  readonly grpcPort: number | undefined;
  readonly options: StackOptions;
}

/** The quickstart's tenet.yaml with this stack's addresses; everything else (policies, providers' claims, step-up settings) as shipped. */
function rewriteConfig(original: string, rewrite: Rewrite): string {
  const document = parseDocument(original);
  document.setIn(['listen'], `127.0.0.1:${rewrite.options.apiPort ?? 0}`);
  document.setIn(['store', 'path'], rewrite.storePath);
  document.setIn(['proxy', 'listen'], `127.0.0.1:${rewrite.proxyPort}`);
  document.setIn(['proxy', 'publicUrl'], rewrite.publicUrl);
  const providers = document.getIn(['authentication', 'providers']) as { items: unknown[] } | undefined;
  if (providers === undefined || providers.items.length !== 1) throw new Error('the quickstart tenet.yaml should configure exactly one provider');
  document.setIn(['authentication', 'providers', 0, 'issuer'], rewrite.idpIssuer);
  if (rewrite.options.idleTimeout !== undefined) document.setIn(['authentication', 'session', 'idleTimeout'], rewrite.options.idleTimeout);
  if (rewrite.grpcPort !== undefined) document.setIn(['extAuthz', 'grpcListen'], `127.0.0.1:${rewrite.grpcPort}`);
  const routes = document.get('routes') as { items: unknown[] } | undefined;
  if (routes === undefined || routes.items.length === 0) throw new Error('the quickstart tenet.yaml should configure routes');
  for (let index = 0; index < routes.items.length; index += 1) {
    document.setIn(['routes', index, 'host'], rewrite.publicHost);
    document.setIn(['routes', index, 'upstream'], rewrite.appUrl);
  }
  const extra = rewrite.options.extraRoutes?.({ proxyPort: rewrite.proxyPort, publicHost: rewrite.publicHost, appUrl: rewrite.appUrl }) ?? [];
  for (const route of extra) document.addIn(['routes'], document.createNode(route));
  return document.toString();
}
