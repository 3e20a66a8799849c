// POST /admin/v1/reload: re-read policies, schema and entity files. A refused reload leaves the
// previous policy set active and answers 422 with every issue found (409 when the decision point
// reports a reload already in progress, via its TenetError code).
import type { FastifyInstance } from 'fastify';
import { TenetError } from '../../errors.js';
import type { DecisionPoint } from '../../pdp/decision-point.js';
import type { ApiDeps } from '../deps.js';

export function registerReloadRoute(app: FastifyInstance, decisionPoint: DecisionPoint, signalChanges?: ApiDeps['signalChanges']): void {
  app.post('/reload', async (request) => {
    const result = await decisionPoint.reload();
    if (!result.ok) {
      throw new TenetError('TENET_ERR_POLICY_RELOAD_REFUSED', `Reload refused; policy set ${result.policyVersion} stays active.`, result.issues);
    }
    // Policies, schema and entity files may all have changed: every live connection is re-checked.
    await signalChanges?.publish({ kind: 'all', reason: `reload to policy set ${result.policyVersion}` });
    request.log.info({ policyVersion: result.policyVersion, previousVersion: result.previousVersion, caller: request.caller?.name }, 'policies reloaded');
    return {
      policy_version: result.policyVersion,
      previous_version: result.previousVersion,
      changed: result.policyVersion !== result.previousVersion,
    };
  });
}
