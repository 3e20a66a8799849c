// Admin API round trips for signal data: entities, devices, threat indicators. Every write must
// refresh the decision point's signals; bad imports are refused whole, with issues.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS, bearer, buildTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

const admin = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: string, contentType = 'application/json') =>
  t.app.inject({ method, url, headers: { ...bearer(TOKENS.admin), ...(payload === undefined ? {} : { 'content-type': contentType }) }, ...(payload === undefined ? {} : { payload }) });

describe('entities', () => {
  it('imports, lists, filters and deletes, refreshing signals after each write', async () => {
    const entities = [
      { uid: { type: 'User', id: 'alice' }, attrs: { department: 'Sales' }, parents: [] },
      { uid: { type: 'App::Doc', id: 'd/1' }, attrs: {}, parents: [] },
    ];
    const put = await admin('PUT', '/admin/v1/entities', JSON.stringify(entities));
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ imported: 2 });
    expect(t.decisionPoint.refreshes).toBe(1);

    expect((await admin('GET', '/admin/v1/entities')).json().count).toBe(2);
    expect((await admin('GET', '/admin/v1/entities?type=User')).json().entities).toEqual([entities[0]]);

    const removed = await admin('DELETE', `/admin/v1/entities/App::Doc/${encodeURIComponent('d/1')}`);
    expect(removed.statusCode).toBe(204);
    expect(t.decisionPoint.refreshes).toBe(2);
    const again = await admin('DELETE', '/admin/v1/entities/App::Doc/d%2F1');
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('TENET_ERR_STORE_ENTITY_NOT_FOUND');
  });

  it('refuses a bad import whole, listing every issue, and writes nothing', async () => {
    const response = await admin('PUT', '/admin/v1/entities', JSON.stringify([{ uid: { type: 'User', id: 'ok' } }, { uid: { id: 1 } }, {}]));
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('TENET_ERR_IMPORT_INVALID');
    expect(response.json().error.issues).toHaveLength(2);
    expect(await t.store.entities.count()).toBe(0);
    expect(t.decisionPoint.refreshes).toBe(0);
  });

  it('entity imports take JSON only', async () => {
    expect((await admin('PUT', '/admin/v1/entities', 'a,b', 'text/csv')).statusCode).toBe(415);
  });
});

describe('devices', () => {
  it('imports JSON and CSV, shows one device with posture history, and changes status', async () => {
    expect((await admin('PUT', '/admin/v1/devices?source=mdm', JSON.stringify([{ id: 'laptop-7', managed: true }]))).json()).toEqual({ imported: 1, source: 'mdm' });
    expect((await admin('PUT', '/admin/v1/devices', 'id,managed\nphone-1,false\n', 'text/csv')).json()).toEqual({ imported: 1, source: 'admin-api' });
    expect((await admin('GET', '/admin/v1/devices')).json().count).toBe(2);

    await t.store.devices.recordPosture('laptop-7', { facts: { os: 'linux' }, compliant: true, observedAt: '2025-06-27T17:00:00Z', source: 'agent' });
    const one = await admin('GET', '/admin/v1/devices/laptop-7');
    expect(one.json()).toMatchObject({ device: { id: 'laptop-7', managed: true, status: 'active' }, posture_history: [{ source: 'agent' }] });

    const status = await admin('POST', '/admin/v1/devices/laptop-7/status', JSON.stringify({ status: 'quarantined' }));
    expect(status.json()).toEqual({ id: 'laptop-7', status: 'quarantined' });
    expect((await t.store.devices.get('laptop-7'))?.status).toBe('quarantined');
    expect(t.decisionPoint.refreshes).toBe(3);
  });

  it('rejects unknown devices, bad statuses and bad sources', async () => {
    expect((await admin('GET', '/admin/v1/devices/ghost')).statusCode).toBe(404);
    expect((await admin('POST', '/admin/v1/devices/ghost/status', JSON.stringify({ status: 'active' }))).statusCode).toBe(404);
    const bad = await admin('POST', '/admin/v1/devices/x/status', JSON.stringify({ status: 'owned', extra: 1 }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['(body)', 'status']);
    expect((await admin('PUT', '/admin/v1/devices?source=a%20b', '[]')).statusCode).toBe(400);
    expect((await admin('PUT', '/admin/v1/devices', 'x', 'text/plain')).statusCode).toBe(415);
  });
});

describe('threat indicators', () => {
  it('replaces a source from a text list or CSV (JSON is 415); lists; deletes by indicator or by source', async () => {
    const text = await admin('PUT', '/admin/v1/indicators?source=feed-a&category=botnet', '# list\n203.0.113.9\n198.51.100.0/24\n', 'text/plain');
    expect(text.json()).toEqual({ imported: 2, source: 'feed-a' });
    await admin('PUT', '/admin/v1/indicators?source=feed-b', '192.0.2.1,scanner\n', 'text/csv');
    await admin('PUT', '/admin/v1/indicators?source=feed-b', '192.0.2.2\n192.0.2.3\n', 'text/plain');
    expect((await admin('PUT', '/admin/v1/indicators?source=feed-c', '["192.0.2.4"]')).statusCode).toBe(415);
    const list = (await admin('GET', '/admin/v1/indicators')).json();
    expect(list.count).toBe(4);
    expect((await admin('GET', '/admin/v1/indicators?source=feed-a')).json().indicators[0]).toMatchObject({ indicator: '203.0.113.9/32', category: 'botnet', addedAt: '2025-06-27T18:00:00.000Z' });

    expect((await admin('DELETE', '/admin/v1/indicators?indicator=203.0.113.9')).json()).toEqual({ removed: 1 });
    expect((await admin('DELETE', '/admin/v1/indicators?source=feed-b')).json()).toEqual({ removed: 2 });
    expect((await t.store.threats.list()).map((item) => item.indicator)).toEqual(['198.51.100.0/24']);
    expect(t.decisionPoint.refreshes).toBe(5);
  });

  it('imports a STIX 2.1 bundle (application/stix+json): IP and domain indicators with their types as category', async () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
      objects: [
        { type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', created: '2025-06-01T00:00:00.000Z', modified: '2025-06-01T00:00:00.000Z', indicator_types: ['malicious-activity'], pattern: "[ipv4-addr:value = '203.0.113.7'] OR [domain-name:value = 'evil.example']", pattern_type: 'stix', valid_from: '2025-06-01T00:00:00Z' },
      ],
    };
    const imported = await admin('PUT', '/admin/v1/indicators?source=stix-feed', JSON.stringify(bundle), 'application/stix+json;version=2.1');
    expect(imported.json()).toEqual({ imported: 2, source: 'stix-feed' });
    expect((await t.store.threats.list()).map((item) => item.indicator).sort()).toEqual(['203.0.113.7/32', 'evil.example']);
  });

  it('requires a source to import and something to delete; refuses bad lists whole', async () => {
    expect((await admin('PUT', '/admin/v1/indicators', '203.0.113.9', 'text/plain')).json().error.issues[0].path).toBe('source');
    expect((await admin('DELETE', '/admin/v1/indicators')).statusCode).toBe(400);
    const bad = await admin('PUT', '/admin/v1/indicators?source=feed', '203.0.113.9\nnot-an-ip\n', 'text/plain');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.issues[0].path).toBe('feed:2');
    expect(await t.store.threats.list()).toEqual([]);
  });
});
