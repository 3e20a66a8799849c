// POST /access/v1/evaluation (AuthZEN 1.0 §6): one subject/action/resource/context → one Decision.
import type { FastifyInstance } from 'fastify';
import { TenetError } from '../../errors.js';
import { parseWith } from '../zod-issues.js';
import type { Decide } from './decide.js';
import { evaluationRequestSchema } from './schema.js';
import { toAccessRequest } from './to-tuple.js';
import { toAuthzenDecision } from './to-response.js';

export const EVALUATION_PATH = '/access/v1/evaluation';

export function invalidRequest(issues: TenetError['issues']): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', 'Invalid AuthZEN request; see issues.', issues);
}

export function registerEvaluationRoute(app: FastifyInstance, decide: Decide): void {
  app.post(EVALUATION_PATH, async (request) => {
    const body = request.body;
    // Unknown members are ignored (§10.1.1), except a batch sent to the single endpoint: answering
    // it with one decision could be misread as a decision for every item, so it is refused.
    if (typeof body === 'object' && body !== null && Object.hasOwn(body, 'evaluations')) {
      throw invalidRequest([
        { path: 'evaluations', message: 'batch requests are not accepted by the single evaluation endpoint', hint: 'POST it to /access/v1/evaluations' },
      ]);
    }
    const parsed = parseWith(evaluationRequestSchema, body);
    if (!parsed.ok) throw invalidRequest(parsed.issues);
    const tuple = toAccessRequest(parsed.data, 'context');
    if (!tuple.ok) throw invalidRequest(tuple.issues);
    return toAuthzenDecision(await decide(tuple.request, request.caller));
  });
}
