// Real nginx (Debian's /usr/sbin/nginx, auth_request module) in front of a node upstream, asking
// Tenet's forward-auth handler. The server block is read from docs/integrations/nginx.md, so the
// documented configuration is the tested one; only addresses change.
import { existsSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { send } from '../../src/enforcement/forward-auth/testing/http-client.js';
import { LOGIN_BASE } from '../../src/enforcement/forward-auth/testing/scripted-access.js';
import { docSnippet, substitute } from './support/doc-snippet.js';
import { freePort, startProcess, waitForPort, type RunningProcess } from './support/processes.js';
import { startStandIns, type StandIns } from './support/tenet-stand-in.js';

const NGINX = '/usr/sbin/nginx';
const hasNginx = existsSync(NGINX);
if (!hasNginx) console.warn(`test/integrations/nginx.test.ts skipped: ${NGINX} is not installed (apt-get install nginx)`);

// In CI (.ci/run installs nginx) a missing binary fails the run instead of skipping.
describe.skipIf(!hasNginx && process.env["CI"] !== "true")('nginx auth_request → Tenet forward-auth (docs/integrations/nginx.md)', () => {
  let dir: string;
  let port: number;
  let nginx: RunningProcess;
  let stand: StandIns;
  let host: string;

  beforeAll(async () => {
    stand = await startStandIns();
    port = await freePort();
    host = `app.example.com:${port}`;
    dir = mkdtempSync(join(tmpdir(), 'tenet-nginx-'));
    // nginx workers run as "nobody" when the master is root: they must be able to enter the prefix.
    chmodSync(dir, 0o755);
    const site = substitute(docSnippet('docs/integrations/nginx.md', 'nginx-forward-auth'), [
      ['server 127.0.0.1:8280;', `server 127.0.0.1:${stand.tenetPort};`],
      ['proxy_pass http://127.0.0.1:3000;', `proxy_pass http://127.0.0.1:${stand.upstreamPort};`],
      ['listen 80;', `listen 127.0.0.1:${port};`],
    ]);
    writeFileSync(join(dir, 'site.conf'), site);
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        'events { worker_connections 64; }',
        'http {',
        '    access_log off;',
        `    client_body_temp_path ${dir}/client_body;`,
        `    proxy_temp_path ${dir}/proxy;`,
        `    fastcgi_temp_path ${dir}/fastcgi;`,
        `    uwsgi_temp_path ${dir}/uwsgi;`,
        `    scgi_temp_path ${dir}/scgi;`,
        '    include site.conf;',
        '}',
        '',
      ].join('\n'),
    );
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
    stand.tenetPages.length = 0;
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => send(port, { method, path, headers: { Host: host, ...headers } });

  it('passes an allowed user with Tenet\'s identity headers, and never the client\'s forged ones', async () => {
    const res = await get('/reports/q3?format=pdf&x=1', {
      Cookie: 'session=good',
      Accept: 'text/html',
      'X-Tenet-Assertion': 'forged-assertion',
      'X-Email': 'mallory@example.com',
    });
    expect(res.status, nginx.output()).toBe(200);
    expect(stand.upstream).toHaveLength(1);
    const seen = stand.upstream[0];
    expect(seen?.url).toBe('/reports/q3?format=pdf&x=1');
    expect(seen?.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(seen?.headers['x-email']).toBe('alice@example.com');
  });

  it('drops a forged identity header that Tenet did not set (empty auth_request_set value)', async () => {
    const res = await get('/', { Cookie: 'session=good-noemail', 'X-Email': 'mallory@example.com' });
    expect(res.status).toBe(200);
    expect(stand.upstream[0]?.headers['x-tenet-assertion']).toBe('assertion-for-bob');
    expect(stand.upstream[0]?.headers['x-email']).toBeUndefined();
  });

  it('shows Tenet the original method, path and query, host and client, whatever the client claims', async () => {
    await get('/docs/a%20b?q=1&r=2', {
      Cookie: 'session=good',
      'X-Original-URI': '/public',
      'X-Original-Method': 'GET',
      'X-Forwarded-Uri': '/public',
      'X-Forwarded-Method': 'GET',
      'X-Forwarded-Host': 'admin.example.com',
      'X-Real-IP': '6.6.6.6',
    }, 'DELETE');
    expect(stand.calls).toHaveLength(1);
    expect(stand.calls[0]?.facts).toMatchObject({ method: 'DELETE', scheme: 'http', host, path: '/docs/a%20b?q=1&r=2', clientIp: '127.0.0.1' });
  });

  it('answers a denied user 403 with the decision id, without reaching the upstream', async () => {
    const res = await get('/reports', { Cookie: 'session=bad' });
    expect(res.status).toBe(403);
    expect(res.headers['x-tenet-decision']).toMatch(/^[0-9a-f-]{36}$/);
    expect(stand.upstream).toHaveLength(0);
  });

  it('redirects a browser without a session to Tenet\'s login URL for the original page', async () => {
    const res = await get('/reports?page=2', { Accept: 'text/html' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent(`http://${host}/reports?page=2`)}`);
    expect(stand.upstream).toHaveLength(0);
  });

  it('answers an API client without a session 401', async () => {
    const res = await get('/api/items', { Accept: 'application/json' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tenet"');
    expect(stand.upstream).toHaveLength(0);
  });

  it('refuses a host Tenet has no route for (403)', async () => {
    const res = await send(port, { path: '/', headers: { Host: 'unknown.example.com', Cookie: 'session=good' } });
    expect(res.status).toBe(403);
    expect(stand.upstream).toHaveLength(0);
  });

  it('refuses the request when Tenet fails (nginx answers 500)', async () => {
    const res = await send(port, { path: '/', headers: { Host: 'boom.example.com', Cookie: 'session=good' } });
    expect(res.status).toBe(500);
    expect(stand.upstream).toHaveLength(0);
  });

  it('routes Tenet\'s own pages on this host (/.tenet/session) to Tenet, not to the application', async () => {
    const res = await get('/.tenet/session?code=abc');
    expect(res.status).toBe(200);
    expect(stand.tenetPages.map((page) => page.url)).toEqual(['/.tenet/session?code=abc']);
    expect(stand.tenetPages[0]?.headers.host).toBe(host);
    expect(stand.upstream).toHaveLength(0);
  });

  it.each(['/.tenet/forward-auth', '/.TENET/Forward-Auth', '/.tenet/%66orward-auth?mode=redirect', '/.tenet//forward-auth', '/.tenet/ext-authz/x'])(
    'never lets a client call the decision endpoint through this host: %s',
    async (path) => {
      const res = await get(path, { Cookie: 'session=good', 'X-Original-URI': '/', 'X-Original-Method': 'GET', 'X-Forwarded-Uri': '/', 'X-Forwarded-Method': 'GET' });
      expect(res.status).toBe(404);
      expect(res.headers['x-tenet-assertion']).toBeUndefined();
      expect(stand.calls).toHaveLength(0);
    },
  );
});
