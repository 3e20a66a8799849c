import { describe, expect, it } from 'vitest';
import type { PostureRules, PostureSettings } from '../settings.js';
import type { DevicePosture, DeviceRecord } from '../signals.js';
import { evaluatePosture } from './evaluate-posture.js';

const NOW = new Date('2025-06-02T10:00:00Z');
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const HEALTHY = { os: 'linux', osVersion: '6.1.0-18-amd64', diskEncrypted: true, firewallEnabled: true, screenLockEnabled: true, lastPackageUpdateAt: ago(60 * 24), agentVersion: '1.4.0' };

function report(source: string, minutes: number, facts: Record<string, unknown> = HEALTHY, compliant?: boolean): DevicePosture {
  return compliant === undefined ? { source, observedAt: ago(minutes), facts } : { source, observedAt: ago(minutes), facts, compliant };
}

function device(...postures: DevicePosture[]): DeviceRecord {
  return { id: 'laptop-7', managed: true, status: 'active', ...(postures[0] === undefined ? {} : { posture: postures[0] }), postures };
}

const ALL_RULES: PostureRules = {
  maxReportAgeSeconds: 3600,
  minOsVersion: { linux: '6.1', macos: '14.4' },
  firewallEnabled: true,
  diskEncrypted: true,
  screenLockEnabled: true,
  maxPackageUpdateAgeSeconds: 30 * 86_400,
  minAgentVersion: '1.2',
  custom: [],
};

function settings(rules: Partial<PostureRules> = ALL_RULES, sources: PostureSettings['sources'] = { agent: 'facts' }, defaultSourceTrust: PostureSettings['defaultSourceTrust'] = 'verdict'): PostureSettings {
  return { sources, defaultSourceTrust, rules: { custom: [], ...rules } };
}

const failed = (d: DeviceRecord, s: PostureSettings) => evaluatePosture(d, NOW, s).failedChecks;
const reasonOf = (d: DeviceRecord, s: PostureSettings, name: string) => evaluatePosture(d, NOW, s).checks.find((check) => check.name === name)?.reason;

describe('posture evaluation: rules', () => {
  it('passes a healthy agent report on every rule, and says why', () => {
    const result = evaluatePosture(device(report('agent', 5)), NOW, settings());
    expect(result.compliant).toBe(true);
    expect(result.failedChecks).toEqual([]);
    expect(result.checks.map((check) => check.name)).toEqual(['report-age', 'os-version', 'firewall', 'disk-encryption', 'screen-lock', 'package-updates', 'agent-version']);
    expect(result.checks.every((check) => check.passed)).toBe(true);
    expect(reasonOf(device(report('agent', 5)), settings(), 'os-version')).toBe('osVersion 6.1.0-18-amd64 is at least 6.1 for linux');
  });

  it.each([
    ['firewall', { firewallEnabled: false }, 'firewall is off'],
    ['disk-encryption', { diskEncrypted: false }, 'the disk is not encrypted'],
    ['screen-lock', { screenLockEnabled: false }, 'screen lock is off'],
    ['os-version', { osVersion: '5.10.0' }, 'osVersion 5.10.0 is below 6.1 for linux'],
    ['os-version', { os: 'freebsd' }, 'os freebsd is not allowed (allowed: linux, macos)'],
    ['os-version', { osVersion: 'rolling' }, 'osVersion "rolling" is not a version'],
    ['package-updates', { lastPackageUpdateAt: ago(40 * 24 * 60) }, 'packages last updated 40d ago; limit 30d'],
    ['package-updates', { lastPackageUpdateAt: 'last tuesday' }, 'lastPackageUpdateAt "last tuesday" is not a time'],
    ['agent-version', { agentVersion: '1.1.9' }, 'agentVersion 1.1.9 is below 1.2'],
  ])('fails %s on %o', (check, change, reason) => {
    const d = device(report('agent', 5, { ...HEALTHY, ...change }));
    expect(failed(d, settings())).toEqual([check]);
    expect(reasonOf(d, settings(), check)).toBe(reason);
    expect(evaluatePosture(d, NOW, settings()).compliant).toBe(false);
  });

  it('fails a required check on a null fact, naming the source that could not tell', () => {
    const d = device(report('agent', 5, { ...HEALTHY, screenLockEnabled: null, lastPackageUpdateAt: null }));
    expect(failed(d, settings())).toEqual(['package-updates', 'screen-lock']);
    expect(reasonOf(d, settings(), 'screen-lock')).toBe('the agent could not determine screenLockEnabled');
    expect(reasonOf(d, settings(), 'package-updates')).toBe('the agent could not determine lastPackageUpdateAt');
  });

  it('fails a missing fact, and runs no check that is not configured', () => {
    const { firewallEnabled: _f, ...noFirewall } = HEALTHY;
    const d = device(report('agent', 5, noFirewall));
    expect(failed(d, settings())).toEqual(['firewall']);
    expect(reasonOf(d, settings(), 'firewall')).toBe('firewallEnabled is not reported by a trusted source');
    expect(failed(d, settings({ diskEncrypted: true, firewallEnabled: false }))).toEqual([]);
  });

  it('normalises OS names the way agents and inventories spell them', () => {
    expect(failed(device(report('agent', 5, { ...HEALTHY, os: 'darwin', osVersion: '14.4.1' })), settings())).toEqual([]);
    expect(failed(device(report('agent', 5, { ...HEALTHY, os: 'macOS', osVersion: '14' })), settings())).toEqual(['os-version']);
  });

  it('fails report-age when the newest trusted report is too old, and tells how long a pass lasts', () => {
    const stale = device(report('agent', 90));
    expect(failed(stale, settings())).toEqual(['report-age']);
    expect(reasonOf(stale, settings(), 'report-age')).toBe('the newest report (agent) was observed 1h 30m ago; limit 1h');
    // Fresh: report-age holds 55 more minutes, package-updates 29 more days; the sooner wins.
    expect(evaluatePosture(device(report('agent', 5)), NOW, settings()).passesForSeconds).toBe(55 * 60);
    expect(evaluatePosture(device(report('agent', 5)), NOW, settings({ firewallEnabled: true })).passesForSeconds).toBeUndefined();
    const unreadable = device({ source: 'agent', observedAt: 'yesterday', facts: HEALTHY });
    expect(reasonOf(unreadable, settings(), 'report-age')).toBe('the newest agent report has no readable observation time');
  });

  it('checks the agent version only when the newest trusted report is the agent\'s', () => {
    const mdmNewer = device(report('mdm', 1, { ...HEALTHY, agentVersion: '0.1' }, true), report('agent', 5, { ...HEALTHY, agentVersion: '0.1' }));
    expect(evaluatePosture(mdmNewer, NOW, settings()).checks.map((check) => check.name)).not.toContain('agent-version');
    expect(failed(device(report('agent', 1, { ...HEALTHY, agentVersion: '0.1' })), settings())).toEqual(['agent-version']);
  });
});

