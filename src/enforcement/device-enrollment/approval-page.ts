// The owner's approval page (RFC 8628 §3.3: the user reviews the request and approves it while
// logged in). GET shows the pending enrollment the user code names, with what the agent said about
// the machine (unverified, so labelled as such); POST approves it as the logged-in user's device or
// denies it. POSTs are accepted only from this page (Fetch Metadata / Origin), so another site
// cannot make a logged-in user approve an attacker's device.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DEVICE_PATHS } from '../../devices/protocol.js';
import { isTenetError } from '../../errors.js';
import type { SessionRecord } from '../../sessions/session.js';
import type { HttpRequestFacts } from '../access/http-access.js';
import { answerMethodNotAllowed, answerPage } from '../authenticate/http-answers.js';
import { fromOwnPage } from '../authenticate/own-page.js';
import type { DeviceEnrollmentService } from './device-endpoints.js';

const USER_CODE = /^[A-Za-z]{4}-?[A-Za-z]{4}$/;

export async function approvalPage(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts, url: URL, session: SessionRecord, service: DeviceEnrollmentService, log: Logger): Promise<void> {
  const typed = url.searchParams.get('code')?.trim() ?? '';
  const user = session.identity.subject;
  const who = session.identity.email ?? user.id;
  if (typed === '') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return answerMethodNotAllowed(res, ['GET']);
    return answerPage(res, 200, 'Approve a device', [
      { text: `Signed in as ${who}. Enter the code your device's Tenet agent printed.` },
      { getForm: { action: DEVICE_PATHS.approve, field: 'code', label: 'Code', button: 'Continue' } },
    ]);
  }
  const code = USER_CODE.test(typed) ? `${typed.replace('-', '').slice(0, 4)}-${typed.replace('-', '').slice(4)}`.toUpperCase() : undefined;
  const enrollment = code === undefined ? undefined : await service.pendingEnrollment(code);
  if (code === undefined || enrollment === undefined) {
    return answerPage(res, 404, 'No such device request', [
      { text: 'No pending device enrollment has this code. It may have expired (codes last a few minutes) or been decided already; run `tenet agent enroll` again.' },
      { getForm: { action: DEVICE_PATHS.approve, field: 'code', label: 'Code', button: 'Try another code' } },
    ]);
  }
  const action = (decision: 'approve' | 'deny'): string => `${DEVICE_PATHS.approve}?code=${encodeURIComponent(code)}&decision=${decision}`;
  if (req.method === 'GET' || req.method === 'HEAD') {
    const description = Object.entries(enrollment.description).map(([key, value]) => `${key}: ${value}`);
    return answerPage(res, 200, 'Approve this device?', [
      { text: `Signed in as ${who}. A device asked to be enrolled with the code ${code}. Approve it only if it is yours and you started the enrollment just now.` },
      { text: description.length === 0 ? 'The device did not describe itself.' : `The device says (unverified): ${description.join('; ')}.` },
      { postForm: { action: action('approve'), button: 'Approve as my device' } },
      { postForm: { action: action('deny'), button: 'Deny' } },
    ]);
  }
  if (req.method !== 'POST') return answerMethodNotAllowed(res, ['GET', 'POST']);
  if (!fromOwnPage(req, facts)) {
    log.warn({ outcome: 'device-approval-refused', reason: 'cross-origin', subject: `${user.type}::${user.id}` }, 'device approval refused: not sent from the approval page');
    return answerPage(res, 403, 'Not allowed', [{ text: 'Device approvals must be made from this page.' }]);
  }
  try {
    await decide(res, url, code, session, service, log);
  } catch (error) {
    if (!(isTenetError(error) && error.code === 'TENET_ERR_DEVICE_ENROLLMENT_NOT_FOUND')) throw error;
    answerPage(res, 409, 'Already decided', [{ text: 'This enrollment was decided or expired meanwhile; nothing was changed.' }]);
  }
}

async function decide(res: ServerResponse, url: URL, code: string, session: SessionRecord, service: DeviceEnrollmentService, log: Logger): Promise<void> {
  const user = session.identity.subject;
  const who = session.identity.email ?? user.id;
  if (url.searchParams.get('decision') === 'deny') {
    await service.deny(code);
    log.info({ outcome: 'device-denied', subject: `${user.type}::${user.id}` }, 'device enrollment denied by its would-be owner');
    return answerPage(res, 200, 'Device denied', [{ text: 'The device was not enrolled.' }]);
  }
  if (url.searchParams.get('decision') !== 'approve') return answerPage(res, 400, 'Bad request', [{ text: 'Choose approve or deny.' }]);
  const { deviceId } = await service.approve(code, user, user);
  log.info({ outcome: 'device-approved', device: deviceId, subject: `${user.type}::${user.id}` }, 'device enrolled by its owner');
  return answerPage(res, 200, 'Device approved', [
    { text: `The device is enrolled as ${deviceId} and owned by ${who}. Its agent collects the certificate on its next poll; nothing else to do here.` },
  ]);
}
