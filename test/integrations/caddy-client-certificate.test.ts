// Real Caddy running docs/integrations/caddy.md's site block: a client-sent X-Tenet-Client-Cert
// never reaches Tenet, because the documented `header_up` replaces it with Caddy's own value
// (empty here: plain HTTP, no client certificate). Only addresses change, as in caddy.test.ts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../src/enforcement/forward-auth/testing/http-client.js';
import { docSnippet, substitute } from './support/doc-snippet.js';
import { freePort, startProcess, waitForPort, type RunningProcess } from './support/processes.js';
import { startStandIns, type StandIns } from './support/tenet-stand-in.js';

const CADDY = '/usr/bin/caddy';
const hasCaddy = existsSync(CADDY);

describe.skipIf(!hasCaddy && process.env['CI'] !== 'true')('Caddy forward_auth: the client certificate header (docs/integrations/caddy.md)', () => {
  let dir: string;
  let port: number;
  let caddy: RunningProcess;
  let stand: StandIns;

  beforeAll(async () => {
    stand = await startStandIns();
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'tenet-caddy-cert-'));
    const site = substitute(docSnippet('docs/integrations/caddy.md', 'caddy-forward-auth'), [
      ['app.example.com {', `http://device.example.com:${port} {`],
      ['127.0.0.1:8280', `127.0.0.1:${stand.tenetPort}`],
      ['reverse_proxy 127.0.0.1:3000', `reverse_proxy 127.0.0.1:${stand.upstreamPort}`],
    ]);
    const globals = ['{', '\tadmin off', '\tauto_https off', '\tdefault_bind 127.0.0.1', `\tstorage file_system ${dir}/data`, '}', ''].join('\n');
    writeFileSync(join(dir, 'Caddyfile'), `${globals}\n${site}`);
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
    caddy = startProcess(CADDY, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { cwd: dir, env });
    await waitForPort(port, caddy);
  });

  afterAll(async () => {
    await caddy?.stop();
    await stand?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a client-sent X-Tenet-Client-Cert, so a route that requires a device refuses (403)', async () => {
    // Readable as a certificate by Tenet if it arrived: the test fails if Caddy passed it on.
    const forged = `MIIB${'A'.repeat(160)}`;
    const res = await send(port, { path: '/', headers: { Host: `device.example.com:${port}`, Cookie: 'session=good', Accept: 'application/json', 'X-Tenet-Client-Cert': forged } });
    expect(res.status, caddy.output()).toBe(403);
    expect(stand.calls).toHaveLength(1);
    expect(stand.calls[0]?.facts.clientCertificate).toBeUndefined();
    expect(stand.upstream).toHaveLength(0);
  });
});
