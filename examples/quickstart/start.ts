// `npm start`: the whole quickstart in one process — the bundled development IdP, Tenet (decision
// point + identity-aware proxy) and the example app behind it — then prints where to go.
// DEVELOPMENT ONLY: the IdP's users and the client secret are published in this folder, and the
// proxy's certificate is self-signed. Stop with Ctrl-C.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { loadDevIdpFile, startDevIdp } from '../../src/dev-idp/index.js';
import { SELF_SIGNED_CERT_FILE } from '../../src/enforcement/proxy/self-signed-certificate.js';
import { serve } from '../../src/server.js';
import { startExampleApp } from './app/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' });

async function main(): Promise<void> {
  const loaded = loadConfig(join(here, 'tenet.yaml'));
  const proxy = loaded.config.proxy;
  const provider = loaded.config.authentication.providers[0];
  if (proxy === undefined || provider === undefined) throw new Error('examples/quickstart/tenet.yaml must configure proxy and a provider');

  const idpFile = loadDevIdpFile(join(here, 'idp-users.yaml'));
  const issuer = new URL(provider.issuer);
  const idp = await startDevIdp({ issuer: provider.issuer, host: issuer.hostname, port: Number(issuer.port), users: idpFile.users, clients: idpFile.clients, logger: logger.child({ component: 'dev-idp' }) });

  const tenet = await serve(loaded, { handleSignals: false, logger });

  const upstream = new URL(loaded.config.routes[0]?.upstream ?? 'http://127.0.0.1:9000');
  // The proxy's self-signed certificate (generated beside the database): the app trusts it to fetch Tenet's JWKS.
  const certificate = join(resolve(dirname(loaded.config.store.path)), SELF_SIGNED_CERT_FILE);
  const app = await startExampleApp({
    port: Number(upstream.port),
    host: upstream.hostname,
    jwksUrl: new URL('/.tenet/jwks.json', proxy.publicUrl).toString(),
    issuer: proxy.publicUrl,
    jwksCa: readFileSync(certificate, 'utf8'),
  });

  const stop = async () => {
    await app.stop();
    await tenet.stop();
    await idp.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }

  console.log(`
  Tenet quickstart is running (development only).

    Open ${proxy.publicUrl}/  and accept the self-signed certificate.
    Sign in at the development IdP as:
      bob / bob-pw          an employee: allowed, the app shows the identity Tenet vouched for
      mallory / mallory-pw  in no group: denied, with the reasons and the decision id
      alice / alice-pw      an administrator: ${proxy.publicUrl}/admin asks her to step up (tick "security key");
                            ${proxy.publicUrl}/payroll denies her: it needs a managed, compliant device
    Register a passkey at ${proxy.publicUrl}/.tenet/passkeys: later step-ups use it.
    Enroll this machine as a device (docs/devices.md):
      npx tenet agent enroll --server ${proxy.publicUrl} --server-ca data/proxy-self-signed-cert.pem
      npx tenet agent report
    Sign out at ${proxy.publicUrl}/.tenet/logout

    Decision API (AuthZEN)  ${tenet.url}/access/v1/evaluation
    Development IdP         ${idp.url}
    Example app (direct)    ${app.url}  (refuses requests that did not come through Tenet)
`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${(error as Error & { code?: string }).code ?? 'error'}: ${error.message}` : error);
  process.exit(1);
});
