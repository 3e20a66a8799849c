// When the package manager last installed or upgraded anything: the newest modification time of
// its database (dpkg, rpm in both its old and /usr/lib/sysimage homes, pacman, apk). Unattended
// upgrades touch the same files, so this measures "time since the last update" whoever ran it.
import { modifiedAt, type CollectContext, type Observed } from './collect-context.js';

const PACKAGE_DATABASES = [
  '/var/lib/dpkg/status',
  '/var/lib/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
  '/var/lib/pacman/local',
  '/lib/apk/db/installed',
];

export async function collectLastPackageUpdate(context: CollectContext): Promise<Observed<string | null>> {
  let newest: { at: Date; path: string } | undefined;
  for (const path of PACKAGE_DATABASES) {
    const at = await modifiedAt(context, path);
    if (at !== undefined && (newest === undefined || at > newest.at)) newest = { at, path };
  }
  if (newest === undefined) return { value: null, detail: 'no package database found (dpkg, rpm, pacman, apk)' };
  return { value: newest.at.toISOString(), detail: `from ${newest.path}` };
}
