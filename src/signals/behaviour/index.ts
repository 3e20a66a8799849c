// Behaviour analytics (NIST SP 800-207 §3.3.1 contextual trust algorithm) and reported subject
// risk: what the composition root and the decision point use.
export { BehaviourAnalytics, type BehaviourAnalyticsOptions } from './behaviour-analytics.js';
export { startBehaviour, type BehaviourService, type StartBehaviourOptions } from './start-behaviour.js';
export { ReportedRiskIndex } from './reported-risk-index.js';
export { signWebhookBody, verifyWebhookSignature, SIGNATURE_HEADER } from './alert-webhook.js';
export type { BehaviourAlert } from './behaviour-alerts.js';
export type { GeoLocator, GeoPlace } from './geo-locator.js';
