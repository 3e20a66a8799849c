// The stack the revocation benchmark measures, in this process: Tenet `serve` (the quickstart's
// policies, entities and guardrails — threat-listed IPs and quarantined devices are denied — and
// its built-in device CA and posture rules), the proxy on plain HTTP (forward-auth under
// /.tenet/forward-auth on the same listener, loopback as trusted proxy), an upstream answering 200
// and echoing WebSockets, and an OpenID Shared Signals transmitter (the receiver's test fake: real
// HTTP, real ES256-signed SETs) that Tenet receives CAEP events from by push. No IdP: sessions are
// started through the running enforcement points' Sessions service, as the integration tests do.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { WebSocketServer } from 'ws';
import { loadConfig } from '../../src/config/load.js';
import type { RunningEnforcement } from '../../src/enforcement-points.js';
import { serve, type RunningServer } from '../../src/server.js';
import { FakeTransmitter } from '../../src/ssf/receiver/testing/fake-transmitter.js';
import { QUICKSTART_DIR } from '../../test/support/quickstart.js';
import { freePort } from '../../test/support/stack.js';

/** The Host clients address; the routes and the sessions are bound to it. */
export const APP_HOST = 'app.bench';
/** The proxy's public URL (device messages are addressed to it). */
export const PUBLIC_URL = `https://${APP_HOST}`;
/** Path prefix of the route whose policy needs a compliant device (resource App::"bench-device"). */
export const DEVICE_PATH = '/device/';
/** `ssf.receiver.transmitters[].id`: the push URL is <api>/ssf/receiver/<id>. */
export const TRANSMITTER_ID = 'bench-idp';
/** `ssf.receiver.audience`, the `aud` of every SET (what the fake transmitter's streams name). */
export const SET_AUDIENCE = 'https://tenet.test';

const PUSH_TOKEN_ENV = 'TENET_BENCH_SSF_PUSH_TOKEN';

const DEVICE_POLICY = `// Benchmark only: the device route opens to employees on a compliant device.
@id("bench-device-compliant")
permit (principal in Group::"employees", action == Action::"read", resource == App::"bench-device")
when { context.device.compliant };
`;

export interface BenchStack {
  readonly proxyPort: number;
  readonly apiUrl: string;
  readonly tenet: RunningServer;
  readonly enforcement: RunningEnforcement;
  readonly transmitter: FakeTransmitter;
  /** The receiver's RFC 8935 push endpoint and the token the transmitter sends there. */
  readonly push: { readonly url: string; readonly token: string };
  stop(): Promise<void>;
}

export async function startBenchStack(dir: string): Promise<BenchStack> {
  const upstream: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  const wss = new WebSocketServer({ noServer: true });
  upstream.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(data))));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const transmitter = new FakeTransmitter();
  await transmitter.start();
  const pushToken = randomBytes(24).toString('base64url');
  process.env[PUSH_TOKEN_ENV] = pushToken;

  const quickstart = join(dir, 'quickstart');
  cpSync(QUICKSTART_DIR, quickstart, { recursive: true });
  writeFileSync(join(quickstart, 'policies', 'bench-device.cedar'), DEVICE_POLICY);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const proxyPort = await freePort();
  const configFile = join(quickstart, 'tenet.yaml');
  const document = parseDocument(readFileSync(configFile, 'utf8'));
  document.setIn(['listen'], '127.0.0.1:0');
  document.setIn(['store', 'path'], join(dir, 'data', 'tenet.db'));
  // The quickstart's `devices` block stays: built-in device CA, agent reports trusted for facts,
  // rules diskEncrypted + firewallEnabled.
  document.setIn(['proxy'], document.createNode({ listen: `127.0.0.1:${proxyPort}`, publicUrl: PUBLIC_URL, trustedProxies: ['127.0.0.1/32'] }));
  document.setIn(['authentication', 'providers'], document.createNode([]));
  document.setIn(
    ['routes'],
    document.createNode([
      { name: 'hello', host: APP_HOST, upstream: upstreamUrl, resource: { type: 'App', id: 'hello' }, sensitivity: 'low' },
      { name: 'device', host: APP_HOST, pathPrefix: DEVICE_PATH.replace(/\/$/, ''), upstream: upstreamUrl, resource: { type: 'App', id: 'bench-device' }, sensitivity: 'low' },
    ]),
  );
  document.setIn(
    ['ssf'],
    document.createNode({
      receiver: {
        audience: SET_AUDIENCE,
        transmitters: [{ id: TRANSMITTER_ID, issuer: transmitter.issuer, delivery: 'push', pushToken: { env: PUSH_TOKEN_ENV }, allowInsecureHttp: true, subjects: ['email', 'opaque'] }],
      },
    }),
  );
  writeFileSync(configFile, document.toString());

  const loaded = (() => {
    try {
      return loadConfig(configFile);
    } catch (error) {
      throw new Error(`${(error as Error).message}: ${JSON.stringify((error as { issues?: unknown }).issues)}`);
    }
  })();
  const tenet = await serve(loaded, { handleSignals: false, logger: pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'warn' }) });
  const enforcement = tenet.enforcement;
  if (enforcement === undefined) throw new Error('serve started no enforcement points');
  // The receiver discovers the transmitter and creates its push stream in the background: wait
  // for the stream, so no measured push pays for discovery.
  const setUpBy = Date.now() + 30_000;
  while (transmitter.streams.size === 0) {
    if (Date.now() > setUpBy) throw new Error('the SSF receiver created no stream at the transmitter within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    proxyPort,
    apiUrl: tenet.url,
    tenet,
    enforcement,
    transmitter,
    push: { url: `${tenet.url}/ssf/receiver/${TRANSMITTER_ID}`, token: pushToken },
    async stop() {
      await tenet.stop();
      await transmitter.close();
      wss.close();
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
      delete process.env[PUSH_TOKEN_ENV];
    },
  };
}
