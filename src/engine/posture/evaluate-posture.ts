// Whether a device is compliant (NIST SP 800-207 §2.1 tenet 5: the enterprise monitors the
// security posture of its assets), from the newest report of each source, how much each source is
// trusted, and the configured rules. Pure: the clock is the caller's.
//
// Semantics, in order:
// 1. Reports from `ignore` sources never count. No report left → not compliant, check `no-posture`.
// 2. A `verdict` source's newest report saying compliant=false is the failed check
//    `source-verdict:<source>`; saying compliant=true is that check passing; saying nothing runs
//    no check. A `facts` source's own verdict is never read.
// 3. Facts: for each fact, the value comes from the trusted report with the newest observedAt that
//    has that fact (a null value included: a newer "could not determine" is not overruled by an
//    older answer). When two trusted sources observed at the same instant, the source whose name
//    sorts first wins. So two sources that disagree are settled by recency, per fact.
// 4. The rules run against those facts (rule-checks.ts). `report-age` and `agent-version` read the
//    newest trusted report itself; `agent-version` runs only when that report is the agent's.
// 5. With no rule configured, there is nothing to check the facts against, so compliance keeps
//    the meaning it had before rules existed: a trusted verdict must say compliant. When none
//    does (and none says not compliant), check `no-verdict` fails.
// Compliant = at least one trusted report and every check passed.
import { secondsSince } from '../authn-facts.js';
import { formatDuration } from '../explain-duration.js';
import type { PostureRules, PostureSettings } from '../settings.js';
import type { DeviceRecord } from '../signals.js';
import { AGENT_SOURCE, POSTURE_CHECKS, SOURCE_VERDICT_CHECK_PREFIX, type PostureCheck, type PostureEvaluation } from './posture-check.js';
import { agentVersionCheck, customCheck, mustBeOn, osVersionCheck, packageUpdatesCheck, type FactLookup, type ReportedFact, type RuleResult } from './rule-checks.js';
import { trustedReports, type TrustedReport } from './trusted-reports.js';

export function hasRules(rules: PostureRules): boolean {
  return (
    rules.maxReportAgeSeconds !== undefined ||
    rules.minOsVersion !== undefined ||
    rules.firewallEnabled === true ||
    rules.diskEncrypted === true ||
    rules.screenLockEnabled === true ||
    rules.maxPackageUpdateAgeSeconds !== undefined ||
    rules.minAgentVersion !== undefined ||
    rules.custom.length > 0
  );
}

/** Per fact, the newest trusted report that has it (reports are newest first). */
function factLookup(reports: readonly TrustedReport[]): FactLookup {
  const cache = new Map<string, ReportedFact | undefined>();
  return (fact) => {
    if (cache.has(fact)) return cache.get(fact);
    const report = reports.find((candidate) => Object.hasOwn(candidate.posture.facts, fact));
    const found = report === undefined ? undefined : { value: report.posture.facts[fact], source: report.posture.source };
    cache.set(fact, found);
    return found;
  };
}

function verdictChecks(reports: readonly TrustedReport[]): PostureCheck[] {
  const checks: PostureCheck[] = [];
  for (const { posture, trust } of reports) {
    if (trust !== 'verdict' || posture.compliant === undefined) continue;
    const name = `${SOURCE_VERDICT_CHECK_PREFIX}${posture.source}`;
    checks.push(posture.compliant
      ? { name, passed: true, reason: `${posture.source} reports the device compliant` }
      : { name, passed: false, reason: `${posture.source} reports the device not compliant` });
  }
  return checks;
}

function reportAgeCheck(newest: TrustedReport, maxAgeSeconds: number, now: Date): RuleResult {
  const name = POSTURE_CHECKS.reportAge;
  const source = newest.posture.source;
  const age = secondsSince(newest.posture.observedAt, now);
  if (age === undefined) return { name, passed: false, reason: `the newest ${source} report has no readable observation time` };
  const text = `the newest report (${source}) was observed ${formatDuration(age)} ago; limit ${formatDuration(maxAgeSeconds)}`;
  if (age > maxAgeSeconds) return { name, passed: false, reason: text };
  return { name, passed: true, reason: text, passesForSeconds: maxAgeSeconds - age };
}

