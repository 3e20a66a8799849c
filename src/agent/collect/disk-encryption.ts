// Whether the filesystem mounted at `/` sits on dm-crypt (LUKS or plain): the root entry of
// /proc/self/mountinfo names a block device (MAJ:MIN); /sys/dev/block/MAJ:MIN/dm/uuid of a
// dm-crypt mapping starts with `CRYPT-` (the prefix cryptsetup gives it). Other device-mapper
// targets (LVM, multipath) and md RAID are stacks: their `slaves/` are followed down, and the root
// counts as encrypted only when every path down meets a dm-crypt layer.
// `null` when it cannot be told (an overlay root in a container, tmpfs, ZFS, a device without sysfs).
// Self-encrypting drives (Opal) and fscrypt directory encryption are not detected: they read as false.
import { listDirectory, readText, type CollectContext, type Observed } from './collect-context.js';

/** Root filesystems that are not on a block device of this machine (containers, live systems, network). */
const NO_BLOCK_DEVICE = new Set(['overlay', 'aufs', 'tmpfs', 'ramfs', 'rootfs', 'squashfs', 'nfs', 'nfs4', 'cifs', 'smb3', '9p', 'virtiofs']);
const MAX_STACK_DEPTH = 16;

export interface MountEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
}

export async function collectDiskEncryption(context: CollectContext): Promise<Observed<boolean | null>> {
  const mountinfo = await readText(context, '/proc/self/mountinfo');
  if (mountinfo === undefined) return { value: null, detail: '/proc/self/mountinfo is not readable' };
  const root = parseMountinfo(mountinfo).filter((entry) => entry.mountPoint === '/').at(-1);
  if (root === undefined) return { value: null, detail: 'no filesystem is mounted at / in /proc/self/mountinfo' };
  if (NO_BLOCK_DEVICE.has(root.fsType) || root.fsType.startsWith('fuse')) {
    return { value: null, detail: `the root filesystem is ${root.fsType} (${root.source}), not on a local block device (a container?): encryption of the host disk cannot be seen from here` };
  }
  if (root.fsType === 'zfs') return { value: null, detail: 'the root filesystem is ZFS; ZFS native encryption is not checked' };
  const device = root.device.startsWith('0:') ? await deviceOfSource(context, root.source) : root.device;
  if (device === undefined) return { value: null, detail: `the root filesystem (${root.fsType} on ${root.source}) has no block device number that sysfs resolves` };
  return encryptedStack(context, device, 0);
}

/** Fields per proc(5): id parent MAJ:MIN root mount-point options [optional…] - fstype source super-options. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const device = fields[2];
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator < 0 || device === undefined || mountPoint === undefined || fsType === undefined || source === undefined) continue;
    entries.push({ device, mountPoint: unescapeOctal(mountPoint), fsType, source: unescapeOctal(source) });
  }
  return entries;
}

/** mountinfo writes space, tab, newline and backslash as `\ooo`. */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * btrfs (and other filesystems spanning devices) report an anonymous device number (major 0);
 * the mount source (`/dev/mapper/NAME`, `/dev/nvme0n1p2`) names the device instead.
 */
async function deviceOfSource(context: CollectContext, source: string): Promise<string | undefined> {
  if (!source.startsWith('/dev/')) return undefined;
  const name = source.slice(source.lastIndexOf('/') + 1);
  if (source.startsWith('/dev/mapper/')) {
    for (const block of (await listDirectory(context, '/sys/block')) ?? []) {
      if (!block.startsWith('dm-')) continue;
      if ((await readText(context, `/sys/block/${block}/dm/name`))?.trim() === name) return (await readText(context, `/sys/block/${block}/dev`))?.trim();
    }
    return undefined;
  }
  return (await readText(context, `/sys/class/block/${name}/dev`))?.trim();
}

async function encryptedStack(context: CollectContext, device: string, depth: number): Promise<Observed<boolean | null>> {
  if (depth > MAX_STACK_DEPTH || !/^\d+:\d+$/.test(device)) return { value: null, detail: `block device stack too deep or malformed at ${device}` };
  const directory = `/sys/dev/block/${device}`;
  const name = await deviceName(context, directory, device);
  if ((await readText(context, `${directory}/dev`)) === undefined && (await listDirectory(context, directory)) === undefined) {
    return { value: null, detail: `no sysfs entry for block device ${device}` };
  }
  const uuid = (await readText(context, `${directory}/dm/uuid`))?.trim();
  if (uuid?.startsWith('CRYPT-') === true) return { value: true, detail: `the root filesystem is on dm-crypt device ${name} (${uuid.split('-')[1] ?? 'CRYPT'})` };
  const slaves = (await listDirectory(context, `${directory}/slaves`)) ?? [];
  if (slaves.length === 0) return { value: false, detail: `the root filesystem is on ${name}, which is not dm-crypt and has nothing beneath it` };
  let unknown: Observed<boolean | null> | undefined;
  const encrypted: string[] = [];
  for (const slave of slaves) {
    const slaveDevice = (await readText(context, `${directory}/slaves/${slave}/dev`))?.trim();
    if (slaveDevice === undefined) {
      unknown ??= { value: null, detail: `cannot read the device number of ${slave} beneath ${name}` };
      continue;
    }
    const below = await encryptedStack(context, slaveDevice, depth + 1);
    if (below.value === false) return { value: false, detail: `${name} (${uuid?.split('-')[0] ?? 'block device'}) sits on ${slave}: ${below.detail ?? 'not encrypted'}` };
    if (below.value === null) unknown ??= below;
    else encrypted.push(below.detail ?? slave);
  }
  return unknown ?? { value: true, detail: `${name} sits on encrypted devices: ${encrypted.join('; ')}` };
}

async function deviceName(context: CollectContext, directory: string, device: string): Promise<string> {
  const dmName = (await readText(context, `${directory}/dm/name`))?.trim();
  if (dmName !== undefined && dmName !== '') return dmName;
  const devName = /^DEVNAME=(.+)$/m.exec((await readText(context, `${directory}/uevent`)) ?? '')?.[1];
  return devName ?? device;
}
