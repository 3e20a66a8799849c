import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_SETTINGS } from '../engine/settings.js';
import { isTenetError } from '../errors.js';
import { engineSettingsFrom } from './engine-settings.js';
import { parseConfig } from './load.js';

function configWith(...lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-engine-settings-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'users.json'), '[]');
  return parseConfig(['policies: ./policies', 'entities: [users.json]', ...lines].join('\n'), join(dir, 'tenet.yaml')).config;
}

describe('engineSettingsFrom: devices.posture', () => {
  it('maps the defaults: the agent reports facts, other sources are believed, no rules', () => {
    const settings = engineSettingsFrom(configWith());
    expect(settings.posture).toEqual({ sources: { agent: 'facts' }, defaultSourceTrust: 'verdict', rules: { custom: [] } });
    expect(settings.postureMaxAgeSeconds).toBe(DEFAULT_ENGINE_SETTINGS.postureMaxAgeSeconds);
  });

  it('maps sources, durations in seconds and every rule', () => {
    const settings = engineSettingsFrom(configWith(
      'devices:',
      '  posture:',
      '    sources: { agent: { trust: facts }, jamf: { trust: verdict }, legacy-csv: { trust: ignore } }',
      '    defaultSourceTrust: ignore',
      '    rules:',
      '      maxReportAge: 15m',
      '      minOsVersion: { linux: "6.1", macos: "14.4.1" }',
      '      firewallEnabled: true',
      '      diskEncrypted: true',
      '      screenLockEnabled: false',
      '      maxPackageUpdateAge: 30d',
      '      minAgentVersion: "1.2"',
      '      custom:',
      '        - { name: edr-running, fact: edrRunning, equals: true }',
      '        - { name: channel, fact: channel, oneOf: [stable, lts], atLeast: "2" }',
    ));
    expect(settings.posture).toEqual({
      sources: { agent: 'facts', jamf: 'verdict', 'legacy-csv': 'ignore' },
      defaultSourceTrust: 'ignore',
      rules: {
        maxReportAgeSeconds: 900,
        minOsVersion: { linux: '6.1', macos: '14.4.1' },
        firewallEnabled: true,
        diskEncrypted: true,
        screenLockEnabled: false,
        maxPackageUpdateAgeSeconds: 30 * 86_400,
        minAgentVersion: '1.2',
        custom: [
          { name: 'edr-running', fact: 'edrRunning', equals: true },
          { name: 'channel', fact: 'channel', oneOf: ['stable', 'lts'], atLeast: '2' },
        ],
      },
    });
  });

  it('refuses a bad duration at load, naming the path', () => {
    try {
      configWith('devices:', '  posture:', '    rules: { maxReportAge: soon }');
      expect.unreachable();
    } catch (error) {
      expect(isTenetError(error) && JSON.stringify(error.issues)).toContain('devices.posture.rules.maxReportAge');
    }
  });

  it('refuses a custom check that reuses a built-in or another check\'s name', () => {
    for (const custom of ['[{ name: firewall, fact: fw, equals: true }]', '[{ name: edr, fact: a, equals: 1 }, { name: edr, fact: b, equals: 2 }]']) {
      const config = configWith('devices:', '  posture:', `    rules: { custom: ${custom} }`);
      expect(() => engineSettingsFrom(config)).toThrow(expect.objectContaining({ code: 'TENET_ERR_CONFIG_INVALID' }));
    }
  });
});
