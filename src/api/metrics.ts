// The API's Prometheus metrics: decisions by outcome and PEP, rejections by reason, and request
// latency by route. Labels are bounded (route templates, catalogue codes), never raw user input.
import { Counter, Histogram, Registry, type Metric } from 'prom-client';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<'outcome' | 'pep'>;
  readonly rejections: Counter<'reason'>;
  readonly requestDuration: Histogram<'route' | 'method' | 'status'>;
}

/** Returns the metric already registered under `name` (a second API instance on a shared registry), or makes it. */
function reuse<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createApiMetrics(registry: Registry = new Registry()): ApiMetrics {
  const registers = [registry];
  return {
    registry,
    decisions: reuse(registry, 'tenet_decisions_total', () => new Counter({
      name: 'tenet_decisions_total',
      help: 'Access decisions returned through the API, by outcome (allow, deny, step-up) and enforcement point.',
      labelNames: ['outcome', 'pep'] as const,
      registers,
    })),
    rejections: reuse(registry, 'tenet_api_rejections_total', () => new Counter({
      name: 'tenet_api_rejections_total',
      help: 'API requests answered with an error, by reason (the error code without TENET_ERR_, kebab-case).',
      labelNames: ['reason'] as const,
      registers,
    })),
    requestDuration: reuse(registry, 'tenet_api_request_duration_seconds', () => new Histogram({
      name: 'tenet_api_request_duration_seconds',
      help: 'API request latency from receipt to response, by route template, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      // Decisions are expected in the sub-millisecond to few-millisecond range; admin imports take longer.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    })),
  };
}
