// DeviceStore over SQLite: the device inventory plus every posture report received. A device's
// current posture is the report with the newest observedAt — the time the facts were true — not
// the last one written, because sources report late and out of order. Each device is read with
// the newest report of every source too (`postures`), since sources are trusted differently.
import type Database from 'better-sqlite3';
import type { DevicePosture, DeviceRecord, DeviceStatus } from '../../engine/signals.js';
import { TenetError } from '../../errors.js';
import type { DeviceStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';

interface DeviceRow {
  readonly id: string;
  readonly owner_type: string | null;
  readonly owner_id: string | null;
  readonly managed: number;
  readonly status: DeviceStatus;
  readonly attributes: string | null;
}

interface PostureRow {
  readonly source: string;
  readonly observed_at: string;
  readonly compliant: number | null;
  readonly facts: string;
}

type DeviceWithPostureRow = DeviceRow & { readonly [K in keyof PostureRow]: PostureRow[K] | null };

/**
 * Each device with the newest report of each source, in one query: one row per (device, source),
 * a device without posture once with NULL posture columns; rows of a device are adjacent (ordered
 * by id) and newest first, so the first is the newest overall (`posture`, ties: the later insert).
 * The newest per source uses SQLite's documented bare-column rule (a lone MAX() aggregate takes
 * the other columns from the row holding the maximum), which the UNIQUE (device_id, source,
 * observed_at_ms) index serves and which has no ties: that key is unique.
 * `filter` is inside the grouping too, so reading one device does not group every device's history.
 */
function deviceSelect(filter: string): string {
  return `SELECT d.id, d.owner_type, d.owner_id, d.managed, d.status, d.attributes, p.source, p.observed_at, p.compliant, p.facts
  FROM devices d LEFT JOIN (
    SELECT device_id, source, MAX(observed_at_ms) AS observed_at_ms, seq, observed_at, compliant, facts
    FROM device_posture ${filter === '' ? '' : 'WHERE device_id = ?'} GROUP BY device_id, source
  ) p ON p.device_id = d.id
  ${filter === '' ? '' : 'WHERE d.id = ?'}
  ORDER BY d.id, p.observed_at_ms DESC, p.seq DESC`;
}

const LIST_DEVICES = deviceSelect('');
const GET_DEVICE = deviceSelect('one');

export class SqliteDeviceStore implements DeviceStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  list(): Promise<DeviceRecord[]> {
    return attempt('listing devices', () => toDevices(this.#db.prepare<[], DeviceWithPostureRow>(LIST_DEVICES).all()));
  }

  get(id: string): Promise<DeviceRecord | undefined> {
    return attempt(`reading device ${id}`, () => {
      return toDevices(this.#db.prepare<[string, string], DeviceWithPostureRow>(GET_DEVICE).all(id, id))[0];
    });
  }

  upsertMany(devices: readonly DeviceRecord[]): Promise<void> {
    return attempt('upserting devices', () => {
      // ON CONFLICT DO UPDATE rather than INSERT OR REPLACE: REPLACE deletes the row first, which
      // would cascade to (and erase) the device's posture history.
      const upsert = this.#db.prepare(
        `INSERT INTO devices (id, owner_type, owner_id, managed, status, attributes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET owner_type = excluded.owner_type, owner_id = excluded.owner_id, managed = excluded.managed,
           status = excluded.status, attributes = excluded.attributes, updated_at = excluded.updated_at`,
      );
      const now = new Date().toISOString();
      this.#db.transaction(() => {
        for (const d of devices) {
          upsert.run(d.id, d.owner?.type ?? null, d.owner?.id ?? null, d.managed ? 1 : 0, d.status, d.attributes === undefined ? null : JSON.stringify(d.attributes), now);
          // `postures` too, so a record read back from a store can be written again whole.
          for (const posture of d.postures ?? []) this.#insertPosture(d.id, posture, now);
          if (d.posture !== undefined) this.#insertPosture(d.id, d.posture, now);
        }
      })();
    });
  }

  recordPosture(id: string, posture: DevicePosture): Promise<void> {
    return attempt(`recording posture for device ${id}`, () => {
      this.#db.transaction(() => {
        this.#requireDevice(id);
        this.#insertPosture(id, posture, new Date().toISOString());
      })();
    });
  }

  setStatus(id: string, status: DeviceStatus): Promise<void> {
    return attempt(`setting the status of device ${id}`, () => {
      const changes = this.#db.prepare('UPDATE devices SET status = ?, updated_at = ? WHERE id = ?').run(status, new Date().toISOString(), id).changes;
      if (changes === 0) throw notFound(id);
    });
  }

  postureHistory(id: string, limit: number): Promise<DevicePosture[]> {
    return attempt(`reading the posture history of device ${id}`, () => {
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new TenetError('TENET_ERR_STORE_INVALID_ARGUMENT', `posture history limit must be a non-negative integer, got ${limit}`);
      }
      return this.#db
        .prepare<[string, number], PostureRow>('SELECT source, observed_at, compliant, facts FROM device_posture WHERE device_id = ? ORDER BY observed_at_ms DESC, seq DESC LIMIT ?')
        .all(id, limit)
        .map(toPosture);
    });
  }

  remove(id: string): Promise<boolean> {
    return attempt(`removing device ${id}`, () => this.#db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes === 1);
  }

  #requireDevice(id: string): void {
    if (this.#db.prepare('SELECT 1 FROM devices WHERE id = ?').get(id) === undefined) throw notFound(id);
  }

  #insertPosture(deviceId: string, posture: DevicePosture, recordedAt: string): void {
    const observedMs = Date.parse(posture.observedAt);
    if (Number.isNaN(observedMs)) {
      throw new TenetError('TENET_ERR_STORE_CONSTRAINT', `device ${deviceId}: posture observedAt "${posture.observedAt}" is not an ISO 8601 time; nothing was written`);
    }
    this.#db
      .prepare(
        `INSERT INTO device_posture (device_id, source, observed_at, observed_at_ms, compliant, facts, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id, source, observed_at_ms) DO UPDATE SET observed_at = excluded.observed_at, compliant = excluded.compliant,
           facts = excluded.facts, recorded_at = excluded.recorded_at`,
      )
      .run(deviceId, posture.source, posture.observedAt, observedMs, posture.compliant === undefined ? null : posture.compliant ? 1 : 0, JSON.stringify(posture.facts), recordedAt);
  }
}

