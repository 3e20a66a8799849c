// Verdict → what Envoy should do, for both ext_authz transports (gRPC CheckResponse, HTTP service).
//   allow            headers to set upstream (overwriting client-sent ones of the same name) and the
//                    route's other identity headers to remove, so a client cannot forge them
//   unauthenticated  UNAUTHENTICATED; browsers 302 to login, APIs 401 (renderVerdict)
//   step-up          UNAUTHENTICATED; 302 to the step-up URL or 401
//   deny             PERMISSION_DENIED; 403 with the rendered page / JSON
//   device-required  PERMISSION_DENIED; 403 with the rendered page / JSON (no valid device certificate)
//   method-not-allowed  PERMISSION_DENIED; the rendered 405 with its Allow header
//   no-route         PERMISSION_DENIED; 403 (Envoy already routed the request to an upstream, so
//                    an unknown host must be refused here, never passed)
//   not understood   INVALID_ARGUMENT; 400 naming the field
//   pipeline failure INTERNAL; 403
// Every refusal is a *denial*, never an RPC error or a 5xx: Envoy treats those as "authorization
// service failed" and, with `failure_mode_allow: true`, lets the request through. A request
// Tenet cannot understand or decide must be refused whatever that setting says.
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import { headerValue, withoutHeaders, type HeaderValues, type RenderVerdict } from '../forward-auth/answer.js';
import { DECISION_HEADER } from '../forward-auth/forward-auth-answer.js';
import { isForgeableIdentityHeader } from '../proxy/forgeable-identity-headers.js';
import { RPC_CODE } from './authorization-proto.js';

export const DEFAULT_ASSERTION_HEADER = 'X-Tenet-Assertion';

export interface Allowance {
  readonly kind: 'allow';
  /** Set on the upstream request, replacing any client-sent value. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Lower-case names removed from the upstream request: the assertion header and the route's
   * identity headers when Tenet did not set them, and every identity header the client sent that
   * an upstream might believe (the proxy's list: X-Forwarded-User, Remote-User, X-Tenet-*, …).
   */
  readonly headersToRemove: readonly string[];
}

export interface Denial {
  readonly kind: 'deny';
  /** google.rpc.Code for CheckResponse.status. */
  readonly rpcCode: number;
  readonly status: number;
  readonly headers: HeaderValues;
  readonly body: string;
}

export type ExtAuthzAnswer = Allowance | Denial;

const FRAMING = ['content-length', 'transfer-encoding', 'connection', 'keep-alive'];

const json = (rpcCode: number, status: number, body: Readonly<Record<string, string>>, headers: HeaderValues = {}): Denial => ({
  kind: 'deny',
  rpcCode,
  status,
  headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** The request could not be understood: denied, naming what was wrong. */
export function invalidRequest(field: string, problem: string): Denial {
  return json(RPC_CODE.INVALID_ARGUMENT, 400, { error: 'invalid ext_authz request', field, problem: `${field} ${problem}` });
}

export const UNTRUSTED_ENVOY_MESSAGE = 'ext_authz caller is not a trusted proxy';

/** A caller outside the trusted proxies: denied before anything it sent is read. */
export function untrustedCaller(): Denial {
  return json(RPC_CODE.PERMISSION_DENIED, 403, { error: UNTRUSTED_ENVOY_MESSAGE });
}

/** The pipeline failed: denied (see the header comment for why not an error). */
export function undecided(): Denial {
  return json(RPC_CODE.INTERNAL, 403, { error: 'Tenet could not decide; the request is refused' });
}

/**
 * Envoy passes a denial's status to the client, but takes a 2xx from the HTTP service as allow and
 * a 5xx as a service failure; gRPC statuses outside envoy.type.v3.StatusCode are refused by Envoy.
 * Anything unusable becomes 403.
 */
function deniedStatus(status: number, acceptable: (status: number) => boolean): number {
  return status >= 300 && status < 500 && acceptable(status) ? status : 403;
}

const text = (body: string | Uint8Array): string => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));

export function allowance(verdict: Extract<Verdict, { kind: 'allow' }>, assertionHeader: string, requestHeaderNames: readonly string[]): Allowance {
  const set = new Set(Object.keys(verdict.headers).map((name) => name.toLowerCase()));
  const configured = new Set([assertionHeader, ...Object.keys(verdict.route.headers)].map((name) => name.toLowerCase()));
  const sent = requestHeaderNames.map((name) => name.toLowerCase()).filter((name) => isForgeableIdentityHeader(name, configured));
  const identity = new Set([...configured, ...sent]);
  // INVARIANT: a header that is set is never also removed (Envoy removes after setting).
  const headersToRemove = [...identity].filter((name) => !set.has(name)).sort();
  return { kind: 'allow', headers: { ...verdict.headers }, headersToRemove };
}

export async function extAuthzAnswer(
  verdict: Verdict,
  facts: HttpRequestFacts,
  render: RenderVerdict,
  options: {
    readonly assertionHeader: string;
    /** Names of the headers of the original request as Tenet saw them (forged identity headers among them are removed). */
    readonly requestHeaderNames: readonly string[];
    readonly acceptableStatus?: (status: number) => boolean;
  },
): Promise<ExtAuthzAnswer> {
  const acceptable = options.acceptableStatus ?? (() => true);
  switch (verdict.kind) {
    case 'allow':
      return allowance(verdict, options.assertionHeader, options.requestHeaderNames);
    case 'no-route':
      return json(RPC_CODE.PERMISSION_DENIED, 403, { error: 'no Tenet route protects this host and path', host: facts.host });
    case 'method-not-allowed': {
      const rendered = await render(verdict, facts);
      return { kind: 'deny', rpcCode: RPC_CODE.PERMISSION_DENIED, status: 405, headers: withoutHeaders(rendered.headers, [...FRAMING, 'location']), body: text(rendered.body) };
    }
    case 'deny': {
      const rendered = await render(verdict, facts);
      const headers = { ...withoutHeaders(rendered.headers, [...FRAMING, 'location']), [DECISION_HEADER]: verdict.decision.id };
      return { kind: 'deny', rpcCode: RPC_CODE.PERMISSION_DENIED, status: 403, headers, body: text(rendered.body) };
    }
    case 'device-required': {
      const rendered = await render(verdict, facts);
      return { kind: 'deny', rpcCode: RPC_CODE.PERMISSION_DENIED, status: 403, headers: withoutHeaders(rendered.headers, [...FRAMING, 'location']), body: text(rendered.body) };
    }
    case 'unauthenticated':
    case 'step-up': {
      const rendered = await render(verdict, facts);
      const decision = verdict.kind === 'step-up' ? { [DECISION_HEADER]: verdict.decision.id } : {};
      let status = deniedStatus(rendered.status, acceptable);
      // A redirect without a target would strand the browser: answer 401 instead.
      if (status >= 300 && status < 400 && headerValue(rendered.headers, 'location') === undefined) status = 401;
      return { kind: 'deny', rpcCode: RPC_CODE.UNAUTHENTICATED, status, headers: { ...withoutHeaders(rendered.headers, FRAMING), ...decision }, body: text(rendered.body) };
    }
  }
}
