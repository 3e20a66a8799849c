// Real nginx terminating TLS and asking for device certificates (ssl_verify_client
// optional_no_ca), passing them to Tenet's forward-auth in X-Tenet-Client-Cert. The configuration
// is docs/integrations/nginx.md's server block with its TLS lines (snippet nginx-client-certificate)
// in place of `listen 80;`; only addresses and file paths change.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueClientCertificate, type TestClientCertificate } from '../../src/enforcement/proxy/testing/client-certificates.js';
import { createTestCa, issueServerCertificate } from '../../src/enforcement/proxy/testing/test-pki.js';
import { docSnippet, substitute } from './support/doc-snippet.js';
import { freePort, startProcess, waitForPort, type RunningProcess } from './support/processes.js';
import { startStandIns, type StandIns } from './support/tenet-stand-in.js';

const NGINX = '/usr/sbin/nginx';
const hasNginx = existsSync(NGINX);

describe.skipIf(!hasNginx && process.env['CI'] !== 'true')('nginx ssl_verify_client optional_no_ca → X-Tenet-Client-Cert (docs/integrations/nginx.md)', () => {
  let dir: string;
  let port: number;
  let nginx: RunningProcess;
  let stand: StandIns;
  let serverCa: string;
  let device: TestClientCertificate;

  beforeAll(async () => {
    stand = await startStandIns();
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'tenet-nginx-mtls-'));
    chmodSync(dir, 0o755);
    const deviceCa = createTestCa('Tenet Device CA');
    device = issueClientCertificate(deviceCa, 'laptop-1');
    const tlsCa = createTestCa('Server CA');
    serverCa = tlsCa.certPem;
    const server = issueServerCertificate(tlsCa, { dns: ['device.example.com'] });
    writeFileSync(join(dir, 'server.pem'), server.certPem);
    writeFileSync(join(dir, 'server.key'), server.keyPem, { mode: 0o644 });
    writeFileSync(join(dir, 'device-ca.pem'), deviceCa.certPem);
    const tls = substitute(docSnippet('docs/integrations/nginx.md', 'nginx-client-certificate'), [
      ['listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`],
      ['/etc/nginx/tls/app.example.com.pem', join(dir, 'server.pem')],
      ['/etc/nginx/tls/app.example.com.key', join(dir, 'server.key')],
      ['/etc/nginx/tls/tenet-device-ca.pem', join(dir, 'device-ca.pem')],
    ]);
    const site = substitute(docSnippet('docs/integrations/nginx.md', 'nginx-forward-auth'), [
      ['server 127.0.0.1:8280;', `server 127.0.0.1:${stand.tenetPort};`],
      ['proxy_pass http://127.0.0.1:3000;', `proxy_pass http://127.0.0.1:${stand.upstreamPort};`],
      ['    listen 80;\n', tls],
    ]);
    writeFileSync(join(dir, 'site.conf'), site);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `    ${name}_temp_path ${dir}/${name};`);
    writeFileSync(join(dir, 'nginx.conf'), ['worker_processes 1;', 'events { worker_connections 64; }', 'http {', '    access_log off;', ...temp, '    include site.conf;', '}', ''].join('\n'));
    nginx = startProcess(NGINX, ['-p', `${dir}/`, '-c', 'nginx.conf', '-g', `daemon off; pid ${dir}/nginx.pid; error_log stderr warn;`], { cwd: dir });
    await waitForPort(port, nginx);
  });

  afterAll(async () => {
    await nginx?.stop();
    await stand?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    stand.calls.length = 0;
    stand.upstream.length = 0;
  });

  function get(options: { cert?: TestClientCertificate; headers?: Record<string, string> } = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          servername: 'device.example.com',
          ca: serverCa,
          agent: false,
          headers: { Host: 'device.example.com', Cookie: 'session=good', Accept: 'application/json', ...options.headers },
          ...(options.cert === undefined ? {} : { cert: options.cert.certPem, key: options.cert.keyPem }),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('passes the presented device certificate to Tenet, which receives its DER', async () => {
    const status = await get({ cert: device });
    expect(status, nginx.output()).toBe(200);
    expect(stand.calls).toHaveLength(1);
    const certificate = stand.calls[0]?.facts.clientCertificate;
    expect(certificate?.via).toBe('forwarded');
    expect(Buffer.from(certificate?.der ?? [])).toEqual(device.der);
    expect(stand.upstream).toHaveLength(1);
  });

  it('passes nothing without a certificate (a route that requires one answers 403), and never the client\'s own header', async () => {
    expect(await get()).toBe(403);
    expect(stand.calls[0]?.facts.clientCertificate).toBeUndefined();
    stand.calls.length = 0;
    expect(await get({ headers: { 'X-Tenet-Client-Cert': device.der.toString('base64') } })).toBe(403);
    expect(stand.calls[0]?.facts.clientCertificate).toBeUndefined();
    expect(stand.upstream).toHaveLength(0);
  });
});
