// GET /health: unauthenticated liveness for load balancers and orchestrators. It says only whether
// the store answers (200 `{"status":"ok"}` or the 503 error body), nothing about versions or data.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/ports.js';

export const HEALTH_PATH = '/health';

export function registerHealthRoute(app: FastifyInstance, store: Store): void {
  app.get(HEALTH_PATH, async (_request, reply) => {
    // A failing ping throws TENET_ERR_STORE_UNAVAILABLE, which errors.ts renders as 503.
    await store.ping();
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });
}
