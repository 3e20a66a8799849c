// ContinuousVerifier's routing: each kind of signal change drops exactly the cached decisions
// tagged with that signal (the real DecisionCache) and cuts or re-checks exactly the live
// connections admitted with it (the real LiveConnections); a re-check that denies, throws or cannot
// run cuts; periodic re-checks follow reevaluateAfterSeconds through an injected scheduler.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LiveConnections, type LiveConnection, type RecheckResult } from '../enforcement/proxy/live-connections.js';
import { DecisionCache, deviceTag, ipTag, sessionTag, subjectTag } from '../sessions/decision-cache.js';
import { ContinuousVerifier, type Schedule } from './continuous-verifier.js';
import { SignalChanges } from './signal-change.js';

const alice = { type: 'User', id: 'alice' };
const bob = { type: 'User', id: 'bob' };

interface Fixture {
  readonly cache: DecisionCache<string>;
  readonly connections: LiveConnections;
  readonly verifier: ContinuousVerifier;
  readonly closed: string[];
  readonly forgotten: string[];
  readonly logs: Record<string, unknown>[];
  /** The next re-check answer per connection name (default: allow). */
  readonly answers: Map<string, RecheckResult | Error>;
  readonly rechecked: string[];
  readonly timers: { ms: number; run: () => void; cancelled: boolean }[];
  add(name: string, admitted: Partial<LiveConnection>): () => void;
}

