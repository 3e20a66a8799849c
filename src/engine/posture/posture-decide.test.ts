// decide() with posture rules: compliance, failed checks in the context, risk and reasons, and the
// cache lifetime, with the compiled evaluator and cedar-wasm answering alike.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decide } from '../decide.js';
import type { Decision } from '../decision.js';
import { loadPolicySet, type EvaluatorKind } from '../load-policy-set.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings, type PostureRules } from '../settings.js';
import type { DevicePosture } from '../signals.js';
import { managedDevice, minutesAgo, request, snapshot } from '../testdata/fixtures.js';

const read = (name: string): string => readFileSync(new URL(`../testdata/${name}`, import.meta.url), 'utf8');
const schema = { file: 'zero-trust.cedarschema', text: read('zero-trust.cedarschema'), format: 'cedar' as const };
const EVALUATORS: readonly EvaluatorKind[] = ['compiled', 'wasm'];

const HEALTHY = { os: 'linux', osVersion: '6.8.0', diskEncrypted: true, firewallEnabled: true, screenLockEnabled: true, lastPackageUpdateAt: minutesAgo(600), agentVersion: '1.0.0' };

function withRules(rules: Partial<PostureRules>, sensitivity?: 'high' | 'critical'): EngineSettings {
  return {
    ...DEFAULT_ENGINE_SETTINGS,
    posture: { sources: { agent: 'facts' }, defaultSourceTrust: 'verdict', rules: { custom: [], ...rules } },
    ...(sensitivity === undefined ? {} : { sensitivityOf: () => sensitivity }),
  };
}

function agentDevice(facts: Record<string, unknown>, minutes = 5) {
  const posture: DevicePosture = { facts: { ...HEALTHY, ...facts }, observedAt: minutesAgo(minutes), source: 'agent' };
  return managedDevice({ posture, postures: [posture] });
}

const RULES: Partial<PostureRules> = { firewallEnabled: true, diskEncrypted: true, screenLockEnabled: true, maxReportAgeSeconds: 3600 };

