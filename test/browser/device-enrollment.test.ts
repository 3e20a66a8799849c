// A newcomer's device, from enrollment to payroll, in a real browser (Debian Chromium via
// playwright-core) against the real quickstart stack (test/support/stack.ts): the agent's own
// enrollment code runs in this process against the proxy's device endpoints, alice approves the
// device on Tenet's approval page after signing in at the development IdP, the agent reports
// signed posture, and a browser profile holding the device certificate (mTLS through Playwright's
// `clientCertificates`) reaches /payroll after a phishing-resistant step-up — until the agent
// reports the firewall off. The steps share one stack and one device, and run in order.
//
// The quickstart counts owner-approved devices as managed (devices.enrollment.approvedDevicesManaged),
// which payroll's permit (`payroll-finance`, context.device.managed) needs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentState } from '../../src/agent/agent-state.js';
import { sendPostureReport, clientFor } from '../../src/agent/device-reports.js';
import { enrollDevice, type EnrolledDevice } from '../../src/agent/enroll-device.js';
import { ServerClient } from '../../src/agent/server-client.js';
import { DEVICE_PATHS, type EnrollmentPending, type PostureAccepted, type PostureFacts } from '../../src/devices/protocol.js';
import { startStack, type RunningStack } from '../support/stack.js';
import { chromiumUnavailable, launchChromium, newContext } from './support/chromium.js';
import { newDeviceContext } from './support/device-certificate-context.js';
import { appIdentity, onIdpLoginForm, signInAtIdp, submitIdpLogin } from './support/idp-sign-in.js';

const ALICE = { username: 'alice', password: 'alice-pw' } as const;
/** What the agent tells the approving user about the machine (unverified, shown on the page). */
const HOSTNAME = 'alice-new-laptop-e2e';

// Controlled facts instead of the agent's collectors: a test machine's real facts fail the
// quickstart's rules (diskEncrypted, firewallEnabled) — a container's overlay root reads
// diskEncrypted null, an unencrypted VM disk false, and without nft/iptables or ufw/firewalld the
// firewall is null — and nothing unknown counts as compliant. The report itself is the agent's
// real one: signed with the device key, sent by its client.
function postureFacts(firewallEnabled: boolean): PostureFacts {
  return {
    os: 'linux',
    osVersion: '6.12.0',
    hostname: HOSTNAME,
    diskEncrypted: true,
    firewallEnabled,
    screenLockEnabled: null,
    lastPackageUpdateAt: null,
    agentVersion: '0.1.0',
  };
}
const GOOD_FACTS = postureFacts(true);
const FIREWALL_OFF = postureFacts(false);

/** The response to the next request for `url` (awaited later; a failure before then is the test's, not an unhandled rejection). */
function finalAnswer(page: Page, url: string): Promise<Response> {
  const answer = page.waitForResponse((response) => response.url() === url);
  answer.catch(() => undefined);
  return answer;
}

/** The deny page's reasons: each a message followed by its code. */
async function denyReasons(page: Page): Promise<string[]> {
  return page.$$eval('li', (items) => items.map((item) => item.textContent?.trim() ?? ''));
}

