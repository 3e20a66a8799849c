// Real Caddy (Debian's /usr/bin/caddy, forward_auth) in front of a node upstream, asking Tenet's
// forward-auth handler. The site block is read from docs/integrations/caddy.md, so the documented
// configuration is the tested one; only addresses change (and http:// instead of automatic HTTPS).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { send } from '../../src/enforcement/forward-auth/testing/http-client.js';
import { LOGIN_BASE } from '../../src/enforcement/forward-auth/testing/scripted-access.js';
import { docSnippet, substitute } from './support/doc-snippet.js';
import { freePort, startProcess, waitForPort, type RunningProcess } from './support/processes.js';
import { startStandIns, type StandIns } from './support/tenet-stand-in.js';

const CADDY = '/usr/bin/caddy';
const hasCaddy = existsSync(CADDY);
if (!hasCaddy) console.warn(`test/integrations/caddy.test.ts skipped: ${CADDY} is not installed (apt-get install caddy)`);

// In CI (.ci/run installs caddy) a missing binary fails the run instead of skipping.
describe.skipIf(!hasCaddy && process.env["CI"] !== "true")('Caddy forward_auth → Tenet forward-auth (docs/integrations/caddy.md)', () => {
  let dir: string;
  let port: number;
  let caddy: RunningProcess;
  let stand: StandIns;
  let host: string;

  beforeAll(async () => {
    stand = await startStandIns();
    port = await freePort();
    host = `app.example.com:${port}`;
    dir = mkdtempSync(join(tmpdir(), 'tenet-caddy-'));
    const site = substitute(docSnippet('docs/integrations/caddy.md', 'caddy-forward-auth'), [
      ['app.example.com {', `http://app.example.com:${port} {`],
      ['127.0.0.1:8280', `127.0.0.1:${stand.tenetPort}`],
      ['reverse_proxy 127.0.0.1:3000', `reverse_proxy 127.0.0.1:${stand.upstreamPort}`],
    ]);
    // Test-only global options: no admin endpoint, no certificates, loopback only, state in the temp dir.
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
    expect(res.status, caddy.output()).toBe(200);
    expect(stand.upstream).toHaveLength(1);
    const seen = stand.upstream[0];
    expect(seen?.url).toBe('/reports/q3?format=pdf&x=1');
    expect(seen?.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(seen?.headers['x-email']).toBe('alice@example.com');
  });

  it('drops a forged identity header that Tenet did not set', async () => {
    const res = await get('/', { Cookie: 'session=good-noemail', 'X-Email': 'mallory@example.com' });
    expect(res.status).toBe(200);
    expect(stand.upstream[0]?.headers['x-tenet-assertion']).toBe('assertion-for-bob');
    expect(stand.upstream[0]?.headers['x-email'] ?? '').not.toContain('mallory');
  });

  it('shows Tenet the original method, path and query, host and client, whatever the client claims', async () => {
    await get('/docs/a%20b?q=1&r=2', {
      Cookie: 'session=good',
      'X-Original-URI': '/public',
      'X-Original-Method': 'GET',
      'X-Forwarded-Uri': '/public',
      'X-Forwarded-Method': 'GET',
      'X-Forwarded-Host': 'admin.example.com',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-For': '6.6.6.6',
      'X-Real-IP': '6.6.6.6',
    }, 'DELETE');
    expect(stand.calls).toHaveLength(1);
    expect(stand.calls[0]?.facts).toMatchObject({ method: 'DELETE', scheme: 'http', host, path: '/docs/a%20b?q=1&r=2', clientIp: '127.0.0.1' });
  });

  it('answers a denied user 403 with Tenet\'s page, without reaching the upstream', async () => {
    const res = await get('/reports', { Cookie: 'session=bad', Accept: 'text/html' });
    expect(res.status).toBe(403);
    expect(res.body).toContain('Access denied');
    expect(res.headers['x-tenet-decision']).toMatch(/^[0-9a-f-]{36}$/);
    expect(stand.upstream).toHaveLength(0);
  });

  it('redirects a browser without a session to Tenet\'s login URL for the original page', async () => {
    const res = await get('/reports?page=2', { Accept: 'text/html' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent(`http://${host}/reports?page=2`)}`);
    expect(stand.upstream).toHaveLength(0);
  });

  it('answers an API client without a session 401 JSON', async () => {
    const res = await get('/api/items', { Accept: 'application/json' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthenticated' });
    expect(stand.upstream).toHaveLength(0);
  });

  it('refuses a path Tenet has no route for (403)', async () => {
    const res = await get('/unrouted', { Cookie: 'session=good' });
    expect(res.status).toBe(403);
    expect(stand.upstream).toHaveLength(0);
  });

  it('passes on Tenet\'s 405 for a method the route does not map', async () => {
    const res = await get('/', { Cookie: 'session=good', Accept: 'application/json' }, 'TRACE');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('GET');
    expect(stand.upstream).toHaveLength(0);
  });

  it('refuses the request when Tenet fails (500)', async () => {
    const res = await get('/boom', { Cookie: 'session=good' });
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

  it.each(['/.tenet/forward-auth', '/.TENET/Forward-Auth', '/.tenet/%66orward-auth?mode=nginx', '/.tenet//forward-auth', '/.tenet/ext-authz/x'])(
    'never lets a client call the decision endpoint through this host: %s',
    async (path) => {
      const res = await get(path, { Cookie: 'session=good', 'X-Original-URI': '/', 'X-Original-Method': 'GET', 'X-Forwarded-Uri': '/', 'X-Forwarded-Method': 'GET' });
      expect(res.status).toBe(404);
      expect(res.headers['x-tenet-assertion']).toBeUndefined();
      expect(stand.calls).toHaveLength(0);
      expect(stand.tenetPages).toHaveLength(0);
    },
  );
});
