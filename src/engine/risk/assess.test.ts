import { describe, expect, it } from 'vitest';
import type { RiskFactor } from '../decision.js';
import { formatDuration } from '../explain-duration.js';
import type { RiskFactorName } from '../reasons.js';
import { DEFAULT_ENGINE_SETTINGS } from '../settings.js';
import type { SignalSnapshot } from '../signals.js';
import { BOTNET, managedDevice, minutesAgo, PASSWORD_AND_OTP, PASSWORD_ONLY, request, snapshot } from '../testdata/fixtures.js';
import type { AccessRequest } from '../tuple.js';
import { assessRisk, RISK_CRITERIA, riskLevel } from './assess.js';
import { authnMissing } from './authn-missing.js';
import { authnNotPhishingResistant } from './authn-not-phishing-resistant.js';
import { authnSingleFactor } from './authn-single-factor.js';
import { authnStale } from './authn-stale.js';
import { behaviourDenialBurst, behaviourImpossibleTravel, behaviourNewDevice, behaviourRequestRate, behaviourUnusualHour } from './behaviour-factor.js';
import type { RiskCriterion } from './criterion.js';
import { deviceNotCompliant } from './device-not-compliant.js';
import { deviceNotOwnedBySubject } from './device-not-owned-by-subject.js';
import { devicePostureStale } from './device-posture-stale.js';
import { deviceQuarantined } from './device-quarantined.js';
import { deviceRevoked } from './device-revoked.js';
import { deviceUnknown } from './device-unknown.js';
import { deviceUnmanaged } from './device-unmanaged.js';
import { ipThreatListed } from './ip-threat-listed.js';
import { subjectDisabled } from './subject-disabled.js';
import { subjectRiskReported } from './subject-risk-reported.js';
import { subjectUnknown } from './subject-unknown.js';

const settings = DEFAULT_ENGINE_SETTINGS;
const { authn: _omit, ...anonymous } = request();

interface Case {
  readonly criterion: RiskCriterion;
  /** A request + signals where it applies, and the explanation it gives. */
  readonly applies: [AccessRequest, SignalSnapshot, string][];
  /** Cases where it must not apply (beyond the healthy baseline, always checked). */
  readonly passes: [AccessRequest, SignalSnapshot][];
}

