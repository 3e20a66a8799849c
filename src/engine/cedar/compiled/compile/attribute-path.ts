// Attribute paths (`context.device.compliant`, `principal.clearance`, `resource.owner.department`)
// compiled into one closure that walks the whole path, instead of one closure per `.`: conditions
// are mostly such paths, and each closure call costs more than the map read it wraps.
//
// The walk only takes steps that `getAttribute` would take with the same result (a record's field
// that exists; an attribute, that exists, of an entity that is in the graph). At the first step
// that is anything else it hands the rest of the path to `getAttribute` step by step, which raises
// Cedar's error for that step (missing attribute, missing entity, not a record or entity), so the
// errors are exactly those of evaluating `.` by `.`. Reading attributes has no side effects, so
// resuming from the failing step is the same as having gone step by step from the start.
import type { Var } from '../est.js';
import { EntityUid, RecordValue, type EntityData, type Value } from '../value.js';
import { getAttribute } from './attributes.js';
import type { EvalEnv, Evaluate } from './env.js';

/** The rest of the path from step `from`, step by step: raises the failing step's Cedar error. */
function finish(value: Value, path: readonly string[], from: number, env: EvalEnv): Value {
  let current = value;
  for (let i = from; i < path.length; i++) current = getAttribute(current, path[i] as string, env.graph);
  return current;
}

/** The graph entry of `uid`, using the request's entities already looked up (env.ts INVARIANT). */
function dataOf(uid: EntityUid, env: EvalEnv): EntityData | undefined {
  if (uid === env.principal) return env.principalData;
  if (uid === env.resource) return env.resourceData;
  if (uid === env.action) return env.actionData;
  return env.graph.get(uid);
}

/** `start.path[from].path[from+1]…` */
function walk(start: Value, path: readonly string[], from: number, env: EvalEnv): Value {
  let current = start;
  for (let i = from; i < path.length; i++) {
    const attr = path[i] as string;
    let next: Value | undefined;
    if (current instanceof RecordValue) next = current.fields.get(attr);
    else if (current instanceof EntityUid) next = dataOf(current, env)?.attrs.get(attr);
    if (next === undefined) return finish(current, path, i, env);
    current = next;
  }
  return current;
}

/** One step on a record or an entity, or undefined where `getAttribute` would not simply answer. */
function step(value: Value, attr: string, env: EvalEnv): Value | undefined {
  if (value instanceof RecordValue) return value.fields.get(attr);
  if (value instanceof EntityUid) return dataOf(value, env)?.attrs.get(attr);
  return undefined;
}

/**
 * `base.path[0].path[1]…` with `base` a request variable (`root`) or any other runtime expression
 * (`run`). `path` is non-empty. The one- and two-step paths that make up most conditions
 * (`principal.clearance`, `context.device.compliant`) get closures of their own.
 */
export function attributePath(path: readonly string[], root: Var | undefined, run: Evaluate): Evaluate {
  const first = path[0] as string;
  const second = path[1];
  switch (root) {
    case 'context':
      if (path.length === 1) return (env) => env.context.fields.get(first) ?? finish(env.context, path, 0, env);
      if (path.length === 2) {
        const last = second as string;
        return (env) => {
          const record = env.context.fields.get(first);
          const value = record === undefined ? undefined : step(record, last, env);
          return value ?? finish(env.context, path, 0, env);
        };
      }
      return (env) => walk(env.context, path, 0, env);
    case 'principal':
      if (path.length === 1) return (env) => env.principalData?.attrs.get(first) ?? finish(env.principal, path, 0, env);
      return (env) => {
        const value = env.principalData?.attrs.get(first);
        return value === undefined ? finish(env.principal, path, 0, env) : walk(value, path, 1, env);
      };
    case 'resource':
      if (path.length === 1) return (env) => env.resourceData?.attrs.get(first) ?? finish(env.resource, path, 0, env);
      return (env) => {
        const value = env.resourceData?.attrs.get(first);
        return value === undefined ? finish(env.resource, path, 0, env) : walk(value, path, 1, env);
      };
    default:
      return (env) => walk(run(env), path, 0, env);
  }
}
