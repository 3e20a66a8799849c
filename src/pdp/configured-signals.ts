// Signal sources named in tenet.yaml: entity files (kept in memory, re-read on reload), device
// inventories and threat feeds (written to the store so the admin API and CLI see them too).
// Reading is separate from applying so that a reload parses everything before changing anything.
import { readFileSync } from 'node:fs';
import type { CedarEntity, DeviceRecord, DeviceStatus } from '../engine/signals.js';
import { resolveInput, type LoadedConfig } from '../config/load.js';
import { parseEntities } from '../signals/identity/index.js';
import { parseDevices } from '../signals/devices/index.js';
import { readThreatFile } from '../signals/threat-intel/index.js';
import type { Store, ThreatIndicator } from '../store/ports.js';

export interface ConfiguredSignals {
  readonly entities: readonly CedarEntity[];
  readonly devices: readonly DeviceRecord[];
  readonly threatFeeds: readonly { readonly source: string; readonly indicators: readonly ThreatIndicator[] }[];
}

export function readConfiguredSignals(loaded: LoadedConfig, now: Date): ConfiguredSignals {
  const { config } = loaded;
  const entities = config.entities.flatMap((file) => {
    const path = resolveInput(loaded, file);
    return parseEntities(readFileSync(path, 'utf8'), path);
  });
  const devices = config.signals.devices.flatMap((source) => {
    const path = resolveInput(loaded, source.file);
    const format = source.format ?? (path.endsWith('.csv') ? 'csv' : 'json');
    return parseDevices(readFileSync(path, 'utf8'), format, source.source, { fileName: path, now });
  });
  // URL feeds are fetched by startThreatFeeds (src/signals/threat-intel/threat-feeds.ts), not here.
  const threatFeeds = config.signals.threatIntel.flatMap((source) =>
    source.file === undefined ? [] : [{ source: source.source, indicators: readThreatFile(resolveInput(loaded, source.file), source, now).indicators }],
  );
  return { entities, devices, threatFeeds };
}

export async function applyConfiguredSignals(store: Store, signals: ConfiguredSignals): Promise<void> {
  if (signals.devices.length > 0) await store.devices.upsertMany(await keepStricterStatus(store, signals.devices));
  for (const feed of signals.threatFeeds) await store.threats.replaceSource(feed.source, feed.indicators);
}

const STATUS_RANK: Readonly<Record<DeviceStatus, number>> = { active: 0, quarantined: 1, revoked: 2 };

/**
 * Inventory files are re-applied at every start and reload. INVARIANT: that never relaxes a
 * device's status — a quarantine or revocation made since (admin API) stays until it is lifted the
 * same way, so reloading a policy change cannot silently re-admit a contained device (fail closed).
 */
async function keepStricterStatus(store: Store, devices: readonly DeviceRecord[]): Promise<DeviceRecord[]> {
  const stored = new Map((await store.devices.list()).map((device) => [device.id, device.status]));
  return devices.map((device) => {
    const current = stored.get(device.id);
    return current !== undefined && STATUS_RANK[current] > STATUS_RANK[device.status] ? { ...device, status: current } : device;
  });
}
