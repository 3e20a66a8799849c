// Reported subject risk (CAEP risk-level-change received from a transmitter, kept in the
// SubjectSignalStore) as an in-memory index by subject: the decision point rebuilds it with the
// other signal indexes after each write, and reads it without I/O when deciding.
import { RISK_FACTORS } from '../../engine/reasons.js';
import type { SubjectRiskSignal } from '../../engine/signals.js';
import type { SubjectSignalRecord } from '../../store/ports.js';

export class ReportedRiskIndex {
  readonly #bySubject = new Map<string, SubjectRiskSignal[]>();

  constructor(records: readonly SubjectSignalRecord[]) {
    for (const record of records) {
      const signals = this.#bySubject.get(record.subject) ?? [];
      signals.push({ factor: RISK_FACTORS.subjectRiskReported, level: record.riskLevel, source: record.source, reason: record.reason });
      this.#bySubject.set(record.subject, signals);
    }
  }

  /** The subject's reported risk signals (`User::"alice"` spelling); empty when none. */
  for(subject: string): readonly SubjectRiskSignal[] {
    return this.#bySubject.get(subject) ?? [];
  }
}