describe.skipIf(chromiumUnavailable)('a device enrolled by its owner, in a real browser', () => {
  let stack: RunningStack;
  let browser: Browser;
  let stateDir: string;
  let state: AgentState;
  const contexts: BrowserContext[] = [];
  // Carried from step to step.
  let device: EnrolledDevice;
  let payroll: Page;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'tenet-agent-state-'));
    state = new AgentState(stateDir);
    const [started, launched] = await Promise.allSettled([startStack(), launchChromium()]);
    if (started.status === 'fulfilled') stack = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function report(facts: PostureFacts): Promise<PostureAccepted> {
    const enrolled = await state.requireEnrolled();
    return sendPostureReport(enrolled, clientFor(enrolled), facts, new Date());
  }

  it('1–2. the agent asks to enroll; alice signs in at the link, sees the hostname, approves; the agent gets its certificate', async () => {
    // The agent as `tenet agent enroll --server <publicUrl> --server-ca <proxy certificate>` runs it: no token.
    const client = new ServerClient({ server: stack.publicUrl, serverCa: stack.certificate });
    let toldPending: (pending: EnrollmentPending) => void = () => undefined;
    const pendingShown = new Promise<EnrollmentPending>((resolve) => {
      toldPending = resolve;
    });
    const enrolling = enrollDevice({
      state,
      client,
      serverCa: stack.certificate,
      description: { hostname: HOSTNAME, os: 'linux' },
      subjectCn: HOSTNAME,
      onPending: (pending) => toldPending(pending),
      // The real wait between polls (the server's interval, RFC 8628 §3.5).
      sleep: (ms) => delay(ms),
    });
    enrolling.catch(() => undefined);
    // Either the agent reports pending, or its failure is this test's.
    const pending = await Promise.race([pendingShown, enrolling.then(() => Promise.reject(new Error('enrolled without approval')))]);
    expect(pending.status).toBe('pending');
    const approveUrl = new URL(pending.verification_uri_complete);
    expect(approveUrl.origin).toBe(stack.publicUrl);
    expect(approveUrl.pathname).toBe(DEVICE_PATHS.approve);

    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(pending.verification_uri_complete);
    // Not signed in: Tenet sends her to log in first, then back to the very same approval link.
    expect(await onIdpLoginForm(page, stack)).toBe(true);
    await signInAtIdp(page, stack, ALICE);
    expect(page.url()).toBe(pending.verification_uri_complete);
    expect(await page.textContent('h1')).toBe('Approve this device?');
    const shown = (await page.textContent('body')) ?? '';
    expect(shown).toContain('alice@example.com');
    expect(shown).toContain(pending.user_code);
    expect(shown).toContain(`hostname: ${HOSTNAME}`);

    await page.click('button:has-text("Approve as my device")');
    await page.waitForSelector('h1:has-text("Device approved")');

    // The agent's next poll collects the certificate, checked against its key and the CA before it is saved.
    device = await enrolling;
    expect(await page.textContent('body')).toContain(device.deviceId);
    const enrolled = await state.requireEnrolled();
    expect(enrolled.config).toMatchObject({ server: stack.publicUrl, deviceId: device.deviceId });
    expect(enrolled.serverCaPem).toBe(stack.certificate);

    const response = await fetch(`${stack.apiUrl}/admin/v1/devices/${encodeURIComponent(device.deviceId)}`);
    expect(response.status).toBe(200);
    const shownByAdmin = (await response.json()) as { device: Record<string, unknown>; certificates: { serial: string; revokedAt?: string }[] };
    expect(shownByAdmin.device).toMatchObject({ id: device.deviceId, owner: { type: 'User', id: 'alice' }, status: 'active', managed: true });
    expect(shownByAdmin.certificates).toEqual([expect.objectContaining({ serial: enrolled.certificate.serialNumber.toLowerCase() })]);
  }, 60_000);

  it('3. the agent reports good posture, signed with the device key: compliant', async () => {
    expect(device).toBeDefined();
    expect(await report(GOOD_FACTS)).toMatchObject({ accepted: true, device_id: device.deviceId, compliant: true, failed_checks: [] });
  }, 30_000);

  it('4. a browser holding the device certificate: alice signs in, steps up with a security key, and reaches payroll as that device', async () => {
    expect(device).toBeDefined();
    const context = await newDeviceContext(browser, { origin: stack.publicUrl, certPath: state.path('certificate'), keyPath: state.path('key') });
    contexts.push(context);
    payroll = await context.newPage();
    const visited: string[] = [];
    payroll.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === payroll.mainFrame()) visited.push(request.url());
    });

    await payroll.goto(`${stack.publicUrl}/payroll`);
    expect(await onIdpLoginForm(payroll, stack)).toBe(true);
    const firstLogin = payroll.url();
    // A password is not enough for payroll (payroll-finance: phishing-resistant authentication):
    // straight from the callback, Tenet sends her back to the IdP for a step-up — a new login
    // form, which asks for the security key.
    await submitIdpLogin(payroll, stack, ALICE);
    // Either the step-up's login form or a page of Tenet's at /payroll (a denial, shown if so).
    await payroll.waitForURL((url) => (url.href.startsWith(`${stack.idpUrl}/interaction/`) && url.href !== firstLogin) || url.href === `${stack.publicUrl}/payroll`);
    expect(await onIdpLoginForm(payroll, stack), `no step-up; the page says: ${await payroll.textContent('body')}`).toBe(true);
    const stepUp = new URL(visited.find((url) => url.startsWith(`${stack.publicUrl}/.tenet/login?`) && url.includes('step_up=')) ?? 'about:blank');
    expect(Object.fromEntries(stepUp.searchParams)).toMatchObject({ rd: `${stack.publicUrl}/payroll`, step_up: '1', phr: '1' });
    expect(await payroll.isChecked('input[name="securityKey"]')).toBe(true);

    const answer = finalAnswer(payroll, `${stack.publicUrl}/payroll`);
    await signInAtIdp(payroll, stack, { ...ALICE, securityKey: true });
    expect((await answer).status()).toBe(200);
    expect(payroll.url()).toBe(`${stack.publicUrl}/payroll`);
    expect(await payroll.textContent('h1')).toBe('Hello Alice Anderson');
    // The app shows the device from Tenet's signed assertion: the one the certificate names.
    expect(await appIdentity(payroll)).toMatchObject({ 'subject (sub)': 'User::"alice"', device: device.deviceId, request: 'GET /payroll' });
  }, 60_000);

  it('5. the agent reports the firewall off: the next load of payroll is denied naming the check; reported on again, allowed', async () => {
    expect(payroll).toBeDefined();
    expect(await report(FIREWALL_OFF)).toMatchObject({ compliant: false, failed_checks: [{ check: 'firewall' }] });

    const denied = await payroll.reload();
    expect(denied?.status()).toBe(403);
    expect(await payroll.textContent('h1')).toBe('Access denied');
    // The failed check, by name, with its reason (docs/devices.md: what the deny page shows).
    expect(await denyReasons(payroll)).toEqual(
      expect.arrayContaining([`device ${device.deviceId} failed posture checks: firewall risk-factor: device-not-compliant`, 'firewall is off risk-factor: device-not-compliant:firewall']),
    );

    expect(await report(GOOD_FACTS)).toMatchObject({ compliant: true, failed_checks: [] });
    const allowed = await payroll.reload();
    expect(allowed?.status()).toBe(200);
    expect(await appIdentity(payroll)).toMatchObject({ device: device.deviceId, request: 'GET /payroll' });
  }, 30_000);

  it('6. the same alice in a browser without the certificate is denied at payroll: an unknown device', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${stack.publicUrl}/payroll`);
    const answer = finalAnswer(page, `${stack.publicUrl}/payroll`);
    await signInAtIdp(page, stack, ALICE);
    expect((await answer).status()).toBe(403);
    expect(await denyReasons(page)).toContain('no verified device identity was presented risk-factor: device-unknown');
  }, 30_000);
});
