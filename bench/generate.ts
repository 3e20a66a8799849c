// Deterministic synthetic data for the decision benchmark: an organisation of 10,000 Cedar entities
// (a group hierarchy, users, apps, documents), a device inventory, a threat list, policy sets of
// any size that look like real ones, and a mix of access requests. Same seed, same data: figures
// from two runs are comparable.
import type { AccessRequest, Authentication, CedarEntity, CedarJsonValue, DeviceRecord, ThreatMatch } from '../src/engine/index.js';
import { seededRandom } from '../src/testing/seeded-random.js';

export { seededRandom } from '../src/testing/seeded-random.js';

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Skewed towards the first items (a few popular apps and users get most traffic, as in real logs). */
function pickPopular<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(items.length * random() ** 2)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const DEPARTMENTS = ['engineering', 'finance', 'sales', 'marketing', 'support', 'legal', 'people', 'it', 'operations', 'research'] as const;
const TEAMS_PER_DEPARTMENT = 6;
export const ENTITY_COUNT = 10_000;
const USER_COUNT = 6_500;
const APP_COUNT = 200;

export interface User {
  readonly id: string;
  readonly teams: readonly string[];
  readonly department: string;
  readonly admin: boolean;
  readonly contractor: boolean;
  readonly deviceId: string;
}

export interface Document {
  readonly id: string;
  readonly app: string;
  readonly owner: string;
}

export interface World {
  /** The clock every generated timestamp is relative to. */
  readonly now: Date;
  readonly entities: readonly CedarEntity[];
  readonly users: readonly User[];
  readonly teams: readonly string[];
  readonly apps: readonly string[];
  readonly documents: readonly Document[];
  readonly documentsByApp: ReadonlyMap<string, readonly Document[]>;
  /** Users per group, transitively (a department's members include its teams' members). */
  readonly members: ReadonlyMap<string, readonly User[]>;
  readonly devices: ReadonlyMap<string, DeviceRecord>;
  /** Addresses on the threat list (each a /32, plus 203.0.113.0/24). */
  readonly threatIps: readonly string[];
  /** The Cedar schema (Tenet merges TenetContext into it). */
  readonly schemaText: string;
}

const SCHEMA = `// Benchmark schema: an organisation with a group hierarchy, apps and the documents inside them.
entity Group in [Group];
entity User in [Group] { email: String, department: String, clearance: Long };
entity App { owner: String, tier: String };
entity Document in [App] { owner: User, classification: Long };

action "read", "write", "share" appliesTo { principal: User, resource: [App, Document], context: TenetContext };
action "administer" appliesTo { principal: User, resource: App, context: TenetContext };
`;

const ref = (type: string, id: string) => ({ type, id });

