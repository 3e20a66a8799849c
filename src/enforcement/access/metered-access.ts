// Prometheus counts of what the HTTP enforcement points answered, by PEP and verdict (and whether
// an allow came from the decision cache), exposed on the API's /metrics. Labels are bounded:
// three PEPs, seven verdict kinds, two cache states — never hosts, paths or users.
import { Counter, type Registry } from 'prom-client';
import type { HttpAccess } from './http-access.js';

export function meteredAccess(access: HttpAccess, registry: Registry): HttpAccess {
  const name = 'tenet_enforcement_verdicts_total';
  const verdicts =
    (registry.getSingleMetric(name) as Counter<'pep' | 'verdict' | 'cached'> | undefined) ??
    new Counter({
      name,
      help: 'Requests decided by the proxy, forward-auth and ext_authz, by enforcement point, verdict (allow, deny, step-up, unauthenticated, device-required, no-route, method-not-allowed) and whether the decision came from the cache.',
      labelNames: ['pep', 'verdict', 'cached'] as const,
      registers: [registry],
    });
  return {
    async authorize(facts, pep) {
      const verdict = await access.authorize(facts, pep);
      verdicts.inc({ pep, verdict: verdict.kind, cached: verdict.kind === 'allow' && verdict.cached ? 'true' : 'false' });
      return verdict;
    },
  };
}
