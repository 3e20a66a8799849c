// Threat-intelligence indicators under /admin/v1/indicators. An import replaces every indicator
// of its `source` (a feed is a snapshot, so stale entries must disappear with it); the body is a
// plain-text list or CSV, told apart by Content-Type. Writes refresh the signal indexes.
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TenetError } from '../../errors.js';
import { requireMediaType } from '../content-type.js';
import type { ApiDeps, ThreatListFormat } from '../deps.js';
import { parseWith } from '../zod-issues.js';

const SOURCE = z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, { error: 'must be 1-128 letters, digits or . _ : @ -' });

const listQuery = z.object({ source: SOURCE.optional() });
const importQuery = z.object({
  source: SOURCE,
  category: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'must be a kebab-case word such as "botnet"' }).optional(),
});
const deleteQuery = z
  .object({ source: SOURCE.optional(), indicator: z.string().min(1).max(64).optional() })
  .refine((query) => query.source !== undefined || query.indicator !== undefined, {
    error: 'give source (remove a whole feed), indicator, or both',
    path: ['source'],
  });

const FORMAT_BY_TYPE = { 'text/plain': 'text', 'text/csv': 'csv', 'application/stix+json': 'stix' } as const satisfies Record<string, ThreatListFormat>;

/** Indicators are stored as CIDRs (`198.51.100.7/32`); accept the bare address too when deleting. */
function asStoredIndicator(value: string): string {
  if (value.includes('/')) return value;
  const family = isIP(value);
  return family === 4 ? `${value}/32` : family === 6 ? `${value}/128` : value;
}

export function registerIndicatorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, decisionPoint, importers } = deps;
  const now = deps.now ?? (() => new Date());

  app.get('/indicators', async (request) => {
    const query = parseWith(listQuery, request.query);
    if (!query.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', query.issues);
    const all = await store.threats.list();
    const indicators = query.data.source === undefined ? all : all.filter((item) => item.source === query.data.source);
    return { count: indicators.length, indicators };
  });

  app.put('/indicators', async (request) => {
    const type = requireMediaType(request, ['text/plain', 'text/csv', 'application/stix+json']);
    const query = parseWith(importQuery, request.query);
    if (!query.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', query.issues);
    const format = FORMAT_BY_TYPE[type];
    const text = String(request.body ?? '');
    const { source, category } = query.data;
    const indicators = await importers.parseThreatIndicators(
      text,
      category === undefined ? { format, source, now: now() } : { format, source, category, now: now() },
    );
    await store.threats.replaceSource(source, indicators);
    await decisionPoint.refreshSignals();
    // Only additions can turn an allow into a deny; decisions for addresses inside them are re-checked.
    await deps.signalChanges?.publish({ kind: 'network', prefixes: indicators.map((item) => item.indicator), reason: `threat list ${source} replaced` });
    request.log.info({ count: indicators.length, source, caller: request.caller?.name }, 'threat indicators imported');
    return { imported: indicators.length, source };
  });

  app.delete('/indicators', async (request) => {
    const query = parseWith(deleteQuery, request.query);
    if (!query.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', query.issues);
    const { source, indicator } = query.data;
    let removed: number;
    if (indicator !== undefined) {
      removed = await store.threats.remove(asStoredIndicator(indicator), source);
    } else {
      // Only `source` given: drop the whole feed.
      removed = (await store.threats.list()).filter((item) => item.source === source).length;
      await store.threats.replaceSource(source ?? '', []);
    }
    await decisionPoint.refreshSignals();
    request.log.info({ removed, source, caller: request.caller?.name }, 'threat indicators removed');
    return { removed };
  });
}