describe('posture evaluation: custom checks', () => {
  const custom = (check: PostureRules['custom'][number]) => settings({ custom: [check] });

  it.each([
    [{ name: 'edr', fact: 'edrRunning', equals: true }, { edrRunning: true }, true, 'edrRunning is true'],
    [{ name: 'edr', fact: 'edrRunning', equals: true }, { edrRunning: false }, false, 'edrRunning is false; required true'],
    [{ name: 'edr', fact: 'edrRunning', equals: true }, {}, false, 'edrRunning is not reported by a trusted source'],
    [{ name: 'edr', fact: 'edrRunning', equals: true }, { edrRunning: null }, false, 'the agent could not determine edrRunning'],
    [{ name: 'channel', fact: 'channel', oneOf: ['stable', 'lts'] }, { channel: 'lts' }, true, 'channel is "lts"'],
    [{ name: 'channel', fact: 'channel', oneOf: ['stable', 'lts'] }, { channel: 'beta' }, false, 'channel is "beta"; required one of "stable", "lts"'],
    [{ name: 'score', fact: 'score', atLeast: 5 }, { score: 7 }, true, 'score is 7'],
    [{ name: 'score', fact: 'score', atLeast: 5 }, { score: 3 }, false, 'score is 3; required at least 5'],
    [{ name: 'score', fact: 'score', atLeast: 5 }, { score: '7' }, false, 'score is "7"; required at least 5'],
    [{ name: 'browser', fact: 'chromeVersion', atLeast: '120.0.6099' }, { chromeVersion: '120.0.6099.109' }, true, 'chromeVersion is "120.0.6099.109"'],
    [{ name: 'browser', fact: 'chromeVersion', atLeast: '120.0.6099' }, { chromeVersion: '119.9' }, false, 'chromeVersion is "119.9"; required at least "120.0.6099"'],
    [{ name: 'both', fact: 'tier', oneOf: [1, 2], atLeast: 2 }, { tier: 1 }, false, 'tier is 1; required at least 2'],
  ])('%o on %o', (check, facts, passed, reason) => {
    const result = evaluatePosture(device(report('agent', 5, facts)), NOW, custom(check));
    expect(result.checks).toEqual([{ name: check.name, passed, reason }]);
    expect(result.compliant).toBe(passed);
  });
});

