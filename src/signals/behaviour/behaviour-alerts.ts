// Alerts when a behaviour factor fires for a subject: once per (subject, factor) within the
// cooldown, as a structured log line (`msg: "behaviour alert"`, level warn) and, when configured,
// a signed webhook POST. The decision log already holds the evidence (the decision's `risk-factor`
// reasons), and it only holds decisions; the alert names that decision by id.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertWebhook } from './alert-webhook.js';
import { BoundedLru } from './bounded-lru.js';

export interface BehaviourAlert {
  readonly type: 'tenet.behaviour-alert';
  readonly id: string;
  /** ISO 8601, the decision's time. */
  readonly time: string;
  readonly subject: string;
  readonly factor: string;
  readonly reason: string;
  readonly decisionId: string;
  readonly outcome: string;
  readonly riskScore: number;
}

export class BehaviourAlerts {
  /** Last alert time per `subject\0factor`; bounded like the baselines. */
  readonly #lastAlert: BoundedLru<string, number>;

  constructor(
    private readonly cooldownMs: number,
    maxEntries: number,
    private readonly logger: Logger,
    private readonly webhook: AlertWebhook | undefined,
  ) {
    this.#lastAlert = new BoundedLru(maxEntries);
  }

  /** Raises the alert unless one for this subject and factor was raised within the cooldown; returns it when raised. */
  raise(fields: Omit<BehaviourAlert, 'type' | 'id'>): BehaviourAlert | undefined {
    const key = `${fields.subject}\u0000${fields.factor}`;
    const atMs = Date.parse(fields.time);
    const last = this.#lastAlert.peek(key);
    if (last !== undefined && atMs - last < this.cooldownMs) return undefined;
    this.#lastAlert.set(key, atMs);
    const alert: BehaviourAlert = { type: 'tenet.behaviour-alert', id: randomUUID(), ...fields };
    this.logger.warn({ alert }, 'behaviour alert');
    this.webhook?.send(alert);
    return alert;
  }
}
