// Test fixtures for the decision log: realistic DecisionLogEntry values without an engine.
import { randomUUID } from 'node:crypto';
import type { DecisionLogEntry } from '../entry.js';
import type { Outcome } from '../../engine/decision.js';

export interface EntryOptions {
  readonly subject?: string;
  readonly resource?: string;
  readonly outcome?: Outcome;
  readonly decidedAt?: string;
  readonly context?: Record<string, unknown>;
  readonly caller?: string;
}

/** A complete entry; `n` varies the ids so records differ. */
export function sampleEntry(n: number, options: EntryOptions = {}): DecisionLogEntry {
  const outcome = options.outcome ?? (n % 3 === 0 ? 'deny' : 'allow');
  const entry: DecisionLogEntry = {
    pep: 'forward-auth',
    request: {
      subject: { type: 'User', id: options.subject ?? `user-${n % 5}`, properties: { department: 'eng' } },
      deviceId: `laptop-${n % 7}`,
      action: { name: 'read' },
      resource: { type: 'App::Route', id: options.resource ?? `route-${n % 4}` },
      environment: { ip: '198.51.100.7', time: '2025-03-01T10:00:00.000Z', userAgent: 'curl/8.5', method: 'GET', path: `/docs/${n}` },
      authn: { methods: ['pwd', 'otp'], phishingResistant: false, authenticatedAt: '2025-03-01T09:00:00.000Z' },
      ...(options.context === undefined ? {} : { context: options.context }),
    },
    decision: {
      id: randomUUID(),
      outcome,
      reasons:
        outcome === 'allow'
          ? [{ code: 'policy-permit', effect: 'allow', message: 'permitted by policy', policyId: 'eng-read-docs' }]
          : [
              { code: 'risk-too-high', effect: 'deny', message: 'risk 70 exceeds 40 for a high-sensitivity resource' },
              { code: 'risk-factor', effect: 'deny', message: 'device posture is stale', detail: 'device-posture-stale' },
            ],
      risk: {
        score: outcome === 'allow' ? 10 : 70,
        level: outcome === 'allow' ? 'low' : 'high',
        factors: outcome === 'allow' ? [] : [{ name: 'device-posture-stale', weight: 70, explanation: 'posture observed 3h ago; limit is 1h' }],
      },
      policies: { determining: outcome === 'allow' ? ['eng-read-docs'] : [], errored: [], evaluated: 3, total: 12 },
      obligations: { cacheTtlSeconds: 30, reevaluateAfterSeconds: 300 },
      policyVersion: 'sha256:abc123',
      decidedAt: options.decidedAt ?? new Date(Date.UTC(2025, 2, 1, 10, 0, 0, n)).toISOString(),
      latencyMicros: 180 + n,
      signalsUsed: [`device:laptop-${n % 7}`],
    },
  };
  return options.caller === undefined ? entry : { ...entry, caller: options.caller };
}