function notFound(id: string): TenetError {
  return new TenetError('TENET_ERR_STORE_NOT_FOUND', `device ${id} is not in the inventory`);
}

function toPosture(row: PostureRow): DevicePosture {
  const base = { facts: readJsonColumn<Record<string, unknown>>(row.facts, 'posture facts'), observedAt: row.observed_at, source: row.source };
  return row.compliant === null ? base : { ...base, compliant: row.compliant === 1 };
}

type MutableDevice = { -readonly [K in keyof DeviceRecord]: DeviceRecord[K] };

/** Folds the rows of deviceSelect (adjacent per device, newest report first) into records. */
function toDevices(rows: readonly DeviceWithPostureRow[]): DeviceRecord[] {
  const devices: DeviceRecord[] = [];
  let current: MutableDevice | undefined;
  let postures: DevicePosture[] = [];
  for (const row of rows) {
    if (current?.id !== row.id) {
      current = { id: row.id, managed: row.managed === 1, status: row.status };
      if (row.owner_type !== null && row.owner_id !== null) current.owner = { type: row.owner_type, id: row.owner_id };
      if (row.attributes !== null) current.attributes = readJsonColumn<Record<string, unknown>>(row.attributes, 'device attributes');
      postures = [];
      devices.push(current);
    }
    if (row.source !== null && row.observed_at !== null && row.facts !== null) {
      const posture = toPosture({ source: row.source, observed_at: row.observed_at, compliant: row.compliant, facts: row.facts });
      if (postures.length === 0) {
        current.posture = posture;
        current.postures = postures;
      }
      postures.push(posture);
    }
  }
  return devices;
}
