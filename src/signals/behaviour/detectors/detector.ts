// The shape of a behaviour detector: compares the request about to be decided with the subject's
// baseline (learned from the decisions before it) and returns the signal when it is anomalous.
// Pure and synchronous: it runs inside the decision, on the hot path.
import type { SubjectRiskSignal } from '../../../engine/signals.js';
import type { BehaviourSettings } from '../behaviour-settings.js';
import type { GeoPlace } from '../geo-locator.js';
import type { SubjectBaseline } from '../subject-baseline.js';

/** The request being decided, as the detectors see it. */
export interface CurrentRequest {
  readonly atMs: number;
  readonly deviceId?: string;
  /** Where the request's address is, when a GeoIP database places it. */
  readonly place?: GeoPlace;
}

export type BehaviourDetector = (baseline: SubjectBaseline, current: CurrentRequest, settings: BehaviourSettings) => SubjectRiskSignal | undefined;

export const BEHAVIOUR_SOURCE = 'behaviour';
