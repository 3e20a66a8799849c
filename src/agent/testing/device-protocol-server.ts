// A small real HTTPS server on 127.0.0.1 that speaks the server side of the device protocol well
// enough to test the agent: enrollment with a token or by (scripted) approval, signed posture
// reports and renewals verified with jose against the certificate in x5c, and certificates issued
// by a throwaway device CA. Tests script the enrollment poll answers and read what was received.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { DEVICE_PATHS, POSTURE_JWS_TYPE, RENEWAL_JWS_TYPE, postureClaimsSchema, renewalClaimsSchema, type PostureClaims } from '../../devices/protocol.js';
import { issueCertificate } from '../../pki/issue-certificate.js';
import { createTestCa, issueServerCertificate, type TestCa } from '../../enforcement/proxy/testing/test-pki.js';
import { readCertificationRequest } from '../../pki/certification-request.js';

export type PollScript = 'pending' | 'slow_down' | 'issued' | 'denied' | 'expired' | 'http-202';

export interface DeviceProtocolServer {
  readonly url: string;
  /** Trust anchor of the server's TLS certificate (what --server-ca would hold). */
  readonly tlsCaPem: string;
  readonly deviceCa: TestCa;
  /** Answers to successive polls; when exhausted, `pending`. */
  pollScript: PollScript[];
  /** When set, every request gets this status and body instead. */
  override: { status: number; body: string } | undefined;
  readonly received: { path: string; contentType: string | undefined; body: string }[];
  readonly reports: PostureClaims[];
  readonly renewals: number;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
const ENROLLMENT_SECRET = 'poll-secret-0123456789abcdef';
const GOOD_TOKEN = 'good-enrollment-token';

export async function startDeviceProtocolServer(): Promise<DeviceProtocolServer> {
  const tlsCa = createTestCa('agent test TLS CA');
  const tls = issueServerCertificate(tlsCa, { ip: ['127.0.0.1'] });
  const deviceCa = createTestCa('agent test device CA');
  let pendingCsr: string | undefined;
  let deviceCounter = 0;
  const state = {
    pollScript: [] as PollScript[],
    override: undefined as { status: number; body: string } | undefined,
    received: [] as { path: string; contentType: string | undefined; body: string }[],
    reports: [] as PostureClaims[],
    renewals: 0,
  };

  const issue = (csr: string, deviceId?: string) => {
    const { publicKey } = readCertificationRequest(csr);
    const id = deviceId ?? `dev-${(deviceCounter += 1)}`;
    const notAfter = new Date(Date.now() + DAY_MS);
    const certificate = issueCertificate({ subjectCn: id, publicKey, notBefore: new Date(Date.now() - 60_000), notAfter, ca: false }, deviceCa.issuer);
    return { status: 'issued', device_id: id, certificate, ca_certificate: deviceCa.certPem, not_after: notAfter.toISOString(), renew_after: new Date(Date.now() + DAY_MS / 2).toISOString() };
  };

  const verifySigned = async (jws: string, typ: string, path: string) => {
    const header = decodeProtectedHeader(jws);
    if (header.typ !== typ || !Array.isArray(header.x5c) || typeof header.x5c[0] !== 'string') throw new Error('bad header');
    const certificate = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
    if (!certificate.verify(deviceCa.issuer.publicKey as KeyObject)) throw new Error('not our certificate');
    const { payload } = await compactVerify(jws, certificate.publicKey, { algorithms: ['ES256'] });
    const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as { aud?: string; iss?: string };
    if (claims.aud !== `${url}${path}` || claims.iss !== certificate.subject.replace(/^CN=/, '')) throw new Error('wrong aud or iss');
    return claims;
  };

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '';
      state.received.push({ path, contentType: request.headers['content-type'], body });
      const answer = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      const refuse = (status: number, error: string, description: string) => answer(status, { error, error_description: description });
      void (async () => {
        if (state.override !== undefined) {
          response.writeHead(state.override.status, { 'content-type': 'application/json' });
          response.end(state.override.body);
          return;
        }
        if (request.method !== 'POST') return refuse(405, 'invalid_request', 'POST only');
        if (path === DEVICE_PATHS.enroll) {
          const enroll = JSON.parse(body) as { csr: string; token?: string };
          if (enroll.token !== undefined) {
            if (enroll.token !== GOOD_TOKEN) return refuse(401, 'invalid_token', 'the enrollment token is unknown, used or expired');
            return answer(201, issue(enroll.csr));
          }
          pendingCsr = enroll.csr;
          return answer(202, {
            status: 'pending',
            enrollment: ENROLLMENT_SECRET,
            user_code: 'KDFM-XQ2P',
            verification_uri: `${url}${DEVICE_PATHS.approve}`,
            verification_uri_complete: `${url}${DEVICE_PATHS.approve}?code=KDFM-XQ2P`,
            expires_in: 600,
            interval: 5,
          });
        }
        if (path === `${DEVICE_PATHS.enrollmentPoll}${ENROLLMENT_SECRET}`) {
          const next = state.pollScript.shift() ?? 'pending';
          if (next === 'issued' && pendingCsr !== undefined) return answer(200, issue(pendingCsr));
          if (next === 'slow_down') return refuse(400, 'slow_down', 'poll at most every 5 s');
          if (next === 'denied') return refuse(403, 'access_denied', 'the enrollment was denied');
          if (next === 'expired') return refuse(400, 'expired_token', 'the enrollment expired before it was approved; start again');
          if (next === 'http-202') return answer(202, {});
          return refuse(400, 'authorization_pending', 'waiting for the owner to approve the device');
        }
        if (path === DEVICE_PATHS.posture) {
          try {
            const claims = postureClaimsSchema.parse(await verifySigned(body, POSTURE_JWS_TYPE, DEVICE_PATHS.posture));
            state.reports.push(claims);
            const failed = claims.posture.facts.diskEncrypted === true ? [] : [{ check: 'diskEncrypted', reason: 'disk encryption not confirmed' }];
            return answer(200, { accepted: true, device_id: claims.iss, compliant: failed.length === 0, failed_checks: failed, next_report_seconds: 300 });
          } catch (error) {
            return refuse(401, 'invalid_signature', (error as Error).message);
          }
        }
        if (path === DEVICE_PATHS.renew) {
          try {
            const claims = renewalClaimsSchema.parse(await verifySigned(body, RENEWAL_JWS_TYPE, DEVICE_PATHS.renew));
            state.renewals += 1;
            return answer(200, issue(claims.csr, claims.iss));
          } catch (error) {
            return refuse(401, 'invalid_signature', (error as Error).message);
          }
        }
        return refuse(404, 'invalid_request', `no such path ${path}`);
      })().catch((error: unknown) => refuse(500, 'invalid_request', String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    tlsCaPem: tlsCa.certPem,
    deviceCa,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  }) as DeviceProtocolServer;
}

export { GOOD_TOKEN };