export function generateWorld(seed: number, now: Date): World {
  const random = seededRandom(seed);
  const entities: CedarEntity[] = [];
  const members = new Map<string, User[]>();
  const addMember = (group: string, user: User) => {
    const list = members.get(group);
    if (list === undefined) members.set(group, [user]);
    else list.push(user);
  };

  // Groups: all-staff ⊃ departments ⊃ teams; admins and contractors hang off all-staff.
  entities.push({ uid: ref('Group', 'all-staff'), attrs: {}, parents: [] });
  const teams: string[] = [];
  for (const department of DEPARTMENTS) {
    entities.push({ uid: ref('Group', department), attrs: {}, parents: [ref('Group', 'all-staff')] });
    for (let t = 1; t <= TEAMS_PER_DEPARTMENT; t += 1) {
      const team = `${department}-t${t}`;
      teams.push(team);
      entities.push({ uid: ref('Group', team), attrs: {}, parents: [ref('Group', department)] });
    }
  }
  for (const role of ['admins', 'contractors']) entities.push({ uid: ref('Group', role), attrs: {}, parents: [ref('Group', 'all-staff')] });

  const users: User[] = [];
  for (let i = 0; i < USER_COUNT; i += 1) {
    const id = `u${String(i).padStart(5, '0')}`;
    const home = pick(random, teams);
    const second = random() < 0.2 ? pick(random, teams) : undefined;
    const userTeams = second === undefined || second === home ? [home] : [home, second];
    const user: User = {
      id,
      teams: userTeams,
      department: home.replace(/-t\d+$/, ''),
      admin: random() < 0.02,
      contractor: random() < 0.08,
      deviceId: `dev-${id}`,
    };
    users.push(user);
    const parents = [...userTeams, ...(user.admin ? ['admins'] : []), ...(user.contractor ? ['contractors'] : [])];
    entities.push({
      uid: ref('User', id),
      attrs: { email: `${id}@example.com`, department: user.department, clearance: Math.floor(random() * 4) },
      parents: parents.map((group) => ref('Group', group)),
    });
    for (const group of new Set([...parents, ...userTeams.map((team) => team.replace(/-t\d+$/, '')), 'all-staff'])) addMember(group, user);
  }

  const apps: string[] = [];
  for (let i = 0; i < APP_COUNT; i += 1) {
    const id = `app-${String(i).padStart(3, '0')}`;
    apps.push(id);
    entities.push({ uid: ref('App', id), attrs: { owner: pick(random, teams), tier: pick(random, ['internal', 'confidential', 'restricted']) }, parents: [] });
  }

  const documents: Document[] = [];
  const documentsByApp = new Map<string, Document[]>();
  for (let i = 0; entities.length < ENTITY_COUNT; i += 1) {
    const document: Document = { id: `doc-${String(i).padStart(5, '0')}`, app: pickPopular(random, apps), owner: pick(random, users).id };
    documents.push(document);
    const inApp = documentsByApp.get(document.app);
    if (inApp === undefined) documentsByApp.set(document.app, [document]);
    else inApp.push(document);
    const owner: CedarJsonValue = { __entity: { type: 'User', id: document.owner } };
    entities.push({ uid: ref('Document', document.id), attrs: { owner, classification: Math.floor(random() * 4) }, parents: [ref('App', document.app)] });
  }

  // One device per user; most managed and compliant, some stale, a few quarantined or revoked.
  const devices = new Map<string, DeviceRecord>();
  for (const user of users) {
    const managed = random() < 0.85;
    const roll = random();
    const status = roll < 0.02 ? 'quarantined' : roll < 0.03 ? 'revoked' : 'active';
    const minutesAgo = Math.floor(random() * 80);
    devices.set(user.deviceId, {
      id: user.deviceId,
      owner: ref('User', user.id),
      managed,
      status,
      posture: {
        facts: { os: pick(random, ['macos', 'windows', 'linux']), diskEncrypted: managed },
        compliant: managed ? random() < 0.9 : random() < 0.3,
        observedAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
        source: 'mdm',
      },
    });
  }

  const threatIps: string[] = ['203.0.113.7', '203.0.113.99'];
  for (let i = 0; i < 300; i += 1) threatIps.push(`45.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`);

  return { now, entities, users, teams, apps, documents, documentsByApp, members, devices, threatIps, schemaText: SCHEMA };
}

/** Device inventory in the JSON format `signals.devices` reads. */
export function devicesJson(world: World): string {
  return JSON.stringify(
    [...world.devices.values()].map((device) => ({
      id: device.id,
      owner: `User::"${device.owner?.id ?? ''}"`,
      managed: device.managed,
      status: device.status,
      posture: { compliant: device.posture?.compliant ?? false, observedAt: device.posture?.observedAt, facts: device.posture?.facts ?? {} },
    })),
  );
}

