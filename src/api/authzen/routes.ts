// The AuthZEN PDP endpoints as one encapsulated plugin: callers need the `pdp` scope, and bodies
// must be application/json (§10.1), so every other parser is removed from this context and a
// request without Content-Type is refused with 415 as well.
import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth.js';
import { requireMediaType } from '../content-type.js';
import type { ApiDeps } from '../deps.js';
import { useJsonBodyParser } from '../json-body.js';
import type { ApiMetrics } from '../metrics.js';
import { makeDecide } from './decide.js';
import { registerEvaluationRoute } from './evaluation.js';
import { registerEvaluationsRoute } from './evaluations.js';

export interface AuthzenRoutesOptions {
  readonly deps: ApiDeps;
  readonly metrics: ApiMetrics;
}

export async function authzenRoutes(app: FastifyInstance, { deps, metrics }: AuthzenRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  useJsonBodyParser(app);
  app.addHook('onRequest', requireScope('pdp', deps.auth, deps.store));
  app.addHook('preValidation', async (request) => {
    requireMediaType(request, ['application/json']);
  });
  const decide = makeDecide(deps.decisionPoint, metrics);
  registerEvaluationRoute(app, decide);
  registerEvaluationsRoute(app, decide, deps.limits.maxEvaluations);
}
