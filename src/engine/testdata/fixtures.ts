// Test fixtures for engine tests: a small organisation (users, groups, apps, devices) and builders
// for requests and signal snapshots, so each test states only what it varies.
import { entityKey } from '../cedar/entity-key.js';
import type { CedarEntity, DeviceRecord, EntityLookup, SignalSnapshot, ThreatMatch } from '../signals.js';
import type { AccessRequest, Authentication, EntityRef } from '../tuple.js';

export const NOW = new Date('2025-06-02T10:00:00Z');

export function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString();
}

export function entityLookup(entities: readonly CedarEntity[]): EntityLookup {
  const byKey = new Map(entities.map((entity) => [entityKey(entity.uid), entity]));
  return { get: (ref: EntityRef) => byKey.get(entityKey(ref)) };
}

export const ORG_ENTITIES: readonly CedarEntity[] = [
  { uid: { type: 'User', id: 'alice' }, attrs: { department: 'engineering' }, parents: [{ type: 'Group', id: 'engineers' }] },
  { uid: { type: 'User', id: 'root' }, attrs: {}, parents: [{ type: 'Group', id: 'admins' }] },
  { uid: { type: 'User', id: 'mallory' }, attrs: { disabled: true }, parents: [{ type: 'Group', id: 'engineers' }] },
  { uid: { type: 'Group', id: 'engineers' }, attrs: {}, parents: [{ type: 'Group', id: 'staff' }] },
  { uid: { type: 'Group', id: 'admins' }, attrs: {}, parents: [{ type: 'Group', id: 'staff' }] },
  { uid: { type: 'Group', id: 'staff' }, attrs: {}, parents: [] },
  { uid: { type: 'App', id: 'wiki' }, attrs: { owner: { __entity: { type: 'User', id: 'alice' } } }, parents: [] },
  { uid: { type: 'App', id: 'payroll' }, attrs: {}, parents: [] },
];

export const MFA_PHISHING_RESISTANT: Authentication = { methods: ['hwk', 'webauthn'], phishingResistant: true, authenticatedAt: minutesAgo(5) };
export const PASSWORD_ONLY: Authentication = { methods: ['pwd'], phishingResistant: false, authenticatedAt: minutesAgo(5) };
export const PASSWORD_AND_OTP: Authentication = { methods: ['pwd', 'otp'], phishingResistant: false, authenticatedAt: minutesAgo(5) };

export function managedDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: 'laptop-7',
    owner: { type: 'User', id: 'alice' },
    managed: true,
    status: 'active',
    posture: { facts: { diskEncrypted: true }, compliant: true, observedAt: minutesAgo(10), source: 'mdm-export' },
    ...overrides,
  };
}

export function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    subject: { type: 'User', id: 'alice' },
    deviceId: 'laptop-7',
    action: { name: 'read' },
    resource: { type: 'App', id: 'wiki' },
    environment: { ip: '198.51.100.7', method: 'GET', path: '/', userAgent: 'test' },
    authn: MFA_PHISHING_RESISTANT,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<SignalSnapshot> & { extraEntities?: readonly CedarEntity[] } = {}): SignalSnapshot {
  const { extraEntities = [], ...rest } = overrides;
  return {
    now: NOW,
    entities: entityLookup([...ORG_ENTITIES, ...extraEntities]),
    device: managedDevice(),
    threats: [],
    ...rest,
  };
}

export const BOTNET: ThreatMatch = { indicator: '203.0.113.0/24', category: 'botnet', source: 'feed-a' };
