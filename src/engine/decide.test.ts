import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PolicyEvaluator } from './cedar/evaluator.js';
import { decide } from './decide.js';
import type { Decision } from './decision.js';
import { loadPolicySet } from './load-policy-set.js';
import type { PolicySet } from './policy-set.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './settings.js';
import { BOTNET, managedDevice, minutesAgo, PASSWORD_AND_OTP, PASSWORD_ONLY, request, snapshot } from './testdata/fixtures.js';

const read = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const zeroTrust = loadPolicySet({
  policies: [{ file: 'zero-trust.cedar', text: read('zero-trust.cedar') }],
  schema: { file: 'zero-trust.cedarschema', text: read('zero-trust.cedarschema'), format: 'cedar' },
});
const settings = DEFAULT_ENGINE_SETTINGS;
const codes = (decision: Decision): string[] => decision.reasons.map((reason) => reason.code);
const details = (decision: Decision): (string | undefined)[] => decision.reasons.map((reason) => reason.detail);

function policies(text: string): PolicySet {
  return loadPolicySet({ policies: [{ file: 'test.cedar', text }] });
}

describe('golden scenarios (NIST SP 800-207, NSA zero trust)', () => {
  it('allows a managed, compliant device with fresh phishing-resistant MFA', () => {
    const decision = decide(request(), snapshot(), zeroTrust, settings);
    expect(decision.outcome).toBe('allow');
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'policy-permit', policyId: 'staff-read-from-healthy-device', effect: 'allow' }));
    expect(decision.risk).toMatchObject({ score: 0, level: 'low', factors: [] });
    expect(decision.policies).toMatchObject({ determining: ['staff-read-from-healthy-device'], total: 4 });
    expect(decision.obligations).toEqual({ cacheTtlSeconds: 30, reevaluateAfterSeconds: 300 });
    expect(decision.policyVersion).toBe(zeroTrust.version);
    expect(decision.decidedAt).toBe('2025-06-02T10:00:00.000Z');
    expect(decision.signalsUsed).toEqual(expect.arrayContaining([`policy-set:${zeroTrust.version}`, 'entity:User::"alice"', 'entity:Group::"staff"', 'device:laptop-7', 'threat-intel']));
  });

  it('denies stolen credentials used from an unknown device, without offering step-up', () => {
    const decision = decide(request({ deviceId: 'attacker-pc', authn: PASSWORD_ONLY }), snapshot({ device: undefined }), zeroTrust, settings);
    expect(decision.outcome).toBe('deny');
    expect(codes(decision)).toContain('no-applicable-policy');
    expect(details(decision)).toEqual(expect.arrayContaining(['device-unknown', 'authn-single-factor', 'authn-not-phishing-resistant']));
    expect(decision.obligations.stepUp).toBeUndefined();
    expect(decision.obligations.cacheTtlSeconds).toBe(0);
  });

  it('denies a threat-listed IP even for an administrator, and names the category', () => {
    const decision = decide(request({ subject: { type: 'User', id: 'root' }, action: { name: 'admin' }, environment: { ip: '203.0.113.9' } }), snapshot({ threats: [BOTNET] }), zeroTrust, settings);
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'policy-forbid', policyId: 'block-threat-listed-ip' }));
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'risk-factor', detail: 'ip-threat-listed', message: '203.0.113.9 is on a threat list (botnet)' }));
    expect(decision.obligations.stepUp).toBeUndefined();
  });

  it('denies on stale posture when the policy requires fresh posture', () => {
    const stale = managedDevice({ posture: { facts: {}, compliant: true, observedAt: minutesAgo(190), source: 'mdm-export' } });
    const decision = decide(request(), snapshot({ device: stale }), zeroTrust, settings);
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'risk-factor', detail: 'device-posture-stale', message: 'posture observed 3h 10m ago; limit 1h' }));
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'signal-stale', detail: 'device-posture' }));
    expect(decision.obligations.stepUp).toBeUndefined();
  });

  it('asks for step-up on stale posture when the policy accepts fresh strong authentication instead', () => {
    const set = policies(`permit (principal, action, resource) when {
      context.device.postureFresh || (context.authn.phishingResistant && context.authn.ageSeconds >= 0 && context.authn.ageSeconds <= 300) };`);
    const stale = managedDevice({ posture: { facts: {}, compliant: true, observedAt: minutesAgo(190), source: 'mdm-export' } });
    const decision = decide(request({ authn: PASSWORD_AND_OTP }), snapshot({ device: stale }), set, settings);
    expect(decision.outcome).toBe('step-up');
    expect(codes(decision)[0]).toBe('step-up-required');
    expect(decision.obligations.stepUp).toEqual({ phishingResistant: true, maxAgeSeconds: 300 });
  });

  it('denies when the only applicable policy errors', () => {
    const set = policies('@id("needs-clearance") permit (principal, action, resource) when { principal.clearance > 3 };');
    const decision = decide(request(), snapshot(), set, settings);
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'policy-error', policyId: 'needs-clearance', effect: 'deny' }));
    expect(decision.policies.errored.map((e) => e.policyId)).toEqual(['needs-clearance']);
  });

  it('lets a forbid override a permit', () => {
    const set = policies('@id("p") permit (principal, action, resource);\n@id("f") forbid (principal, action, resource == App::"wiki");');
    const decision = decide(request(), snapshot(), set, settings);
    expect(decision.outcome).toBe('deny');
    expect(decision.policies.determining).toEqual(['f']);
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'policy-forbid', policyId: 'f' }));
  });
});

