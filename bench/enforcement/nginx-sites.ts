// The nginx server blocks the enforcement-point benchmarks compare Tenet with. The forward-auth one
// is the documented block from docs/integrations/nginx.md (read from the doc, as the integration
// test does), with only the addresses and the final handler changed.
//
// Why the static answer goes through `try_files … @bench_ok` instead of a bare `return 200`:
// `return` runs in nginx's rewrite phase, BEFORE the access phase where auth_request asks Tenet, so
// `return 200` in the protected location would answer without asking. try_files runs after the
// access phase; it finds no file and hands over to a named location that returns 200. The baseline
// block does exactly the same without auth_request, so the two differ only by the subrequest.
import { join } from 'node:path';
import { docSnippet, substitute } from '../../test/integrations/support/doc-snippet.js';
import { REPO } from './children.js';
import type { NginxServer } from './nginx.js';

export const STATIC_BODY = 'ok\n';
const STATIC_HANDLER = `try_files /.tenet-bench-no-such-file @bench_ok;`;
const STATIC_LOCATION = `    location @bench_ok {\n        default_type text/plain;\n        return 200 "ok\\n";\n    }\n`;

/** nginx answering 200 itself: the floor for anything nginx does per request. */
export function staticSite(port: number, serverName: string): NginxServer {
  return {
    ports: [port],
    config: [
      'server {',
      `    listen 127.0.0.1:${port};`,
      `    server_name ${serverName};`,
      `    location / {\n        ${STATIC_HANDLER}\n    }`,
      STATIC_LOCATION,
      '}',
    ].join('\n'),
  };
}

/** A plain nginx reverse proxy to `upstreamPort` with a keep-alive upstream pool of `keepalive` connections. */
export function proxySite(port: number, serverName: string, upstreamPort: number, keepalive: number): NginxServer {
  return {
    ports: [port],
    config: [
      'upstream bench_app {',
      `    server 127.0.0.1:${upstreamPort};`,
      `    keepalive ${keepalive};`,
      '}',
      'server {',
      `    listen 127.0.0.1:${port};`,
      `    server_name ${serverName};`,
      '    location / {',
      '        proxy_pass http://bench_app;',
      '        proxy_http_version 1.1;',
      '        proxy_set_header Connection "";',
      '        proxy_set_header Host $http_host;',
      '        proxy_set_header X-Forwarded-Proto $scheme;',
      '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      '    }',
      '}',
    ].join('\n'),
  };
}

/** docs/integrations/nginx.md's auth_request block, asking Tenet at `tenetPort`, answering 200 itself when allowed. */
export function forwardAuthSite(port: number, tenetPort: number): NginxServer {
  const documented = docSnippet(join(REPO, 'docs/integrations/nginx.md'), 'nginx-forward-auth');
  return {
    ports: [port],
    config: substitute(documented, [
      ['server 127.0.0.1:8280;', `server 127.0.0.1:${tenetPort};`],
      ['listen 80;', `listen 127.0.0.1:${port};`],
      ['proxy_pass http://127.0.0.1:3000;', STATIC_HANDLER],
      ['    location @tenet_login {', `${STATIC_LOCATION}\n    location @tenet_login {`],
    ]),
  };
}