describe('posture evaluation: source trust', () => {
  it('is not compliant without any posture (check no-posture)', () => {
    const result = evaluatePosture(device(), NOW, settings());
    expect(result).toMatchObject({ compliant: false, failedChecks: ['no-posture'] });
    expect(result.newestTrusted).toBeUndefined();
  });

  it('never counts an ignored source: not its verdict, not its facts, not its freshness', () => {
    const s = settings(ALL_RULES, { agent: 'facts', shadow: 'ignore' });
    const onlyIgnored = device(report('shadow', 1, HEALTHY, true));
    expect(failed(onlyIgnored, s)).toEqual(['no-posture']);
    // The ignored source's newer, healthy facts do not hide the agent's firewall being off.
    const d = device(report('shadow', 1, HEALTHY, true), report('agent', 5, { ...HEALTHY, firewallEnabled: false }));
    expect(failed(d, s)).toEqual(['firewall']);
    expect(evaluatePosture(d, NOW, s).newestTrusted?.source).toBe('agent');
    // Nor does its false verdict count against the device.
    expect(failed(device(report('shadow', 1, HEALTHY, false), report('agent', 5)), s)).toEqual([]);
  });

  it('makes a verdict source\'s compliant=false a failed check, and reads a facts source\'s verdict never', () => {
    const s = settings({ firewallEnabled: true }, { agent: 'facts', jamf: 'verdict' });
    const d = device(report('jamf', 1, HEALTHY, false), report('agent', 5));
    expect(failed(d, s)).toEqual(['source-verdict:jamf']);
    expect(reasonOf(d, s, 'source-verdict:jamf')).toBe('jamf reports the device not compliant');
    expect(failed(device(report('agent', 5, HEALTHY, false)), s)).toEqual([]);
    // defaultSourceTrust applies to sources not listed.
    expect(failed(device(report('crowdstrike', 5, HEALTHY, false)), s)).toEqual(['source-verdict:crowdstrike']);
    expect(failed(device(report('crowdstrike', 5, HEALTHY, false)), { ...s, defaultSourceTrust: 'facts' })).toEqual([]);
  });

  it('uses the verdict of the newest report of each source only', () => {
    const s = settings({}, {});
    const recovered: DeviceRecord = { id: 'd', managed: true, status: 'active', postures: [report('jamf', 5, {}, true)] };
    expect(evaluatePosture(recovered, NOW, s).compliant).toBe(true);
    // A device record carrying only `posture` (no per-source list) is read as that one report.
    expect(evaluatePosture({ id: 'd', managed: true, status: 'active', posture: report('jamf', 5, {}, false) }, NOW, s).failedChecks).toEqual(['source-verdict:jamf']);
  });

  it('settles two trusted sources that disagree per fact, by the newest observedAt', () => {
    const s = settings({ firewallEnabled: true, diskEncrypted: true }, { agent: 'facts', mdm: 'facts' });
    // The agent (newer) saw the firewall off; the MDM (older) saw it on and alone reports the disk.
    const d = device(report('agent', 2, { firewallEnabled: false }), report('mdm', 30, { firewallEnabled: true, diskEncrypted: true }));
    expect(failed(d, s)).toEqual(['firewall']);
    // Swapped: the MDM's newer "on" wins.
    const swapped = device(report('mdm', 2, { firewallEnabled: true, diskEncrypted: true }), report('agent', 30, { firewallEnabled: false }));
    expect(failed(swapped, s)).toEqual([]);
    // A newer null ("could not determine") is not overruled by an older answer.
    const unsure = device(report('agent', 2, { firewallEnabled: null }), report('mdm', 30, { firewallEnabled: true, diskEncrypted: true }));
    expect(reasonOf(unsure, s, 'firewall')).toBe('the agent could not determine firewallEnabled');
    // Same instant: the source whose name sorts first wins, whatever order the store gave.
    const tie = [report('zeta', 5, { firewallEnabled: false, diskEncrypted: true }), report('alpha', 5, { firewallEnabled: true, diskEncrypted: true })];
    expect(failed(device(...tie), settings({ firewallEnabled: true }, {}, 'facts'))).toEqual([]);
    expect(failed(device(...[...tie].reverse()), settings({ firewallEnabled: true }, {}, 'facts'))).toEqual([]);
  });

  it('keeps the meaning of compliant from before rules existed when no rule is configured', () => {
    const none = settings({}, {}, 'verdict');
    expect(evaluatePosture(device(report('mdm', 5, {}, true)), NOW, none)).toMatchObject({ compliant: true, failedChecks: [] });
    expect(evaluatePosture(device(report('mdm', 5, {}, false)), NOW, none)).toMatchObject({ compliant: false, failedChecks: ['source-verdict:mdm'] });
    // A source that does not say: not compliant, as before, now with a named check.
    expect(evaluatePosture(device(report('mdm', 5, {})), NOW, none)).toMatchObject({ compliant: false, failedChecks: ['no-verdict'] });
    // A facts-only source has no verdict to give.
    expect(evaluatePosture(device(report('agent', 5, HEALTHY, true)), NOW, settings({}, { agent: 'facts' }))).toMatchObject({ compliant: false, failedChecks: ['no-verdict'] });
    // Any verdict saying not compliant wins over another saying compliant.
    expect(failed(device(report('mdm', 5, {}, true), report('edr', 10, {}, false)), none)).toEqual(['source-verdict:edr']);
  });

  it('does not let a source named like an object property borrow a trust setting', () => {
    expect(failed(device(report('constructor', 5, {}, false)), settings({}, {}, 'ignore'))).toEqual(['no-posture']);
  });
});