describe('combining Cedar with the risk score', () => {
  const permitAll = policies('@id("all") permit (principal, action, resource);');
  const withSensitivity = (sensitivity: 'low' | 'high' | 'critical'): EngineSettings => ({ ...settings, sensitivityOf: () => sensitivity });

  it('is exactly Cedar when the resource has no sensitivity, however high the risk', () => {
    const decision = decide(request({ deviceId: 'x', authn: PASSWORD_ONLY }), snapshot({ device: undefined }), permitAll, settings);
    expect(decision.outcome).toBe('allow');
    expect(decision.risk.score).toBe(60);
    expect(decision.risk.threshold).toBeUndefined();
  });

  it('denies a Cedar allow whose score exceeds the sensitivity limit, naming the factors', () => {
    const unmanaged = managedDevice({ managed: false, posture: { facts: {}, compliant: false, observedAt: minutesAgo(1), source: 'agent' } });
    const decision = decide(request(), snapshot({ device: unmanaged }), permitAll, withSensitivity('high'));
    expect(decision.outcome).toBe('deny');
    expect(decision.risk).toMatchObject({ score: 55, level: 'high', threshold: { sensitivity: 'high', maxScore: 40 } });
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'risk-too-high', message: 'risk score 55 exceeds 40, the limit for high-sensitivity resources (device-unmanaged, device-not-compliant)' }));
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'policy-permit', effect: 'allow' }));
  });

  it('offers step-up when only authentication pushes the score over the limit, and only as strong as needed', () => {
    const decision = decide(request({ authn: PASSWORD_ONLY }), snapshot(), permitAll, withSensitivity('critical'));
    expect(decision.outcome).toBe('step-up');
    expect(decision.obligations.stepUp).toEqual({ phishingResistant: false, maxAgeSeconds: 300 });
  });

  it('does not offer step-up to an unauthenticated subject', () => {
    const { authn: _omit, ...anonymous } = request();
    const decision = decide(anonymous, snapshot(), permitAll, withSensitivity('high'));
    expect(decision.outcome).toBe('allow');
    const critical = decide(anonymous, snapshot(), permitAll, withSensitivity('critical'));
    expect(critical.outcome).toBe('deny');
    expect(critical.obligations.stepUp).toBeUndefined();
  });

  it('caps the cache lifetime of an allow at the moment its posture goes stale', () => {
    const ageing = managedDevice({ posture: { facts: {}, compliant: true, observedAt: minutesAgo(59.5), source: 'agent' } });
    const decision = decide(request(), snapshot({ device: ageing }), permitAll, settings);
    expect(decision.outcome).toBe('allow');
    expect(decision.obligations).toEqual({ cacheTtlSeconds: 30, reevaluateAfterSeconds: 30 });
  });
});

