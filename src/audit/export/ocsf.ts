// OCSF export: each decision as an OCSF 1.3 "Web Resource Access Activity" event (class 6004,
// category 6 Application Activity), the class whose activities are exactly a PEP's answers:
// Access Grant / Access Deny. (OCSF has no "Authorization" class; Authentication 3002 is about
// logons, API Activity 6003 about CRUD calls.) The full mapping is in docs/audit.md; whatever has
// no OCSF home (reasons, risk factors, obligations, chain position) goes under `unmapped.tenet`.
import type { AuditStore } from '../../store/ports.js';
import type { RiskLevel } from '../../engine/decision.js';
import type { AuditRecord } from '../record.js';
import { parseAuditBody } from '../body.js';
import { scanRecords, type ScanOptions } from '../scan.js';

export const OCSF_SCHEMA_VERSION = '1.3.0';
export const OCSF_CLASS_UID = 6004;
export const OCSF_CATEGORY_UID = 6;

export interface OcsfOptions {
  /** `metadata.product.version`, e.g. Tenet's package version. Omitted when not given. */
  readonly productVersion?: string;
}

const ACTIVITY = {
  grant: { id: 1, name: 'Access Grant' },
  deny: { id: 2, name: 'Access Deny' },
} as const;

// OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High. A decision's severity is how risky
// the request looked, not whether it was denied: denies are routine in zero trust.
const SEVERITY: Record<RiskLevel, { id: number; name: string }> = {
  low: { id: 1, name: 'Informational' },
  medium: { id: 2, name: 'Low' },
  high: { id: 3, name: 'Medium' },
  critical: { id: 4, name: 'High' },
};

// OCSF risk_level_id: 0 Info, 1 Low, 2 Medium, 3 High, 4 Critical.
const RISK_LEVEL: Record<RiskLevel, { id: number; name: string }> = {
  low: { id: 1, name: 'Low' },
  medium: { id: 2, name: 'Medium' },
  high: { id: 3, name: 'High' },
  critical: { id: 4, name: 'Critical' },
};

/** An OCSF event as plain JSON. */
export type OcsfEvent = Record<string, unknown>;

export function toOcsf(record: AuditRecord, options: OcsfOptions = {}): OcsfEvent {
  const body = parseAuditBody(record);
  const { request, decision } = body;
  const granted = record.outcome === 'allow';
  // step-up is not (yet) access: the PEP sends the user to authenticate instead.
  const activity = granted ? ACTIVITY.grant : ACTIVITY.deny;
  const severity = SEVERITY[decision.risk.level];
  const riskLevel = RISK_LEVEL[decision.risk.level];
  const env = request.environment;
  const decisive = decision.reasons.filter((reason) => reason.effect === (granted ? 'allow' : 'deny')).map((reason) => reason.code);

  const url: Record<string, string> = {};
  if (env.path !== undefined) {
    const q = env.path.indexOf('?');
    url.path = q < 0 ? env.path : env.path.slice(0, q);
    if (q >= 0) url.query_string = env.path.slice(q + 1);
  }
  const httpRequest: Record<string, unknown> = {};
  if (env.method !== undefined) httpRequest.http_method = env.method;
  if (Object.keys(url).length > 0) httpRequest.url = url;
  if (env.userAgent !== undefined) httpRequest.user_agent = env.userAgent;

  const policy = { name: 'Tenet policy set', uid: decision.policyVersion, version: decision.policyVersion };
  const authorizations =
    decision.policies.determining.length > 0
      ? decision.policies.determining.map((id) => ({ decision: record.outcome, policy: { name: id, uid: id, version: decision.policyVersion } }))
      : [{ decision: record.outcome, policy }];

  const event: OcsfEvent = {
    class_uid: OCSF_CLASS_UID,
    class_name: 'Web Resource Access Activity',
    category_uid: OCSF_CATEGORY_UID,
    category_name: 'Application Activity',
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: OCSF_CLASS_UID * 100 + activity.id,
    type_name: `Web Resource Access Activity: ${activity.name}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: granted ? 1 : 2,
    status: granted ? 'Success' : 'Failure',
    status_code: record.outcome,
    ...(decisive.length > 0 ? { status_detail: decisive.join(', ') } : {}),
    // security_control profile
    action_id: granted ? 1 : 2,
    action: granted ? 'Allowed' : 'Denied',
    time: Date.parse(record.time),
    message: `${record.outcome} ${record.subject} ${record.action} ${record.resource}`,
    actor: { user: { uid: request.subject.id, name: request.subject.id } },
    ...(request.deviceId === undefined ? {} : { device: { uid: request.deviceId, type_id: 0, type: 'Unknown' } }),
    ...(env.ip === undefined ? {} : { src_endpoint: { ip: env.ip } }),
    http_request: httpRequest,
    web_resources: [{ uid: request.resource.id, name: record.resource, type: request.resource.type }],
    policy,
    authorizations,
    risk_score: decision.risk.score,
    risk_level: riskLevel.name,
    risk_level_id: riskLevel.id,
    ...(decision.risk.factors.length > 0 ? { risk_details: decision.risk.factors.map((f) => `${f.name}: ${f.explanation}`).join('; ') } : {}),
    metadata: {
      version: OCSF_SCHEMA_VERSION,
      product: { name: 'Tenet', vendor_name: 'Tenet', ...(options.productVersion === undefined ? {} : { version: options.productVersion }) },
      uid: record.decisionId,
      sequence: record.seq,
      log_name: 'decision-log',
      original_time: record.time,
      profiles: ['security_control'],
    },
    unmapped: {
      tenet: {
        seq: record.seq,
        hash: record.hash,
        prev_hash: record.prevHash,
        pep: record.pep,
        ...(record.caller === undefined ? {} : { caller: record.caller }),
        outcome: record.outcome,
        subject: record.subject,
        action: record.action,
        reasons: decision.reasons,
        risk_factors: decision.risk.factors,
        obligations: decision.obligations,
        latency_micros: decision.latencyMicros,
        signals_used: decision.signalsUsed,
        policies_evaluated: decision.policies.evaluated,
        policies_total: decision.policies.total,
      },
    },
  };
  return event;
}

/** OCSF events as JSON lines (newline included), streamed page by page. */
export async function* exportOcsf(store: AuditStore, options: OcsfOptions & ScanOptions = {}): AsyncGenerator<string> {
  for await (const record of scanRecords(store, options)) yield `${JSON.stringify(toOcsf(record, options))}\n`;
}
