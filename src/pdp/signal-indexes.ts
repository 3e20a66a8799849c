// The in-memory indexes decisions read from: entities (store ∪ config files, files win), devices by
// id, and the threat-intel index (IP prefix tries and the domain suffix map, from every source). Rebuilt as a whole after any write so that a decision
// always sees one consistent generation.
import type { CedarEntity, DeviceRecord } from '../engine/signals.js';
import { EntityIndex } from '../signals/identity/index.js';
import { ThreatIndex } from '../signals/threat-intel/index.js';
import { ReportedRiskIndex } from '../signals/behaviour/reported-risk-index.js';
import type { Store } from '../store/ports.js';

export interface SignalIndexes {
  readonly entities: EntityIndex;
  readonly devices: ReadonlyMap<string, DeviceRecord>;
  readonly threats: ThreatIndex;
  /** Reported subject risk (CAEP risk-level-change, SubjectSignalStore) by subject. */
  readonly reportedRisk: ReportedRiskIndex;
}

export async function buildSignalIndexes(store: Store, fileEntities: readonly CedarEntity[]): Promise<SignalIndexes> {
  const [stored, devices, indicators] = await Promise.all([store.entities.list(), store.devices.list(), store.threats.list()]);
  const reported = await store.subjectSignals.list(); // subject risk: reported levels
  const merged = new Map<string, CedarEntity>();
  // Config files are the operator's declared truth and are re-read on reload, so they override
  // entities imported into the store through the CLI or admin API.
  for (const entity of [...stored, ...fileEntities]) merged.set(`${entity.uid.type}\u0000${entity.uid.id}`, entity);
  return {
    entities: new EntityIndex([...merged.values()]),
    devices: new Map(devices.map((device) => [device.id, device])),
    threats: new ThreatIndex(indicators),
    reportedRisk: new ReportedRiskIndex(reported),
  };
}
