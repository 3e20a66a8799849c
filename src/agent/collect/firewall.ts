// Whether a host firewall filters incoming traffic. The kernel ruleset is the authority when it can
// be read (`nft list ruleset`, or `iptables -S INPUT` where nft is absent or legacy iptables tables
// are loaded per /proc/net/ip_tables_names): some input hook with a drop policy or a
// drop/reject/jump rule means filtering. Reading it usually needs root; without it the frontends'
// own state is used instead: ufw (/etc/ufw/ufw.conf ENABLED=yes) and firewalld (`firewall-cmd --state`).
// `null` when none of these can tell.
import { listDirectory, readText, type CollectContext, type Observed } from './collect-context.js';
import type { CommandOutcome } from './command-runner.js';

type Ruleset = { readonly readable: true; readonly filtering: boolean; readonly source: string } | { readonly readable: false; readonly why: string };

export async function collectFirewall(context: CollectContext): Promise<Observed<boolean | null>> {
  const ruleset = await readRuleset(context);
  const ufw = await ufwEnabled(context);
  const firewalld = await firewalldRunning(context);
  if (ruleset.readable) {
    if (ruleset.filtering) return { value: true, detail: `${ruleset.source} filters input` };
    const frontend = ufw === true ? ' (ufw.conf says ENABLED=yes, but its rules are not loaded)' : firewalld === true ? ' (firewalld says running)' : '';
    return { value: false, detail: `${ruleset.source}: no input filtering${frontend}` };
  }
  if (ufw === true) return { value: true, detail: `ufw is enabled (/etc/ufw/ufw.conf); ${ruleset.why}` };
  if (firewalld === true) return { value: true, detail: `firewalld is running; ${ruleset.why}` };
  const disabledFrontends = [...(ufw === false ? ['ufw is disabled'] : []), ...(firewalld === false ? ['firewalld is not running'] : [])];
  if (disabledFrontends.length > 0 && !(await nftablesServiceEnabled(context))) {
    return { value: false, detail: `${disabledFrontends.join(', ')}; ${ruleset.why}` };
  }
  return { value: null, detail: `no firewall frontend answered and ${ruleset.why}` };
}

async function readRuleset(context: CollectContext): Promise<Ruleset> {
  const nft = await context.run('nft', ['list', 'ruleset']);
  if (nft.kind === 'exited' && nft.code === 0) {
    if (nftFilters(nft.stdout)) return { readable: true, filtering: true, source: 'nftables' };
    // iptables-nft writes into the same ruleset nft shows; legacy iptables keeps its own tables.
    if (!(await legacyIptablesLoaded(context))) return { readable: true, filtering: false, source: 'nftables' };
  }
  const iptables = await context.run('iptables', ['-S', 'INPUT']);
  if (iptables.kind === 'exited' && iptables.code === 0) return { readable: true, filtering: iptablesFilters(iptables.stdout), source: 'iptables' };
  if (nft.kind === 'exited' && nft.code === 0) return { readable: true, filtering: false, source: 'nftables' };
  return { readable: false, why: `the kernel ruleset is not readable (nft: ${why(nft)}; iptables: ${why(iptables)})` };
}

function why(outcome: CommandOutcome): string {
  if (outcome.kind === 'missing') return 'not installed';
  if (outcome.kind === 'failed') return outcome.reason;
  const message = outcome.stderr.trim().split('\n')[0] ?? '';
  return /permission|not permitted|must be root/i.test(message) ? 'needs root' : `exit ${outcome.code}${message === '' ? '' : ` (${message.slice(0, 120)})`}`;
}

/** A chain hooked on input (inet/ip/ip6 filter) with a drop policy, or a rule that drops, rejects or jumps. */
export function nftFilters(ruleset: string): boolean {
  for (const chain of ruleset.matchAll(/chain\s+\S+\s*\{([\s\S]*?)\n\s*\}/g)) {
    const body = chain[1] ?? '';
    if (!/\btype\s+filter\s+hook\s+input\b/.test(body)) continue;
    if (/\bpolicy\s+drop\b/.test(body)) return true;
    const rules = body.split('\n').filter((line) => !/^\s*type\s/.test(line));
    if (rules.some((line) => /\b(drop|reject|jump|goto)\b/.test(line))) return true;
  }
  return false;
}

/** `-P INPUT DROP`, or an INPUT rule whose target drops, rejects or is another chain (ufw, firewalld). */
export function iptablesFilters(rules: string): boolean {
  return rules.split('\n').some((line) => /^-P INPUT (DROP|REJECT)\b/.test(line) || (/^-A INPUT\b/.test(line) && / -j (?!ACCEPT\b|RETURN\b|LOG\b)\S+/.test(line)));
}

async function legacyIptablesLoaded(context: CollectContext): Promise<boolean> {
  return ((await readText(context, '/proc/net/ip_tables_names')) ?? '').split('\n').some((name) => name.trim() === 'filter');
}

/** true / false from /etc/ufw/ufw.conf, undefined when ufw is not installed. */
async function ufwEnabled(context: CollectContext): Promise<boolean | undefined> {
  const conf = await readText(context, '/etc/ufw/ufw.conf');
  if (conf === undefined) return undefined;
  const value = /^\s*ENABLED\s*=\s*"?(\w+)"?\s*$/m.exec(conf)?.[1]?.toLowerCase();
  return value === 'yes';
}

/** `firewall-cmd --state` prints `running` (exit 0) or `not running` (exit 252); undefined when absent. */
async function firewalldRunning(context: CollectContext): Promise<boolean | undefined> {
  const state = await context.run('firewall-cmd', ['--state']);
  if (state.kind !== 'exited') return undefined;
  if (state.code === 0 && state.stdout.trim() === 'running') return true;
  return /not running/.test(`${state.stdout}${state.stderr}`) ? false : undefined;
}

/** An nftables.service enabled at boot loads /etc/nftables.conf: a disabled frontend then proves nothing. */
async function nftablesServiceEnabled(context: CollectContext): Promise<boolean> {
  for (const directory of ['/etc/systemd/system/multi-user.target.wants', '/etc/systemd/system/sysinit.target.wants']) {
    if (((await listDirectory(context, directory)) ?? []).includes('nftables.service')) return true;
  }
  return false;
}
