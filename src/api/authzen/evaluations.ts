// POST /access/v1/evaluations (AuthZEN 1.0 §7): a batch of evaluations sharing top-level defaults.
// Every item is validated and resolved before anything is decided, so a bad item rejects the
// whole request (400, one issue per problem) instead of leaving a half-decided, half-logged batch.
import type { FastifyInstance } from 'fastify';
import type { ErrorIssue } from '../../errors.js';
import type { AccessRequest } from '../../engine/tuple.js';
import { TenetError } from '../../errors.js';
import { parseWith } from '../zod-issues.js';
import type { Decide } from './decide.js';
import { invalidRequest } from './evaluation.js';
import { evaluationsRequestSchema, type EvaluationInput, type EvaluationsInput } from './schema.js';
import { runEvaluations } from './semantics.js';
import { toAccessRequest } from './to-tuple.js';
import { toAuthzenDecision } from './to-response.js';

export const EVALUATIONS_PATH = '/access/v1/evaluations';

const REQUIRED = ['subject', 'action', 'resource'] as const;

type Item = NonNullable<EvaluationsInput['evaluations']>[number];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * §7.1.1: subject, action and resource are required for every evaluation, from the item or the
 * top-level default. Checked on the raw body so these issues are listed together with the schema's.
 */
function missingMembers(body: unknown): ErrorIssue[] {
  if (!isObject(body)) return [];
  const items = Array.isArray(body.evaluations) ? body.evaluations : [];
  if (items.length === 0) {
    return REQUIRED.filter((member) => body[member] === undefined).map((member) => ({ path: member, message: 'missing', hint: 'this member is required' }));
  }
  return items.flatMap((item, index) =>
    isObject(item)
      ? REQUIRED.filter((member) => item[member] === undefined && body[member] === undefined).map((member) => ({
          path: `evaluations[${index}].${member}`,
          message: 'missing',
          hint: 'give it in the item or as a top-level default',
        }))
      : [],
  );
}

/**
 * §7.1.1: an item's subject/action/resource/context replaces the top-level default as a whole (no
 * deep merge: a partial subject would be a different subject).
 */
function resolveItem(defaults: EvaluationsInput, item: Item, index: number | undefined): { request?: AccessRequest; issues: ErrorIssue[] } {
  const subject = item.subject ?? defaults.subject;
  const action = item.action ?? defaults.action;
  const resource = item.resource ?? defaults.resource;
  // INVARIANT: missingMembers has already rejected any item where one of these is undefined.
  if (subject === undefined || action === undefined || resource === undefined) {
    return { issues: [{ path: index === undefined ? '(body)' : `evaluations[${index}]`, message: 'incomplete evaluation' }] };
  }
  const context = item.context ?? defaults.context;
  const input: EvaluationInput = context === undefined ? { subject, action, resource } : { subject, action, resource, context };
  const tuple = toAccessRequest(input, item.context === undefined || index === undefined ? 'context' : `evaluations[${index}].context`);
  return tuple.ok ? { request: tuple.request, issues: [] } : { issues: tuple.issues };
}

export function registerEvaluationsRoute(app: FastifyInstance, decide: Decide, maxEvaluations: number): void {
  app.post(EVALUATIONS_PATH, async (request) => {
    const body = request.body;
    // Checked before schema validation so an oversized batch costs no per-item work.
    if (typeof body === 'object' && body !== null && Array.isArray((body as { evaluations?: unknown }).evaluations)) {
      const count = (body as { evaluations: unknown[] }).evaluations.length;
      if (count > maxEvaluations) {
        throw new TenetError('TENET_ERR_REQUEST_TOO_MANY_EVALUATIONS', `At most ${maxEvaluations} evaluations per request; got ${count}.`, [
          { path: 'evaluations', message: `${count} items`, hint: `split the batch into requests of at most ${maxEvaluations}` },
        ]);
      }
    }
    const parsed = parseWith(evaluationsRequestSchema, body);
    const missing = missingMembers(body);
    if (!parsed.ok || missing.length > 0) throw invalidRequest([...(parsed.ok ? [] : parsed.issues), ...missing]);
    const input = parsed.data;
    const items = input.evaluations ?? [];

    // §7.1: without a non-empty `evaluations` array the request is a single evaluation, and so is the response.
    if (items.length === 0) {
      const single = resolveItem(input, {}, undefined);
      if (single.request === undefined) throw invalidRequest(single.issues);
      return toAuthzenDecision(await decide(single.request, request.caller));
    }

    const requests: AccessRequest[] = [];
    const issues: ErrorIssue[] = [];
    items.forEach((item, index) => {
      const resolved = resolveItem(input, item, index);
      issues.push(...resolved.issues);
      if (resolved.request !== undefined) requests.push(resolved.request);
    });
    if (issues.length > 0) throw invalidRequest(issues);

    const semantic = input.options?.evaluations_semantic ?? 'execute_all';
    const decisions = await runEvaluations(requests, semantic, (tuple) => decide(tuple, request.caller));
    // §7.2: the top-level `decision` is RECOMMENDED to be omitted when `evaluations` is present.
    return { evaluations: decisions.map(toAuthzenDecision) };
  });
}
