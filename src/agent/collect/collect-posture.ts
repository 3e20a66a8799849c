// Collects every posture fact of this machine (Linux only) into the shape the server expects
// (postureFactsSchema, src/devices/protocol.ts), plus one line per fact explaining values that are
// not self-evident (always for `null`: the server treats null as "could not be determined").
import { TenetError } from '../../errors.js';
import { postureFactsSchema, type PostureFacts } from '../../devices/protocol.js';
import { agentVersion } from './agent-version.js';
import type { CollectContext } from './collect-context.js';
import { execFileRunner } from './command-runner.js';
import { collectDiskEncryption } from './disk-encryption.js';
import { collectFirewall } from './firewall.js';
import { collectOsFacts } from './os-facts.js';
import { collectLastPackageUpdate } from './package-updates.js';
import { collectScreenLock } from './screen-lock.js';

export interface CollectedPosture {
  readonly facts: PostureFacts;
  /** `fact: why` lines, for `--dry-run` and debug logs; never sent. */
  readonly details: readonly string[];
}

/** The real machine: `/`, system commands, this process's environment. */
export function systemContext(): CollectContext {
  return { root: '/', run: execFileRunner(), env: process.env };
}

export async function collectPosture(context: CollectContext, options: { readonly platform?: NodeJS.Platform } = {}): Promise<CollectedPosture> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    throw new TenetError('TENET_ERR_DEVICE_AGENT_UNSUPPORTED_PLATFORM', `the posture agent collects facts on Linux only (this is ${platform})`, [
      { path: 'platform', message: 'see docs/devices.md for what other systems lack', hint: 'import posture from your MDM instead' },
    ]);
  }
  const [os, diskEncrypted, firewallEnabled, screenLockEnabled, lastPackageUpdateAt] = await Promise.all([
    collectOsFacts(context),
    collectDiskEncryption(context),
    collectFirewall(context),
    collectScreenLock(context),
    collectLastPackageUpdate(context),
  ]);
  const facts = postureFactsSchema.parse({
    ...os.facts,
    diskEncrypted: diskEncrypted.value,
    firewallEnabled: firewallEnabled.value,
    screenLockEnabled: screenLockEnabled.value,
    lastPackageUpdateAt: lastPackageUpdateAt.value,
    agentVersion: agentVersion(),
  });
  const details = [
    ...os.details,
    ...Object.entries({ diskEncrypted, firewallEnabled, screenLockEnabled, lastPackageUpdateAt }).flatMap(([fact, observed]) => (observed.detail === undefined ? [] : [`${fact}: ${observed.detail}`])),
  ];
  return { facts, details };
}
