import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../config/enforcement-schema.js';
import { isCanonicalPath, RouteTable } from './route-table.js';

function route(name: string, host: string, pathPrefix = '/'): RouteConfig {
  return {
    name,
    host,
    pathPrefix,
    preserveHost: false,
    resource: { type: 'App', id: name },
    actions: { GET: 'read' },
    api: false,
    headers: {},
    websockets: true,
    timeout: '30s',
    clientCertificate: 'optional',
  };
}

describe('RouteTable', () => {
  const table = new RouteTable([
    route('any', '*'),
    route('wild', '*.example.com'),
    route('app', 'app.example.com'),
    route('app-api', 'app.example.com', '/api'),
    route('app-api-admin', 'app.example.com', '/api/admin/'),
    route('port', 'app.example.com:8443', '/ported'),
  ]);
  const name = (host: string, path: string) => table.match(host, path)?.name;

  it('prefers an exact host to a wildcard to "*"', () => {
    expect(name('app.example.com', '/')).toBe('app');
    expect(name('other.example.com', '/')).toBe('wild');
    expect(name('elsewhere.test', '/')).toBe('any');
  });

  it('matches a wildcard over one label only', () => {
    expect(name('a.b.example.com', '/')).toBe('any');
    expect(name('example.com', '/')).toBe('any');
  });

  it('takes the longest path prefix, at segment boundaries only', () => {
    expect(name('app.example.com', '/api')).toBe('app-api');
    expect(name('app.example.com', '/api/x?q=1')).toBe('app-api');
    expect(name('app.example.com', '/apiary')).toBe('app');
    expect(name('app.example.com', '/api/admin/users')).toBe('app-api-admin');
    expect(name('app.example.com', '/api/admin')).toBe('app-api');
  });

  it('lets a route with a port match only that port, ahead of the port-less route', () => {
    expect(name('app.example.com:8443', '/ported/x')).toBe('port');
    expect(name('app.example.com', '/ported/x')).toBe('app');
    expect(name('app.example.com:9999', '/')).toBe('app');
  });

  it('matches no route for paths an upstream could read differently (fail closed)', () => {
    for (const path of ['/api/../admin', '/api/%2e%2e/admin', '/a/./b', '/api%2fadmin', '/api%5cadmin', '/a\\b', '/%00', 'api']) {
      expect(isCanonicalPath(path), path).toBe(false);
      expect(table.match('app.example.com', path), path).toBeUndefined();
    }
    expect(isCanonicalPath('/a/b.c/..d/%41')).toBe(true);
  });

  it('knows its own hosts (for post-login redirects), never through "*"', () => {
    expect(table.knowsHost('APP.example.com')).toBe(true);
    expect(table.knowsHost('x.example.com')).toBe(true);
    expect(table.knowsHost('evil.test')).toBe(false);
    expect(new RouteTable([route('any', '*')]).knowsHost('evil.test')).toBe(false);
  });
});