function ruleChecks(rules: PostureRules, reports: readonly TrustedReport[], newest: TrustedReport, now: Date): RuleResult[] {
  const facts = factLookup(reports);
  const checks: RuleResult[] = [];
  if (rules.maxReportAgeSeconds !== undefined) checks.push(reportAgeCheck(newest, rules.maxReportAgeSeconds, now));
  if (rules.minOsVersion !== undefined) checks.push(osVersionCheck(rules.minOsVersion, facts));
  if (rules.firewallEnabled === true) checks.push(mustBeOn(POSTURE_CHECKS.firewall, 'firewallEnabled', 'firewall is on', 'firewall is off', facts));
  if (rules.diskEncrypted === true) checks.push(mustBeOn(POSTURE_CHECKS.diskEncryption, 'diskEncrypted', 'the disk is encrypted', 'the disk is not encrypted', facts));
  if (rules.screenLockEnabled === true) checks.push(mustBeOn(POSTURE_CHECKS.screenLock, 'screenLockEnabled', 'screen lock is on', 'screen lock is off', facts));
  if (rules.maxPackageUpdateAgeSeconds !== undefined) checks.push(packageUpdatesCheck(rules.maxPackageUpdateAgeSeconds, facts, now));
  if (rules.minAgentVersion !== undefined && newest.posture.source === AGENT_SOURCE) {
    // The agent's own report only: another source's agentVersion fact says nothing about this agent.
    checks.push(agentVersionCheck(rules.minAgentVersion, factLookup([newest])));
  }
  for (const custom of rules.custom) checks.push(customCheck(custom, facts));
  return checks;
}

function evaluate(device: DeviceRecord, now: Date, settings: PostureSettings): PostureEvaluation {
  const reports = trustedReports(device, settings);
  const newest = reports[0];
  if (newest === undefined) {
    return { compliant: false, checks: [{ name: POSTURE_CHECKS.noPosture, passed: false, reason: `no trusted posture report for device ${device.id}` }], failedChecks: [POSTURE_CHECKS.noPosture] };
  }
  const results: RuleResult[] = verdictChecks(reports);
  if (hasRules(settings.rules)) {
    results.push(...ruleChecks(settings.rules, reports, newest, now));
  } else if (results.length === 0) {
    // No rules and no verdict either way: nothing vouches for the device.
    results.push({ name: POSTURE_CHECKS.noVerdict, passed: false, reason: 'no posture rules are configured and no trusted source reports the device compliant' });
  }
  const failedChecks = [...new Set(results.filter((check) => !check.passed).map((check) => check.name))].sort();
  const windows = results.flatMap((check) => (check.passed && check.passesForSeconds !== undefined ? [check.passesForSeconds] : []));
  const checks = results.map(({ name, passed, reason }) => ({ name, passed, reason }));
  const evaluation: PostureEvaluation = { compliant: failedChecks.length === 0, checks, failedChecks, newestTrusted: newest.posture };
  return windows.length === 0 ? evaluation : { ...evaluation, passesForSeconds: Math.min(...windows) };
}

// One decision asks several times (risk, context, reasons, obligations, step-up's re-runs) about
// the same device object at the same instant: answer once. Keyed by the device object, so nothing
// is held alive; the clock and settings are compared, so a different question is never answered
// from the cache.
const memo = new WeakMap<DeviceRecord, { readonly nowMs: number; readonly settings: PostureSettings; readonly result: PostureEvaluation }>();

export function evaluatePosture(device: DeviceRecord, now: Date, settings: PostureSettings): PostureEvaluation {
  const nowMs = now.getTime();
  const known = memo.get(device);
  if (known !== undefined && known.nowMs === nowMs && known.settings === settings) return known.result;
  const result = evaluate(device, now, settings);
  memo.set(device, { nowMs, settings, result });
  return result;
}