const CASES: Record<string, Case> = {
  'subject-unknown': { criterion: subjectUnknown, applies: [[request({ subject: { type: 'User', id: 'eve' } }), snapshot(), 'subject User::"eve" is not in the identity store']], passes: [] },
  'subject-disabled': {
    criterion: subjectDisabled,
    applies: [
      [request({ subject: { type: 'User', id: 'mallory' } }), snapshot(), 'the account is disabled'],
      [request({ subject: { type: 'User', id: 'alice', properties: { active: false } } }), snapshot(), 'the account is disabled'],
    ],
    passes: [[request({ subject: { type: 'User', id: 'bob' } }), snapshot()]],
  },
  'device-unknown': {
    criterion: deviceUnknown,
    applies: [
      [request({ deviceId: 'pc-9' }), snapshot({ device: undefined }), 'device pc-9 is not in the device inventory'],
      [(({ deviceId: _d, ...rest }) => rest)(request()), snapshot({ device: undefined }), 'no verified device identity was presented'],
    ],
    passes: [],
  },
  'device-not-owned-by-subject': {
    criterion: deviceNotOwnedBySubject,
    applies: [[request(), snapshot({ device: managedDevice({ owner: { type: 'User', id: 'bob' } }) }), 'device laptop-7 is assigned to another user']],
    passes: [[request(), snapshot({ device: (({ owner: _o, ...rest }) => rest)(managedDevice()) })]],
  },
  'device-unmanaged': { criterion: deviceUnmanaged, applies: [[request(), snapshot({ device: managedDevice({ managed: false }) }), 'device laptop-7 is not managed by the organisation']], passes: [[request(), snapshot({ device: undefined })]] },
  'device-not-compliant': {
    criterion: deviceNotCompliant,
    applies: [[request(), snapshot({ device: managedDevice({ posture: { facts: {}, compliant: false, observedAt: minutesAgo(1), source: 'edr' } }) }), 'device laptop-7 is reported not compliant by edr']],
    passes: [[request(), snapshot({ device: managedDevice({ posture: { facts: {}, observedAt: minutesAgo(1), source: 'edr' } }) })]],
  },
  'device-posture-stale': {
    criterion: devicePostureStale,
    applies: [
      [request(), snapshot({ device: managedDevice({ posture: { facts: {}, compliant: true, observedAt: minutesAgo(190), source: 'mdm' } }) }), 'posture observed 3h 10m ago; limit 1h'],
      [request(), snapshot({ device: (({ posture: _p, ...rest }) => rest)(managedDevice()) }), 'no posture reported for device laptop-7'],
    ],
    passes: [[request(), snapshot({ device: undefined })]],
  },
  'device-quarantined': { criterion: deviceQuarantined, applies: [[request(), snapshot({ device: managedDevice({ status: 'quarantined' }) }), 'device laptop-7 is quarantined']], passes: [] },
  'device-revoked': { criterion: deviceRevoked, applies: [[request(), snapshot({ device: managedDevice({ status: 'revoked' }) }), 'device laptop-7 has been revoked']], passes: [] },
  'authn-missing': { criterion: authnMissing, applies: [[anonymous, snapshot(), 'the request is not authenticated'], [request({ authn: { methods: [], phishingResistant: false } }), snapshot(), 'the request is not authenticated']], passes: [] },
  'authn-single-factor': { criterion: authnSingleFactor, applies: [[request({ authn: PASSWORD_ONLY }), snapshot(), 'authenticated with a single factor (pwd)']], passes: [[request({ authn: PASSWORD_AND_OTP }), snapshot()], [anonymous, snapshot()]] },
  'authn-not-phishing-resistant': { criterion: authnNotPhishingResistant, applies: [[request({ authn: PASSWORD_AND_OTP }), snapshot(), 'the authentication method is not phishing-resistant']], passes: [[anonymous, snapshot()]] },
  'authn-stale': {
    criterion: authnStale,
    applies: [
      [request({ authn: { ...PASSWORD_AND_OTP, authenticatedAt: minutesAgo(13 * 60) } }), snapshot(), 'authenticated 13h ago; limit 12h'],
      [request({ authn: { methods: ['pwd', 'otp'], phishingResistant: false } }), snapshot(), 'the time of authentication is unknown'],
    ],
    passes: [[anonymous, snapshot()]],
  },
  'ip-threat-listed': {
    criterion: ipThreatListed,
    applies: [
      [request({ environment: { ip: '203.0.113.5' } }), snapshot({ threats: [BOTNET, { ...BOTNET, category: 'tor-exit' }, BOTNET] }), '203.0.113.5 is on a threat list (botnet, tor-exit)'],
      // A listed host names the host, not the (unlisted) client address.
      [request({ environment: { ip: '198.51.100.7', domain: 'login.evil.example' } }), snapshot({ threats: [{ ...BOTNET, indicator: '*.evil.example', category: 'phishing' }] }), 'the host login.evil.example is on a threat list (phishing)'],
    ],
    passes: [],
  },
  'subject-risk-reported': {
    criterion: subjectRiskReported,
    applies: [
      [request(), snapshot({ subjectRisk: [{ factor: 'subject-risk-reported', level: 'high', source: 'ssf:idp', reason: 'leaked credentials' }, { factor: 'subject-risk-reported', level: 'medium', source: 'ssf:edr', reason: 'odd login' }] }), 'ssf:idp reports high risk: leaked credentials'],
    ],
    passes: [[request(), snapshot({ subjectRisk: [{ factor: 'subject-risk-reported', level: 'low', source: 'ssf:idp', reason: 'cleared' }] })]],
  },
  ...behaviourCases(),
};

