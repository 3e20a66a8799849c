// Test double for the API tests: minimal signal importers with the same contract as the real ones
// in src/signals (all parsed items, or a TenetError TENET_ERR_IMPORT_* listing every issue).
import type { CedarEntity, CedarJsonValue, DeviceRecord } from '../../engine/signals.js';
import { TenetError, type ErrorIssue } from '../../errors.js';
import type { ThreatIndicator } from '../../store/ports.js';
import type { SignalImporters } from '../deps.js';
import { parseThreatIndicators as parseRealThreatIndicators } from '../../signals/threat-intel/index.js';

function fail(what: string, issues: ErrorIssue[]): never {
  throw new TenetError('TENET_ERR_IMPORT_INVALID', `Invalid ${what}; nothing was imported.`, issues);
}

function parseEntities(text: string, fileName: string): CedarEntity[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) fail('entities', [{ path: fileName, message: 'expected a JSON array of entities' }]);
  const issues: ErrorIssue[] = [];
  const entities: CedarEntity[] = [];
  data.forEach((item: unknown, index) => {
    const uid = (item as { uid?: { type?: unknown; id?: unknown } } | null)?.uid;
    if (typeof uid?.type !== 'string' || typeof uid.id !== 'string') {
      issues.push({ path: `${fileName}[${index}].uid`, message: 'expected {type, id} strings' });
      return;
    }
    const attrs = (item as { attrs?: Record<string, CedarJsonValue> }).attrs ?? {};
    entities.push({ uid: { type: uid.type, id: uid.id }, attrs, parents: [] });
  });
  if (issues.length > 0) fail('entities', issues);
  return entities;
}

function parseDevices(text: string, format: 'json' | 'csv', source: string): DeviceRecord[] {
  const rows: unknown[] =
    format === 'json'
      ? (JSON.parse(text) as unknown[])
      : text
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => {
            const [id, managed] = line.split(',');
            return { id, managed: managed === 'true' };
          });
  const issues: ErrorIssue[] = [];
  const devices: DeviceRecord[] = [];
  rows.forEach((row, index) => {
    const id = (row as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') {
      issues.push({ path: `${source}[${index}].id`, message: 'missing device id' });
      return;
    }
    devices.push({ id, managed: (row as { managed?: unknown }).managed === true, status: 'active' });
  });
  if (issues.length > 0) fail('devices', issues);
  return devices;
}

function parseThreatIndicators(
  text: string,
  options: { readonly format: 'text' | 'csv' | 'stix'; readonly source: string; readonly category?: string; readonly now: Date },
): ThreatIndicator[] {
  // STIX bundles go to the real importer: the point is the route's media type, not a second parser.
  if (options.format === 'stix') return parseRealThreatIndicators(text, options);
  const values = text
    .split('\n')
    .map((line) => line.split(',')[0]?.trim() ?? '')
    .filter((line) => line !== '' && !line.startsWith('#'));
  const issues: ErrorIssue[] = [];
  values.forEach((value, index) => {
    if (!/^[0-9.:a-f]+(\/\d+)?$/.test(value)) issues.push({ path: `${options.source}:${index + 1}`, message: `"${value}" is not an IP or CIDR` });
  });
  if (issues.length > 0) fail('threat indicators', issues);
  return values.map((value) => ({
    indicator: value.includes('/') ? value : `${value}/32`,
    category: options.category ?? 'uncategorised',
    source: options.source,
    addedAt: options.now.toISOString(),
  }));
}

export const fakeImporters: SignalImporters = { parseEntities, parseDevices, parseThreatIndicators };