describe('request validation', () => {
  const permitAll = policies('permit (principal, action, resource);');

  it.each(['risk', 'device', 'authn', 'network', 'request'])('denies a caller context that sets the reserved key %s', (key) => {
    const decision = decide(request({ context: { [key]: { score: 0 } } }), snapshot(), permitAll, settings);
    expect(decision.outcome).toBe('deny');
    expect(codes(decision)).toEqual(['invalid-request']);
  });

  it('passes other caller context keys through to Cedar', () => {
    const set = policies('permit (principal, action, resource) when { context has ticket && context.ticket == "CHG-1" };');
    expect(decide(request({ context: { ticket: 'CHG-1' } }), snapshot(), set, settings).outcome).toBe('allow');
    expect(decide(request({ context: { ticket: 'CHG-2' } }), snapshot(), set, settings).outcome).toBe('deny');
  });

  it('overlays request properties on the stored entity', () => {
    const set = policies('permit (principal, action, resource) when { principal.department == "engineering" && principal.mfaEnrolled };');
    expect(decide(request({ subject: { type: 'User', id: 'alice', properties: { mfaEnrolled: true } } }), snapshot(), set, settings).outcome).toBe('allow');
    expect(decide(request({ subject: { type: 'User', id: 'bob', properties: { mfaEnrolled: true } } }), snapshot(), set, settings).outcome).toBe('deny');
  });

  it('denies values Cedar cannot represent and an invalid IP', () => {
    expect(codes(decide(request({ context: { ratio: 0.5 } }), snapshot(), permitAll, settings))).toEqual(['invalid-request']);
    expect(codes(decide(request({ environment: { ip: 'not-an-ip' } }), snapshot(), permitAll, settings))).toEqual(['invalid-request']);
  });
});

describe('fail closed', () => {
  it('turns an evaluator exception into an evaluation-error deny', () => {
    const broken: PolicyEvaluator = {
      evaluate() {
        throw new Error('wasm trap');
      },
    };
    const set: PolicySet = { ...policies('permit (principal, action, resource);'), evaluator: broken };
    const decision = decide(request(), snapshot(), set, settings);
    expect(decision.outcome).toBe('deny');
    expect(codes(decision)).toEqual(['evaluation-error']);
    expect(decision.obligations.cacheTtlSeconds).toBe(0);
  });

  it('denies when a signal source throws', () => {
    const set = policies('permit (principal, action, resource);');
    const failing = snapshot({ entities: { get: () => { throw new Error('store gone'); } } });
    expect(codes(decide(request(), failing, set, settings))).toEqual(['evaluation-error']);
  });
});

describe('action groups from the schema', () => {
  it('applies a policy on an action group to its member actions', () => {
    const set = loadPolicySet({
      policies: [{ file: 'a.cedar', text: 'permit (principal, action in Action::"readOnly", resource);' }],
      schema: { file: 's.cedarschema', format: 'cedar', text: 'entity User; entity App; action "readOnly"; action "read" in ["readOnly"] appliesTo { principal: User, resource: App, context: TenetContext }; action "write" appliesTo { principal: User, resource: App, context: TenetContext };' },
    });
    expect(decide(request(), snapshot(), set, settings).outcome).toBe('allow');
    expect(decide(request({ action: { name: 'write' } }), snapshot(), set, settings).outcome).toBe('deny');
  });
});