/** Threat list in the plain-text format (one IP or CIDR per line). */
export function threatListText(world: World): string {
  return ['# benchmark threat feed', '203.0.113.0/24', ...world.threatIps.filter((ip) => !ip.startsWith('203.0.113.'))].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Policies

type PermitKind = 'team-app' | 'department-read' | 'team-document' | 'admins-app' | 'business-hours';

export interface GeneratedPolicy {
  readonly id: string;
  readonly text: string;
  readonly effect: 'permit' | 'forbid';
  /** For scoped permits: who it is for and on what, so requests can aim at it. */
  readonly target?: { readonly kind: PermitKind | 'owner'; readonly group?: string; readonly actions: readonly string[]; readonly app?: string; readonly document?: string };
}

const PERMIT_KINDS: readonly (readonly [PermitKind, number])[] = [
  ['team-app', 0.4],
  ['department-read', 0.2],
  ['team-document', 0.2],
  ['admins-app', 0.1],
  ['business-hours', 0.1],
];

function permitKind(random: Random): PermitKind {
  let roll = random();
  for (const [kind, weight] of PERMIT_KINDS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'team-app';
}

const actionList = (actions: readonly string[]) => (actions.length === 1 ? `action == Action::"${actions[0]}"` : `action in [${actions.map((a) => `Action::"${a}"`).join(', ')}]`);

function permit(random: Random, world: World, n: number): GeneratedPolicy {
  const kind = permitKind(random);
  const id = `p${String(n).padStart(4, '0')}-${kind}`;
  const team = pick(random, world.teams);
  const app = pickPopular(random, world.apps);
  const head = (group: string, actions: readonly string[], resource: string) => `@id("${id}")\npermit (principal in Group::"${group}", ${actionList(actions)}, ${resource})`;
  switch (kind) {
    case 'team-app': {
      const actions = ['read', 'write'];
      return {
        id,
        effect: 'permit',
        target: { kind, group: team, actions, app },
        text: `${head(team, actions, `resource in App::"${app}"`)}\nwhen { context.device.managed && context.device.compliant && context.authn.mfa && context.risk.score < 50 };`,
      };
    }
    case 'department-read': {
      const department = pick(random, DEPARTMENTS);
      return {
        id,
        effect: 'permit',
        target: { kind, group: department, actions: ['read'], app },
        text: `${head(department, ['read'], `resource in App::"${app}"`)}\nwhen { context.device.known && context.authn.authenticated && context.risk.score < 60 };`,
      };
    }
    case 'team-document': {
      const document = pickPopular(random, world.documentsByApp.get(app) ?? world.documents);
      const actions = ['read', 'share'];
      return {
        id,
        effect: 'permit',
        target: { kind, group: team, actions, document: document.id },
        text: `${head(team, actions, `resource == Document::"${document.id}"`)}\nwhen { context.authn.phishingResistant && context.device.compliant && resource.classification <= principal.clearance };`,
      };
    }
    case 'admins-app':
      return {
        id,
        effect: 'permit',
        target: { kind, group: 'admins', actions: ['administer'], app },
        text: `${head('admins', ['administer'], `resource == App::"${app}"`)}\nwhen { context.authn.phishingResistant && context.authn.ageSeconds >= 0 && context.authn.ageSeconds <= 3600 && context.device.managed };`,
      };
    case 'business-hours':
      return {
        id,
        effect: 'permit',
        target: { kind, group: team, actions: ['read'], app },
        text: `${head(team, ['read'], `resource in App::"${app}"`)}\nwhen { context.request.hour >= 6 && context.request.hour < 20 && context.network.ipKnown && !context.network.threatListed };`,
      };
  }
}

function scopedForbid(random: Random, world: World, n: number): GeneratedPolicy {
  const app = pickPopular(random, world.apps);
  const variant = n % 3;
  const id = `f${String(n).padStart(4, '0')}`;
  if (variant === 0) {
    return { id, effect: 'forbid', text: `@id("${id}-contractors-no-share")\nforbid (principal in Group::"contractors", action in [Action::"share", Action::"administer"], resource in App::"${app}");` };
  }
  if (variant === 1) {
    return { id, effect: 'forbid', text: `@id("${id}-write-needs-managed")\nforbid (principal, action == Action::"write", resource in App::"${app}")\nunless { context.device.managed && context.device.compliant };` };
  }
  return { id, effect: 'forbid', text: `@id("${id}-critical-risk")\nforbid (principal, action, resource in App::"${app}")\nwhen { context.risk.score >= 75 };` };
}

/**
 * A policy set of exactly `size` policies: two global guardrail forbids (threat-listed address,
 * quarantined or revoked device), one global owner permit, ~3% scoped forbids and scoped permits.
 */
export function generatePolicies(world: World, size: number, seed: number): GeneratedPolicy[] {
  const random = seededRandom(seed);
  const policies: GeneratedPolicy[] = [
    { id: 'deny-threat-listed-ip', effect: 'forbid', text: '@id("deny-threat-listed-ip")\nforbid (principal, action, resource)\nwhen { context.network.threatListed };' },
    {
      id: 'deny-quarantined-device',
      effect: 'forbid',
      text: '@id("deny-quarantined-device")\nforbid (principal, action, resource)\nwhen { context.device.status == "quarantined" || context.device.status == "revoked" };',
    },
    {
      id: 'owners-use-their-documents',
      effect: 'permit',
      target: { kind: 'owner', actions: ['read', 'write', 'share'] },
      text: '@id("owners-use-their-documents")\npermit (principal, action in [Action::"read", Action::"write", Action::"share"], resource is Document)\nwhen { resource.owner == principal && context.device.known && context.risk.score < 60 };',
    },
  ];
  const forbids = Math.floor(size * 0.03);
  for (let i = 0; i < forbids; i += 1) policies.push(scopedForbid(random, world, i));
  for (let n = 0; policies.length < size; n += 1) policies.push(permit(random, world, n));
  return policies.slice(0, size);
}

export function policyFileText(policies: readonly GeneratedPolicy[]): string {
  return `// Generated by bench/generate.ts (${policies.length} policies).\n\n${policies.map((p) => p.text).join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface GeneratedRequest {
  readonly request: AccessRequest;
  /** What the PDP would look up for this request (in-process benchmarks build the snapshot from these). */
  readonly device: DeviceRecord | undefined;
  readonly threats: readonly ThreatMatch[];
  /** The same request as an AuthZEN evaluation body. */
  readonly authzen: Record<string, unknown>;
}

interface Target {
  readonly principal: User;
  readonly action: string;
  readonly resource: { readonly type: 'App' | 'Document'; readonly id: string };
}

function aimAt(random: Random, world: World, policy: GeneratedPolicy): Target | undefined {
  const target = policy.target;
  if (target === undefined) return undefined;
  const action = pick(random, target.actions);
  if (target.kind === 'owner') {
    const document = pickPopular(random, world.documents);
    const owner = world.users.find((user) => user.id === document.owner);
    return owner === undefined ? undefined : { principal: owner, action, resource: { type: 'Document', id: document.id } };
  }
  const candidates = world.members.get(target.group ?? '') ?? [];
  if (candidates.length === 0) return undefined;
  const principal = pick(random, candidates);
  if (target.document !== undefined) return { principal, action, resource: { type: 'Document', id: target.document } };
  const app = target.app ?? pick(random, world.apps);
  const inApp = world.documentsByApp.get(app) ?? [];
  const useDocument = action !== 'administer' && inApp.length > 0 && random() < 0.7;
  return { principal, action, resource: useDocument ? { type: 'Document', id: pick(random, inApp).id } : { type: 'App', id: app } };
}

function anyRequest(random: Random, world: World): Target {
  const principal = pickPopular(random, world.users);
  if (random() < 0.3) {
    const roll = random();
    return { principal, action: roll < 0.6 ? 'read' : roll < 0.85 ? 'write' : roll < 0.93 ? 'share' : 'administer', resource: { type: 'App', id: pickPopular(random, world.apps) } };
  }
  const roll = random();
  return { principal, action: roll < 0.65 ? 'read' : roll < 0.9 ? 'write' : 'share', resource: { type: 'Document', id: pickPopular(random, world.documents).id } };
}

interface Signals {
  readonly deviceId: string | undefined;
  readonly authn: Authentication | undefined;
  readonly ip: string;
}

/** Mostly healthy signals; otherwise one realistic degradation (weak or old login, wrong device, listed IP). */
function signalsFor(random: Random, world: World, user: User, healthy: number): Signals {
  const minutesAgo = (m: number) => new Date(world.now.getTime() - m * 60_000).toISOString();
  const clean = `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  const strong: Authentication = { methods: ['pwd', 'hwk'], phishingResistant: true, authenticatedAt: minutesAgo(1 + Math.floor(random() * 50)) };
  const base: Signals = { deviceId: user.deviceId, authn: strong, ip: clean };
  if (random() < healthy) return base;
  const roll = random();
  if (roll < 0.25) return { ...base, authn: { methods: ['pwd'], phishingResistant: false, authenticatedAt: minutesAgo(30) } };
  if (roll < 0.45) return { ...base, authn: { methods: ['pwd', 'otp'], phishingResistant: false, authenticatedAt: minutesAgo(20) } };
  if (roll < 0.55) return { ...base, authn: undefined };
  if (roll < 0.65) return { ...base, authn: { ...strong, authenticatedAt: minutesAgo(14 * 60) } };
  if (roll < 0.75) return { ...base, deviceId: undefined };
  if (roll < 0.85) return { ...base, deviceId: pick(random, world.users).deviceId };
  if (roll < 0.9) return { ...base, deviceId: `unknown-${Math.floor(random() * 1000)}` };
  return { ...base, ip: pick(random, world.threatIps) };
}

function toRequest(world: World, target: Target, signals: Signals): GeneratedRequest {
  const path = `/${target.resource.type.toLowerCase()}s/${target.resource.id}`;
  const method = target.action === 'read' ? 'GET' : 'POST';
  const userAgent = 'Mozilla/5.0 (bench)';
  const request: AccessRequest = {
    subject: { type: 'User', id: target.principal.id },
    action: { name: target.action },
    resource: target.resource,
    environment: { ip: signals.ip, method, path, userAgent },
    ...(signals.deviceId === undefined ? {} : { deviceId: signals.deviceId }),
    ...(signals.authn === undefined ? {} : { authn: signals.authn }),
  };
  const listed = world.threatIps.includes(signals.ip);
  const authzenAuthn = signals.authn === undefined ? {} : { authn: { methods: signals.authn.methods, phishing_resistant: signals.authn.phishingResistant, authenticated_at: signals.authn.authenticatedAt } };
  return {
    request,
    device: signals.deviceId === undefined ? undefined : world.devices.get(signals.deviceId),
    threats: listed ? [{ indicator: signals.ip.startsWith('203.0.113.') ? '203.0.113.0/24' : signals.ip, category: 'botnet', source: 'bench-feed' }] : [],
    authzen: {
      subject: request.subject,
      action: request.action,
      resource: request.resource,
      context: { ip: signals.ip, method, path, user_agent: userAgent, ...(signals.deviceId === undefined ? {} : { device_id: signals.deviceId }), ...authzenAuthn },
    },
  };
}

/** `count` requests: ~60% aimed at a permit of `policies` (principal in scope), the rest anywhere. */
export function generateRequests(world: World, policies: readonly GeneratedPolicy[], count: number, seed: number): GeneratedRequest[] {
  const random = seededRandom(seed);
  const permits = policies.filter((policy) => policy.target !== undefined);
  const requests: GeneratedRequest[] = [];
  while (requests.length < count) {
    const aimed = random() < 0.6 ? aimAt(random, world, pick(random, permits)) : undefined;
    const target = aimed ?? anyRequest(random, world);
    requests.push(toRequest(world, target, signalsFor(random, world, target.principal, aimed === undefined ? 0.5 : 0.7)));
  }
  return requests;
}
