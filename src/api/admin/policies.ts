// GET /admin/v1/policies: which policy set is active (its content hash) and the ids it contains.
// Policy text is deliberately not served here; operators read it from their policy repository.
import type { FastifyInstance } from 'fastify';
import type { PolicyCatalog } from '../deps.js';
import type { DecisionPoint } from '../../pdp/decision-point.js';

export function registerPolicyRoutes(app: FastifyInstance, decisionPoint: DecisionPoint, policies: PolicyCatalog): void {
  app.get('/policies', async () => {
    const ids = policies.policyIds();
    return { policy_version: decisionPoint.policyVersion(), count: ids.length, policy_ids: ids };
  });
}
