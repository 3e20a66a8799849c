// GET /metrics in Prometheus text format. Behind the `admin` scope: counters by outcome and
// rejection reason reveal traffic patterns, so only operators (and their scrapers, with a token
// or client certificate) may read them; in auth mode `none` (loopback only) it is open.
import type { FastifyInstance } from 'fastify';
import { requireScope } from './auth.js';
import type { ApiDeps } from './deps.js';
import type { ApiMetrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export async function metricsRoutes(app: FastifyInstance, { deps, metrics }: { readonly deps: ApiDeps; readonly metrics: ApiMetrics }): Promise<void> {
  app.addHook('onRequest', requireScope('admin', deps.auth, deps.store));
  app.get(METRICS_PATH, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