describe.each(EVALUATORS)('posture in decide() (%s evaluator)', (evaluator) => {
  const zeroTrust = loadPolicySet({ policies: [{ file: 'zero-trust.cedar', text: read('zero-trust.cedar') }], schema }, { evaluator });
  const permitAll = loadPolicySet({ policies: [{ file: 'p.cedar', text: 'permit (principal, action, resource);' }] }, { evaluator });

  it('allows a device that passes every rule', () => {
    const decision = decide(request(), snapshot({ device: agentDevice({}) }), zeroTrust, withRules(RULES, 'high'));
    expect(decision.outcome).toBe('allow');
    expect(decision.risk.factors).toEqual([]);
  });

  it('denies a non-compliant device on a high-sensitivity resource and names each failed check', () => {
    const device = agentDevice({ firewallEnabled: false, diskEncrypted: false, screenLockEnabled: null });
    const decision = decide(request(), snapshot({ device }), zeroTrust, withRules(RULES, 'high'));
    expect(decision.outcome).toBe('deny');
    expect(decision.obligations.stepUp).toBeUndefined();
    // Three failed checks, one weight: the score moves by the device-not-compliant weight once.
    expect(decision.risk.score).toBe(DEFAULT_ENGINE_SETTINGS.riskWeights['device-not-compliant']);
    expect(decision.risk.factors).toEqual([
      { name: 'device-not-compliant', weight: 40, explanation: 'device laptop-7 failed posture checks: firewall, disk-encryption, screen-lock' },
      { name: 'device-not-compliant:firewall', weight: 0, explanation: 'firewall is off' },
      { name: 'device-not-compliant:disk-encryption', weight: 0, explanation: 'the disk is not encrypted' },
      { name: 'device-not-compliant:screen-lock', weight: 0, explanation: 'the agent could not determine screenLockEnabled' },
    ]);
    const shown = decision.reasons.filter((reason) => reason.code === 'risk-factor').map((reason) => [reason.detail, reason.message]);
    expect(shown).toEqual(expect.arrayContaining([
      ['device-not-compliant:firewall', 'firewall is off'],
      ['device-not-compliant:disk-encryption', 'the disk is not encrypted'],
      ['device-not-compliant:screen-lock', 'the agent could not determine screenLockEnabled'],
    ]));
  });

  it('holds a Cedar allow to the threshold with the failed checks in the message once', () => {
    const decision = decide(request(), snapshot({ device: agentDevice({ firewallEnabled: false }) }), permitAll, withRules(RULES, 'critical'));
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'risk-too-high', message: 'risk score 40 exceeds 20, the limit for critical-sensitivity resources (device-not-compliant)' }));
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'risk-factor', detail: 'device-not-compliant:firewall', message: 'firewall is off' }));
  });

  it('lets a policy test context.device.failedChecks', () => {
    const set = loadPolicySet({
      policies: [{ file: 'p.cedar', text: 'permit (principal, action, resource) when { context.device.known && !context.device.failedChecks.contains("disk-encryption") };' }],
      schema,
    }, { evaluator });
    const onlyFirewall = decide(request(), snapshot({ device: agentDevice({ firewallEnabled: false }) }), set, withRules(RULES));
    expect(onlyFirewall.outcome).toBe('allow');
    const noDiskEncryption = decide(request(), snapshot({ device: agentDevice({ diskEncrypted: false }) }), set, withRules(RULES));
    expect(noDiskEncryption.outcome).toBe('deny');
    const unknownDevice = decide(request(), snapshot({ device: undefined }), set, withRules(RULES));
    expect(unknownDevice.outcome).toBe('deny');
    const isEmpty = loadPolicySet({ policies: [{ file: 'p.cedar', text: 'permit (principal, action, resource) when { context.device.failedChecks.isEmpty() && context.device.compliant };' }], schema }, { evaluator });
    expect(decide(request(), snapshot({ device: agentDevice({}) }), isEmpty, withRules(RULES)).outcome).toBe('allow');
    expect(decide(request(), snapshot({ device: agentDevice({}, 90) }), isEmpty, withRules(RULES)).outcome).toBe('deny');
  });

  it('caps the cache lifetime of an allow at the moment the newest trusted report exceeds maxReportAge', () => {
    const device = agentDevice({}, 9 + 50 / 60);
    const decision = decide(request(), snapshot({ device }), permitAll, withRules({ maxReportAgeSeconds: 600 }));
    expect(decision.outcome).toBe('allow');
    expect(decision.obligations).toEqual({ cacheTtlSeconds: 10, reevaluateAfterSeconds: 10 });
  });

  it('ignores an ignored source for freshness and compliance', () => {
    const ignored: DevicePosture = { facts: HEALTHY, compliant: true, observedAt: minutesAgo(1), source: 'shadow-it' };
    const device = managedDevice({ posture: ignored, postures: [ignored] });
    const settings: EngineSettings = { ...withRules(RULES), posture: { sources: { 'shadow-it': 'ignore' }, defaultSourceTrust: 'verdict', rules: { custom: [] } } };
    const decision = decide(request(), snapshot({ device }), zeroTrust, settings);
    expect(decision.outcome).toBe('deny');
    expect(decision.risk.factors.map((factor) => factor.name)).toEqual(['device-posture-stale']);
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'signal-missing', detail: 'device-posture' }));
  });

  it('explains a device no source vouches for when no rules are configured', () => {
    const silent: DevicePosture = { facts: {}, observedAt: minutesAgo(1), source: 'mdm-export' };
    const decision: Decision = decide(request(), snapshot({ device: managedDevice({ posture: silent }) }), zeroTrust, DEFAULT_ENGINE_SETTINGS);
    expect(decision.outcome).toBe('deny');
    expect(decision.risk.factors).toEqual([]);
    expect(decision.reasons).toContainEqual({
      code: 'signal-missing',
      effect: 'deny',
      message: 'device laptop-7 is not known to be compliant: no posture rules are configured and no trusted source reports the device compliant',
      detail: 'device-compliance',
    });
  });
});

describe('posture context is the same for both evaluators', () => {
  it('decides alike on a spread of devices and policies', () => {
    const policies = [
      'permit (principal, action, resource) when { context.device.failedChecks.contains("firewall") };',
      'permit (principal, action, resource) when { context.device.failedChecks.containsAny(["disk-encryption", "screen-lock"]) && !context.device.compliant };',
      'permit (principal, action, resource) when { context.risk.factors.contains("device-not-compliant:firewall") };',
    ];
    const devices = [agentDevice({}), agentDevice({ firewallEnabled: false }), agentDevice({ diskEncrypted: null }), agentDevice({}, 120), undefined];
    for (const text of policies) {
      const [compiled, wasm] = EVALUATORS.map((evaluator) => loadPolicySet({ policies: [{ file: 'p.cedar', text }], schema }, { evaluator }));
      for (const device of devices) {
        const strip = (d: Decision) => ({ outcome: d.outcome, reasons: d.reasons, risk: d.risk, obligations: d.obligations });
        const a = decide(request(), snapshot({ device }), compiled!, withRules(RULES));
        const b = decide(request(), snapshot({ device }), wasm!, withRules(RULES));
        expect(strip(a)).toEqual(strip(b));
      }
    }
  });
});
