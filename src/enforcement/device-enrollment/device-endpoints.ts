// The device endpoints on the proxy listener's public host (src/devices/protocol.ts has the wire
// protocol): what the `tenet agent` calls — enroll, poll, renew, posture — plus the CA certificate,
// the CRL, and the owner's approval page. Agent endpoints authenticate by what they carry (a poll
// secret, an admin token, or a JWS signed by the device key); the approval page by the user's
// session. Everything else under /.tenet/device… is 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CertificateIssued, EnrollmentPending, PostureAccepted } from '../../devices/protocol.js';
import { DEVICE_BODY_LIMIT_BYTES, DEVICE_PATHS } from '../../devices/protocol.js';
import { DeviceProtocolFailure } from '../../devices/protocol-failure.js';
import type { DeviceEnrollment } from '../../devices/device-identity.js';
import type { EntityRef } from '../../engine/tuple.js';
import type { SessionRecord } from '../../sessions/session.js';
import type { HttpRequestFacts } from '../access/http-access.js';
import { loginUrl } from '../access/login-urls.js';
import { answerJson } from '../authenticate/http-answers.js';
import { approvalPage } from './approval-page.js';
import { readBody } from './read-body.js';

/** What the endpoints need from device identity (src/devices/device-identity-service.ts). */
export interface DeviceEnrollmentService {
  readonly caCertificatePem: string;
  startEnrollment(body: unknown): Promise<CertificateIssued | EnrollmentPending>;
  pollEnrollment(secret: string): Promise<CertificateIssued>;
  renew(jws: string): Promise<CertificateIssued>;
  acceptPosture(jws: string): Promise<PostureAccepted>;
  crl(): Promise<Uint8Array>;
  pendingEnrollment(userCode: string): Promise<DeviceEnrollment | undefined>;
  approve(userCode: string, owner: EntityRef | undefined, approvedBy: EntityRef): Promise<{ readonly deviceId: string }>;
  deny(userCode: string): Promise<void>;
}

export interface DeviceEndpointDeps {
  readonly service: DeviceEnrollmentService;
  readonly publicUrl: string;
  /** The logged-in user's session on this host, if any (the approval page). */
  readonly currentSession: (facts: HttpRequestFacts) => Promise<SessionRecord | undefined>;
  readonly logger: Logger;
}

export interface DeviceEndpoints {
  /** Answers the request when it is a device endpoint on the public host; false to let the caller go on. */
  handle(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts): Promise<boolean>;
}

const POLL_SECRET = /^[A-Za-z0-9_-]{43}$/;

export function deviceEndpoints(deps: DeviceEndpointDeps): DeviceEndpoints {
  const publicHost = new URL(deps.publicUrl).host.toLowerCase();
  const log = deps.logger.child({ component: 'device-endpoints' });

  async function agentCall(req: IncomingMessage, res: ServerResponse, endpoint: string, kind: 'json' | 'jose', call: (body: string) => Promise<unknown>, okStatus: (result: unknown) => number): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return answerJson(res, 405, { error: 'invalid_request', error_description: 'use POST' });
    }
    const body = await readBody(req, DEVICE_BODY_LIMIT_BYTES, kind === 'json' ? ['application/json'] : ['application/jose', 'application/jwt', 'text/plain']);
    if (!body.ok) return answerJson(res, body.status, { error: 'invalid_request', error_description: body.problem });
    try {
      const result = await call(body.text);
      answerJson(res, okStatus(result), result);
    } catch (error) {
      if (error instanceof DeviceProtocolFailure) {
        // authorization_pending / slow_down are the normal rhythm of polling, not worth a log line.
        // The endpoint is named by its template: a poll URL carries the enrollment's secret.
        if (error.code !== 'authorization_pending' && error.code !== 'slow_down') log.info({ error: error.code, detail: error.message, endpoint }, 'device request refused');
        return answerJson(res, error.status, error.toBody());
      }
      throw error;
    }
  }

  function parseJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new DeviceProtocolFailure('invalid_request', 400, 'the body is not valid JSON');
    }
  }

  async function approval(req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts, url: URL): Promise<void> {
    const session = await deps.currentSession(facts);
    if (session === undefined) {
      const back = new URL(url.pathname + url.search, deps.publicUrl).toString();
      res.writeHead(302, { location: loginUrl(deps.publicUrl, back), 'cache-control': 'no-store' }).end();
      return;
    }
    await approvalPage(req, res, facts, url, session, deps.service, log);
  }

  return {
    async handle(req, res, facts) {
      if (facts.host !== publicHost) return false;
      const url = new URL(facts.path, deps.publicUrl);
      const path = url.pathname;
      if (!path.startsWith('/.tenet/device')) return false;
      const { service } = deps;
      switch (path) {
        case DEVICE_PATHS.enroll:
          await agentCall(req, res, DEVICE_PATHS.enroll, 'json', (text) => service.startEnrollment(parseJson(text)), (result) => ((result as { status: string }).status === 'issued' ? 201 : 202));
          return true;
        case DEVICE_PATHS.renew:
          await agentCall(req, res, DEVICE_PATHS.renew, 'jose', (text) => service.renew(text.trim()), () => 200);
          return true;
        case DEVICE_PATHS.posture:
          await agentCall(req, res, DEVICE_PATHS.posture, 'jose', (text) => service.acceptPosture(text.trim()), () => 200);
          return true;
        case DEVICE_PATHS.caCertificate:
          res.writeHead(200, { 'content-type': 'application/x-pem-file', 'cache-control': 'public, max-age=300' }).end(service.caCertificatePem);
          return true;
        case DEVICE_PATHS.crl: {
          const crl = await service.crl();
          // RFC 5280 §4.2.1.13 / RFC 2585 §4.2: CRLs are served as application/pkix-crl.
          res.writeHead(200, { 'content-type': 'application/pkix-crl', 'cache-control': 'no-cache', 'content-length': crl.byteLength }).end(crl);
          return true;
        }
        case DEVICE_PATHS.approve:
          await approval(req, res, facts, url);
          return true;
        default:
          break;
      }
      if (path.startsWith(DEVICE_PATHS.enrollmentPoll)) {
        const secret = path.slice(DEVICE_PATHS.enrollmentPoll.length);
        if (!POLL_SECRET.test(secret)) {
          answerJson(res, 400, { error: 'expired_token', error_description: 'no such enrollment' });
          return true;
        }
        await agentCall(req, res, `${DEVICE_PATHS.enrollmentPoll}<enrollment>`, 'json', () => service.pollEnrollment(secret), () => 200);
        return true;
      }
      answerJson(res, 404, { error: 'invalid_request', error_description: `no device endpoint at ${path}` });
      return true;
    },
  };
}