function behaviourCases(): Record<string, Case> {
  const criteria = { 'behaviour-new-device': behaviourNewDevice, 'behaviour-impossible-travel': behaviourImpossibleTravel, 'behaviour-unusual-hour': behaviourUnusualHour, 'behaviour-denial-burst': behaviourDenialBurst, 'behaviour-request-rate': behaviourRequestRate } as const;
  return Object.fromEntries(
    Object.entries(criteria).map(([name, criterion]) => [
      name,
      {
        criterion,
        applies: [[request(), snapshot({ subjectRisk: [{ factor: name as RiskFactorName, source: 'behaviour', reason: `evidence for ${name}` }] }), `evidence for ${name}`]],
        // Another factor's signal does not raise this one.
        passes: [[request(), snapshot({ subjectRisk: [{ factor: name === 'behaviour-new-device' ? 'behaviour-unusual-hour' : 'behaviour-new-device', source: 'behaviour', reason: 'other' }] })]],
      } satisfies Case,
    ]),
  );
}

describe('subject-risk-reported scaling', () => {
  const reported = (level: 'low' | 'medium' | 'high') => snapshot({ subjectRisk: [{ factor: 'subject-risk-reported', level, source: 'ssf:idp', reason: '' }] });
  it('weighs high fully, medium half, and does not list low', () => {
    expect(subjectRiskReported(request(), reported('high'), settings)).toEqual({ name: 'subject-risk-reported', weight: 60, explanation: 'ssf:idp reports high risk' });
    expect(subjectRiskReported(request(), reported('medium'), settings)).toEqual({ name: 'subject-risk-reported', weight: 30, explanation: 'ssf:idp reports medium risk' });
    expect(subjectRiskReported(request(), reported('low'), settings)).toBeUndefined();
    const weights = { ...settings.riskWeights, 'subject-risk-reported': 45 };
    expect(subjectRiskReported(request(), reported('medium'), { ...settings, riskWeights: weights })?.weight).toBe(23);
  });
});

describe('risk factors', () => {
  it('has one criterion per factor name, each tested here', () => {
    expect(RISK_CRITERIA).toHaveLength(Object.keys(CASES).length);
    expect(Object.keys(settings.riskWeights).sort()).toEqual(Object.keys(CASES).sort());
  });

  describe.each(Object.entries(CASES))('%s', (name, { criterion, applies, passes }) => {
    it('does not apply to a healthy request', () => {
      expect(criterion(request(), snapshot(), settings)).toBeUndefined();
    });
    it.each(applies.map(([req, sig, explanation]) => [explanation, req, sig] as const))('applies: %s', (explanation, req, sig) => {
      expect(criterion(req, sig, settings)).toEqual<RiskFactor>({ name: name as RiskFactor['name'], weight: settings.riskWeights[name as RiskFactorName], explanation });
    });
    if (passes.length > 0) {
      it('passes where it should', () => {
        for (const [req, sig] of passes) expect(criterion(req, sig, settings)).toBeUndefined();
      });
    }
  });
});

describe('assessRisk', () => {
  it('sums the weights, caps at 100 and maps the level', () => {
    const bad = assessRisk(request({ authn: PASSWORD_ONLY }), snapshot({ device: managedDevice({ status: 'revoked' }) }), settings);
    expect(bad.factors.map((f) => f.name)).toEqual(['device-revoked', 'authn-single-factor', 'authn-not-phishing-resistant']);
    expect(bad).toMatchObject({ score: 100, level: 'critical' });
    expect(riskLevel(0, settings)).toBe('low');
    expect(riskLevel(25, settings)).toBe('medium');
    expect(riskLevel(50, settings)).toBe('high');
  });

  it('adds the threshold only for resources with a sensitivity', () => {
    expect(assessRisk(request(), snapshot(), settings).threshold).toBeUndefined();
    expect(assessRisk(request(), snapshot(), { ...settings, sensitivityOf: () => 'medium' }).threshold).toEqual({ sensitivity: 'medium', maxScore: 60 });
  });
});

describe('formatDuration', () => {
  it.each([[0, '0s'], [45, '45s'], [303, '5m 3s'], [3600, '1h'], [11_400, '3h 10m'], [187_200, '2d 4h']])('%i s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
