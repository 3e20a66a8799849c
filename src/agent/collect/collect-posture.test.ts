import { statSync } from 'node:fs';
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { postureFactsSchema } from '../../devices/protocol.js';
import type { CollectContext } from './collect-context.js';
import { collectPosture, systemContext } from './collect-posture.js';
import type { CommandOutcome } from './command-runner.js';
import { collectDiskEncryption, parseMountinfo } from './disk-encryption.js';
import { collectFirewall, iptablesFilters, nftFilters } from './firewall.js';
import { parseOsRelease } from './os-facts.js';
import { collectLastPackageUpdate } from './package-updates.js';
import { collectScreenLock } from './screen-lock.js';
import { exited, scriptedRunner } from './testing/scripted-runner.js';

const FIXTURES = fileURLToPath(new URL('./testing/fixtures/', import.meta.url));
const PERMISSION_DENIED: Record<string, CommandOutcome> = {
  'nft list ruleset': exited(1, '', 'netlink: Error: cache initialization failed: Operation not permitted\n'),
  'iptables -S INPUT': exited(4, '', 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n'),
};

function fixture(name: string, script: Record<string, CommandOutcome> = PERMISSION_DENIED, env: Record<string, string> = {}): CollectContext & { calls: string[] } {
  const runner = scriptedRunner(script);
  return { root: join(FIXTURES, name), run: runner.run, env, calls: runner.calls };
}

describe('collectPosture on fixture trees', () => {
  it('a LUKS-on-LVM Debian laptop with ufw enabled', async () => {
    const { facts, details } = await collectPosture(fixture('luks-on-lvm'), { platform: 'linux' });
    expect(facts).toMatchObject({
      os: 'linux',
      osVersion: '6.1.0',
      kernelVersion: '6.1.0-18-amd64',
      distribution: 'debian',
      distributionVersion: '12',
      hostname: 'laptop-7',
      diskEncrypted: true,
      firewallEnabled: true,
      screenLockEnabled: null,
      lastPackageUpdateAt: statSync(join(FIXTURES, 'luks-on-lvm/var/lib/dpkg/status')).mtime.toISOString(),
    });
    expect(facts.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(postureFactsSchema.safeParse(facts).success).toBe(true);
    expect(details.join('\n')).toMatch(/diskEncrypted: vg0-root sits on encrypted devices: .*nvme0n1p3_crypt \(LUKS2\)/);
    expect(details.join('\n')).toMatch(/firewallEnabled: ufw is enabled .*needs root/);
  });

  it('a plain disk with ufw disabled', async () => {
    const { facts, details } = await collectPosture(fixture('plain-disk'), { platform: 'linux' });
    expect(facts).toMatchObject({ osVersion: '6.8.0', distribution: 'ubuntu', distributionVersion: '24.04', hostname: 'build-box', diskEncrypted: false, firewallEnabled: false });
    expect(details.join('\n')).toMatch(/diskEncrypted: the root filesystem is on sda2, which is not dm-crypt/);
    expect(details.join('\n')).toMatch(/firewallEnabled: ufw is disabled/);
  });

  it('btrfs on LUKS (anonymous device number resolved through /dev/mapper), firewalld running, rpm in /usr/lib/sysimage', async () => {
    const { facts } = await collectPosture(fixture('btrfs-on-luks', { ...PERMISSION_DENIED, 'firewall-cmd --state': exited(0, 'running\n') }), { platform: 'linux' });
    expect(facts).toMatchObject({ osVersion: '6.10.6', distribution: 'fedora', distributionVersion: '40', diskEncrypted: true, firewallEnabled: true });
    expect(facts.lastPackageUpdateAt).toBe(statSync(join(FIXTURES, 'btrfs-on-luks/usr/lib/sysimage/rpm/rpmdb.sqlite')).mtime.toISOString());
  });

  it('an overlay container: encryption, firewall and package updates cannot be determined, and say why', async () => {
    const { facts, details } = await collectPosture(fixture('overlay-container'), { platform: 'linux' });
    expect(facts).toMatchObject({ osVersion: '5.15.153.1', distribution: 'alpine', distributionVersion: '3.20.3', diskEncrypted: null, firewallEnabled: null, screenLockEnabled: null, lastPackageUpdateAt: null });
    const text = details.join('\n');
    expect(text).toMatch(/diskEncrypted: the root filesystem is overlay/);
    expect(text).toMatch(/firewallEnabled: no firewall frontend answered and the kernel ruleset is not readable \(nft: needs root; iptables: needs root\)/);
    expect(text).toMatch(/screenLockEnabled: no graphical session/);
    expect(text).toMatch(/lastPackageUpdateAt: no package database found/);
  });

  it('refuses other platforms with a clear error', async () => {
    await expect(collectPosture(fixture('plain-disk'), { platform: 'darwin' })).rejects.toThrow(/Linux only \(this is darwin\)/);
  });

  it('runs commands without a shell: program and arguments apart', async () => {
    const context = fixture('plain-disk');
    await collectPosture(context, { platform: 'linux' });
    expect(context.calls).toContain('nft list ruleset');
    expect(context.calls).toContain('firewall-cmd --state');
  });
});

describe('collectPosture on this machine (--dry-run)', () => {
  it.runIf(process.platform === 'linux')('produces facts that pass postureFactsSchema', async () => {
    const { facts } = await collectPosture(systemContext());
    expect(postureFactsSchema.safeParse(facts).success).toBe(true);
    expect(facts.os).toBe('linux');
  });
});

describe('disk encryption', () => {
  it('an LVM volume group spanning an encrypted and a plain physical volume is not encrypted', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tenet-agent-disk-'));
    try {
      const write = async (path: string, text: string) => {
        await mkdir(join(root, path, '..'), { recursive: true });
        await writeFile(join(root, path), text);
      };
      await write('proc/self/mountinfo', '27 1 253:2 / / rw - xfs /dev/mapper/vg-root rw\n');
      await write('sys/dev/block/253:2/dm/uuid', 'LVM-abc\n');
      await write('sys/dev/block/253:2/dm/name', 'vg-root\n');
      await write('sys/dev/block/253:2/slaves/dm-0/dev', '253:0\n');
      await write('sys/dev/block/253:2/slaves/sdb1/dev', '8:17\n');
      await write('sys/dev/block/253:0/dm/uuid', 'CRYPT-LUKS1-00-sda2_crypt\n');
      await write('sys/dev/block/8:17/uevent', 'DEVNAME=sdb1\n');
      const observed = await collectDiskEncryption({ root, run: scriptedRunner().run, env: {} });
      expect(observed.value).toBe(false);
      expect(observed.detail).toMatch(/vg-root \(LVM\) sits on sdb1: the root filesystem is on sdb1, which is not dm-crypt/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a root device without a sysfs entry is unknown', async () => {
    const observed = await collectDiskEncryption({ root: join(FIXTURES, 'plain-disk', 'etc'), run: scriptedRunner().run, env: {} });
    expect(observed).toEqual({ value: null, detail: '/proc/self/mountinfo is not readable' });
  });

  it('parses mountinfo with optional fields and octal escapes', () => {
    expect(parseMountinfo('36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n')).toEqual([
      { device: '98:0', mountPoint: '/mnt two', fsType: 'ext3', source: '/dev/root' },
    ]);
  });
});

describe('firewall', () => {
  const inputDrop = 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state established,related accept\n\t}\n}\n';
  const acceptAll = 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n';

  it('reads the nftables ruleset when it can: a drop policy on input filters, a forward-only drop does not', async () => {
    expect(nftFilters(inputDrop)).toBe(true);
    expect(nftFilters(acceptAll)).toBe(false);
    expect(nftFilters('table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tcounter packets 0 bytes 0 jump ufw-before-input\n\t}\n}\n')).toBe(true);
    const on = await collectFirewall({ root: join(FIXTURES, 'plain-disk'), run: scriptedRunner({ 'nft list ruleset': exited(0, inputDrop) }).run, env: {} });
    expect(on).toEqual({ value: true, detail: 'nftables filters input' });
  });

  it('a readable empty ruleset wins over ufw.conf saying enabled', async () => {
    const observed = await collectFirewall({ root: join(FIXTURES, 'luks-on-lvm'), run: scriptedRunner({ 'nft list ruleset': exited(0, acceptAll) }).run, env: {} });
    expect(observed.value).toBe(false);
    expect(observed.detail).toMatch(/ufw\.conf says ENABLED=yes, but its rules are not loaded/);
  });

  it('reads iptables where nft is absent', async () => {
    expect(iptablesFilters('-P INPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\n')).toBe(false);
    expect(iptablesFilters('-P INPUT DROP\n')).toBe(true);
    expect(iptablesFilters('-P INPUT ACCEPT\n-A INPUT -j ufw-before-input\n')).toBe(true);
    const observed = await collectFirewall({ root: join(FIXTURES, 'overlay-container'), run: scriptedRunner({ 'iptables -S INPUT': exited(0, '-P INPUT ACCEPT\n') }).run, env: {} });
    expect(observed).toEqual({ value: false, detail: 'iptables: no input filtering' });
  });
});

describe('screen lock', () => {
  const gnome = (lock: string, idle: string) => ({
    'gsettings get org.gnome.desktop.screensaver lock-enabled': exited(0, `${lock}\n`),
    'gsettings get org.gnome.desktop.session idle-delay': exited(0, `uint32 ${idle}\n`),
  });
  const context = (script: Record<string, CommandOutcome>, env: Record<string, string>) => ({ root: FIXTURES, run: scriptedRunner(script).run, env });

  it('reads GNOME settings in a graphical session', async () => {
    expect((await collectScreenLock(context(gnome('true', '300'), { WAYLAND_DISPLAY: 'wayland-0' }))).value).toBe(true);
    expect((await collectScreenLock(context(gnome('false', '300'), { DISPLAY: ':0' }))).value).toBe(false);
    expect(await collectScreenLock(context(gnome('true', '0'), { DISPLAY: ':0' }))).toMatchObject({ value: false, detail: expect.stringMatching(/idle delay is 0/) });
  });

  it('is unknown without a graphical session, even where gsettings answers with its default', async () => {
    expect((await collectScreenLock(context(gnome('true', '300'), {}))).value).toBeNull();
    expect(await collectScreenLock(context({}, { DISPLAY: ':0' }))).toMatchObject({ value: null, detail: expect.stringMatching(/gsettings is not installed/) });
  });
});

describe('package updates', () => {
  it('takes the newest package database', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tenet-agent-pkg-'));
    try {
      await mkdir(join(root, 'var/lib/dpkg'), { recursive: true });
      await mkdir(join(root, 'var/lib/pacman/local'), { recursive: true });
      await writeFile(join(root, 'var/lib/dpkg/status'), '');
      await utimes(join(root, 'var/lib/dpkg/status'), new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z'));
      await utimes(join(root, 'var/lib/pacman/local'), new Date('2024-05-06T07:08:09Z'), new Date('2024-05-06T07:08:09Z'));
      expect(await collectLastPackageUpdate({ root, run: scriptedRunner().run, env: {} })).toEqual({ value: '2024-05-06T07:08:09.000Z', detail: 'from /var/lib/pacman/local' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('os-release', () => {
  it('unquotes values as os-release(5) says, expanding nothing', () => {
    expect(parseOsRelease('ID="opensuse-tumbleweed"\nVERSION_ID=\'20240101\'\nNAME="A \\"quoted\\" \\$name"\n# comment\nBAD LINE\n')).toEqual({
      ID: 'opensuse-tumbleweed',
      VERSION_ID: '20240101',
      NAME: 'A "quoted" $name',
    });
  });
});
