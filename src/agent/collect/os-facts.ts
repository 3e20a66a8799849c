// Which system this is: the kernel release (/proc/sys/kernel/osrelease), the distribution
// (os-release(5): /etc/os-release, falling back to /usr/lib/os-release) and the hostname.
// `osVersion` is the numeric head of the kernel release (`6.1.0` of `6.1.0-18-amd64`), the part a
// posture rule's minimum version compares.
import { readText, type CollectContext } from './collect-context.js';

export interface OsFacts {
  readonly os: 'linux';
  readonly osVersion: string;
  readonly kernelVersion?: string;
  readonly distribution?: string;
  readonly distributionVersion?: string;
  readonly hostname?: string;
}

export async function collectOsFacts(context: CollectContext): Promise<{ facts: OsFacts; details: string[] }> {
  const details: string[] = [];
  const release = (await readText(context, '/proc/sys/kernel/osrelease'))?.trim();
  const numeric = release === undefined ? undefined : /^\d+(\.\d+)*/.exec(release)?.[0];
  if (release === undefined) details.push('osVersion: /proc/sys/kernel/osrelease is not readable');
  else if (numeric === undefined) details.push(`osVersion: kernel release ${JSON.stringify(release)} has no numeric version`);
  const osRelease = parseOsRelease((await readText(context, '/etc/os-release')) ?? (await readText(context, '/usr/lib/os-release')) ?? '');
  if (osRelease.ID === undefined) details.push('distribution: no ID in /etc/os-release or /usr/lib/os-release');
  const hostname = (await readText(context, '/proc/sys/kernel/hostname'))?.trim();
  const facts: OsFacts = {
    os: 'linux',
    osVersion: numeric ?? 'unknown',
    ...(release === undefined ? {} : { kernelVersion: release.slice(0, 128) }),
    ...(osRelease.ID === undefined ? {} : { distribution: osRelease.ID.slice(0, 64) }),
    ...(osRelease.VERSION_ID === undefined ? {} : { distributionVersion: osRelease.VERSION_ID.slice(0, 64) }),
    ...(hostname === undefined || hostname === '' ? {} : { hostname: hostname.slice(0, 255) }),
  };
  return { facts, details };
}

/**
 * os-release(5) is a list of shell-compatible `KEY=value` assignments; values may be quoted with
 * `"` or `'`, and inside double quotes `\` escapes `$ " \` and the backtick. Nothing is expanded.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z][A-Z0-9_]*)=(.*?)\s*$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    values[match[1]] = unquote(match[2]);
  }
  return values;
}

function unquote(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1).replace(/\\([$"\\`])/g, '$1');
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  return raw;
}
