// Verdict → the answer a forward-auth client understands.
//   allow        200 + the verdict's headers (signed assertion, route identity headers); the proxy
//                copies them upstream (nginx auth_request_set, Caddy copy_headers, Traefik
//                authResponseHeaders).
//   nginx        auth_request accepts only 2xx, 401 and 403 (anything else becomes a 500) and never
//                shows our body: unauthenticated and step-up are 401 with the login (or step-up) URL
//                in X-Tenet-Login for browsers, which `error_page 401 = @tenet_login` redirects to;
//                deny is 403.
//   redirect     Caddy and Traefik return a non-2xx answer to the client as it is: browsers get the
//                302 to login, APIs the 401 JSON, denied users the 403 page (all from renderVerdict).
//   method-not-allowed  the route maps no action to this method: 403 for nginx (see above), the
//                rendered 405 with its Allow header for Caddy and Traefik.
//   device-required  403 in both, with the rendered page / JSON (Caddy and Traefik show it; nginx
//                shows its own 403 page): the route needs a registered device certificate.
//   no-route     403 in both. The proxy PEP answers 404 for an unknown host because it forwards
//                nothing; here a non-2xx is the only way to stop the proxy in front from forwarding,
//                and nginx would turn a 404 into a 500. An unknown host must never pass.
import type { HttpRequestFacts, Verdict } from '../access/http-access.js';
import { jsonAnswer, withoutHeaders, type Answer, type RenderVerdict } from './answer.js';
import type { ForwardAuthStyle } from './forwarded-request.js';

/** Header carrying the URL an unauthenticated browser should be sent to (nginx style). */
export const LOGIN_HEADER = 'X-Tenet-Login';
/** Header carrying the decision id on deny and step-up, so users can quote it to support. */
export const DECISION_HEADER = 'X-Tenet-Decision';

/** Headers of a rendered answer that describe its framing, not its meaning; sendAnswer sets its own. */
const FRAMING = ['content-length', 'transfer-encoding', 'connection', 'keep-alive'];

export async function forwardAuthAnswer(style: ForwardAuthStyle, verdict: Verdict, facts: HttpRequestFacts, render: RenderVerdict): Promise<Answer> {
  switch (verdict.kind) {
    case 'allow':
      return { status: 200, headers: { ...verdict.headers }, body: '' };
    case 'no-route':
      return jsonAnswer(403, 'no Tenet route protects this host and path', { host: facts.host });
    case 'method-not-allowed': {
      const rendered = await render(verdict, facts);
      const headers = withoutHeaders(rendered.headers, [...FRAMING, 'location']);
      return { status: style === 'nginx' ? 403 : 405, headers, body: rendered.body };
    }
    case 'deny': {
      const rendered = await render(verdict, facts);
      const headers = { ...withoutHeaders(rendered.headers, [...FRAMING, 'location']), [DECISION_HEADER]: verdict.decision.id };
      return { status: 403, headers, body: rendered.body };
    }
    case 'device-required': {
      const rendered = await render(verdict, facts);
      return { status: 403, headers: withoutHeaders(rendered.headers, [...FRAMING, 'location']), body: rendered.body };
    }
    case 'unauthenticated':
    case 'step-up': {
      const rendered = await render(verdict, facts);
      const decision = verdict.kind === 'step-up' ? { [DECISION_HEADER]: verdict.decision.id } : {};
      if (style === 'nginx') {
        const target = verdict.kind === 'step-up' ? verdict.stepUpUrl : verdict.loginUrl;
        const login = verdict.browser ? { [LOGIN_HEADER]: target } : {};
        return { status: 401, headers: { ...withoutHeaders(rendered.headers, [...FRAMING, 'location']), ...decision, ...login }, body: rendered.body };
      }
      // Fail closed: whatever the renderer says, a non-allow verdict is never a 2xx here.
      const status = rendered.status >= 300 ? rendered.status : 401;
      return { status, headers: { ...withoutHeaders(rendered.headers, FRAMING), ...decision }, body: rendered.body };
    }
  }
}