function fixture(): Fixture {
  const cache = new DecisionCache<string>(100);
  const connections = new LiveConnections();
  const closed: string[] = [];
  const forgotten: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const answers = new Map<string, RecheckResult | Error>();
  const rechecked: string[] = [];
  const timers: Fixture['timers'] = [];
  const schedule: Schedule = (ms, run) => {
    const timer = { ms, run, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const verifier = new ContinuousVerifier({ cache, connections, forgetSessions: (ids) => forgotten.push(...ids), logger, schedule });
  return {
    cache,
    connections,
    verifier,
    closed,
    forgotten,
    logs,
    answers,
    rechecked,
    timers,
    add: (name, admitted) =>
      connections.add({
        sessionId: undefined,
        route: 'app',
        recheck: async () => {
          rechecked.push(name);
          const answer = answers.get(name) ?? { allowed: true, reason: 'allow', decisionId: `d-${name}` };
          if (answer instanceof Error) throw answer;
          return answer;
        },
        ...admitted,
        close: () => closed.push(name),
      }),
  };
}

function seed(cache: DecisionCache<string>): void {
  cache.set('alice-laptop', 'allow', 60, [sessionTag('s-alice'), subjectTag(alice), deviceTag('laptop'), ipTag('198.51.100.7')]);
  cache.set('alice-phone', 'allow', 60, [sessionTag('s-alice-2'), subjectTag(alice), deviceTag('phone'), ipTag('203.0.113.9')]);
  cache.set('bob', 'allow', 60, [sessionTag('s-bob'), subjectTag(bob), ipTag('192.0.2.1')]);
}

describe('ContinuousVerifier', () => {
  it('sessions: drops their decisions and reused records and cuts their connections without re-checking', async () => {
    const f = fixture();
    seed(f.cache);
    f.add('alice-ws', { sessionId: 's-alice', subject: alice });
    f.add('bob-ws', { sessionId: 's-bob', subject: bob });
    const outcome = await f.verifier.handle({ kind: 'sessions', sessionIds: ['s-alice'], reason: 'logout' });
    expect(outcome).toEqual({ droppedDecisions: 1, rechecked: 0, cut: 1 });
    expect(f.closed).toEqual(['alice-ws']);
    expect(f.rechecked).toEqual([]);
    expect(f.forgotten).toEqual(['s-alice']);
    expect(f.cache.get('alice-laptop')).toBeUndefined();
    expect(f.cache.get('alice-phone')).toBe('allow');
    expect(f.connections.size).toBe(1);
    expect(f.logs.find((line) => line['msg'] === 'live connection closed: access no longer holds')).toMatchObject({ sessionId: 's-alice', reason: 'session ended: logout' });
  });

  it('subject: drops every decision of the subject and re-checks only its connections; a deny cuts with the reason and decision id', async () => {
    const f = fixture();
    seed(f.cache);
    f.add('alice-1', { sessionId: 's-alice', subject: alice });
    f.add('alice-2', { sessionId: 's-alice-2', subject: alice });
    f.add('bob-ws', { sessionId: 's-bob', subject: bob });
    f.answers.set('alice-2', { allowed: false, reason: 'deny: user disabled', decisionId: 'd-deny' });
    const outcome = await f.verifier.handle({ kind: 'subject', subject: alice, reason: 'disabled' });
    expect(outcome).toEqual({ droppedDecisions: 2, rechecked: 2, cut: 1 });
    expect(f.rechecked.sort()).toEqual(['alice-1', 'alice-2']);
    expect(f.closed).toEqual(['alice-2']);
    expect(f.cache.get('bob')).toBe('allow');
    const line = f.logs.find((entry) => entry['msg'] === 'live connection closed: access no longer holds');
    expect(line).toMatchObject({ reason: 'deny: user disabled', decisionId: 'd-deny', signal: 'disabled' });
  });

  it('device: drops the device\'s decisions and re-checks the connections it opened; a failing re-check cuts (fail closed)', async () => {
    const f = fixture();
    seed(f.cache);
    f.add('laptop-ws', { sessionId: 's-alice', subject: alice, deviceId: 'laptop' });
    f.add('phone-ws', { sessionId: 's-alice-2', subject: alice, deviceId: 'phone' });
    f.answers.set('laptop-ws', new Error('decision log unavailable'));
    const outcome = await f.verifier.handle({ kind: 'device', deviceId: 'laptop', reason: 'posture' });
    expect(outcome).toEqual({ droppedDecisions: 1, rechecked: 1, cut: 1 });
    expect(f.closed).toEqual(['laptop-ws']);
    expect(f.cache.get('alice-phone')).toBe('allow');
    expect(f.logs.find((entry) => entry['msg'] === 'live connection closed: access no longer holds')?.['reason']).toContain('decision log unavailable');
  });

  it('network: drops decisions and re-checks connections whose client address is inside a prefix (IPv4-mapped too)', async () => {
    const f = fixture();
    seed(f.cache);
    f.add('in-range', { sessionId: 's-alice', clientIp: '198.51.100.7' });
    f.add('mapped', { sessionId: 's-x', clientIp: '::ffff:198.51.100.200' });
    f.add('outside', { sessionId: 's-bob', clientIp: '192.0.2.1' });
    f.answers.set('in-range', { allowed: false, reason: 'deny: threat list' });
    f.answers.set('mapped', { allowed: false, reason: 'deny: threat list' });
    const outcome = await f.verifier.handle({ kind: 'network', prefixes: ['198.51.100.0/24', '2001:db8::/32'], reason: 'feed update' });
    expect(outcome).toEqual({ droppedDecisions: 1, rechecked: 2, cut: 2 });
    expect(f.closed.sort()).toEqual(['in-range', 'mapped']);
    expect(f.cache.get('alice-laptop')).toBeUndefined();
    expect(f.cache.get('alice-phone')).toBe('allow');
    expect(f.cache.get('bob')).toBe('allow');
  });

  it('network with an unreadable prefix, and all: clears the cache and re-checks every connection; one that cannot be re-checked is cut', async () => {
    const f = fixture();
    seed(f.cache);
    f.add('a', { sessionId: 's-alice' });
    f.connections.add({ sessionId: 's-bob', route: 'app', close: () => f.closed.push('no-recheck') });
    const outcome = await f.verifier.handle({ kind: 'network', prefixes: ['not-an-address'], reason: 'feed' });
    expect(outcome).toEqual({ droppedDecisions: 3, rechecked: 2, cut: 1 });
    expect(f.closed).toEqual(['no-recheck']);
    expect(f.cache.size).toBe(0);
    seed(f.cache);
    f.answers.set('a', { allowed: false, reason: 'deny' });
    expect(await f.verifier.handle({ kind: 'all', reason: 'policy reload' })).toEqual({ droppedDecisions: 3, rechecked: 1, cut: 1 });
    expect(f.connections.size).toBe(0);
  });

  it('re-checks each connection every reevaluateAfterSeconds until a re-check denies; a connection that ends cancels its timer', async () => {
    const f = fixture();
    f.add('periodic', { sessionId: 's-1', reevaluateAfterSeconds: 300 });
    const end = f.add('ended', { sessionId: 's-2', reevaluateAfterSeconds: 60 });
    f.add('never', { sessionId: 's-3', reevaluateAfterSeconds: 0 });
    expect(f.timers.map((timer) => timer.ms)).toEqual([300_000, 60_000]);
    end();
    expect(f.timers[1]?.cancelled).toBe(true);

    f.timers[0]?.run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.rechecked).toEqual(['periodic']);
    expect(f.closed).toEqual([]);
    expect(f.timers).toHaveLength(3);

    f.answers.set('periodic', { allowed: false, reason: 'step-up', decisionId: 'd-2' });
    f.timers[2]?.run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.closed).toEqual(['periodic']);
    expect(f.timers).toHaveLength(3);
    expect(f.logs.find((entry) => entry['msg'] === 'live connection closed: access no longer holds')).toMatchObject({ signal: 'periodic re-evaluation after 300 s', decisionId: 'd-2' });
  });

  it('acts before SignalChanges.publish resolves', async () => {
    const f = fixture();
    seed(f.cache);
    f.add('alice-ws', { sessionId: 's-alice', subject: alice });
    const bus = new SignalChanges(() => undefined);
    bus.subscribe(async (change) => {
      await f.verifier.handle(change);
    });
    await bus.publish({ kind: 'sessions', sessionIds: ['s-alice'], reason: 'admin' });
    expect(f.closed).toEqual(['alice-ws']);
  });
});
