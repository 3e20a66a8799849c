// How a refusal looks on the wire, the same from every HTTP enforcement point: browsers get a
// redirect or a small HTML page, API clients get a status code with JSON. Deny answers name the
// reasons (their messages are written to be safe for end users) and the decision id, so support
// can find the log record; they never include policy text, risk scores or signal values.
import type { Decision } from '../../engine/decision.js';
import type { HttpRequestFacts, Verdict } from './http-access.js';

export interface RenderedAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type Refusal = Exclude<Verdict, { kind: 'allow' }>;

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

const HTML_HEADERS = {
  ...COMMON_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
} as const;

const JSON_HEADERS = { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8' } as const;

export function renderVerdict(verdict: Refusal, _facts?: HttpRequestFacts): RenderedAnswer {
  switch (verdict.kind) {
    case 'unauthenticated':
      if (verdict.browser) return redirect(verdict.loginUrl);
      return json(401, { error: 'unauthenticated', message: 'sign in first', login_url: verdict.loginUrl }, { 'www-authenticate': 'Bearer realm="tenet"' });
    case 'step-up': {
      if (verdict.browser) return redirect(verdict.stepUpUrl);
      const stepUp = verdict.decision.obligations.stepUp;
      // RFC 9470 (OAuth 2.0 Step Up Authentication Challenge): tell the client what to obtain.
      const challenge = `Bearer error="insufficient_user_authentication", error_description="stronger or more recent authentication required"${stepUp === undefined ? '' : `, max_age="${stepUp.maxAgeSeconds}"`}`;
      return json(
        401,
        {
          error: 'step_up_required',
          decision_id: verdict.decision.id,
          requirement: stepUp === undefined ? {} : { phishing_resistant: stepUp.phishingResistant, max_age_seconds: stepUp.maxAgeSeconds },
          step_up_url: verdict.stepUpUrl,
        },
        { 'www-authenticate': challenge },
      );
    }
    case 'deny':
      return verdict.browser ? html(403, denyPage(verdict.decision)) : json(403, { error: 'access_denied', decision_id: verdict.decision.id, reasons: denyReasons(verdict.decision) });
    case 'device-required':
      // 403, not 401: signing in again cannot help, only a registered device certificate can.
      return verdict.browser ? html(403, deviceRequiredPage(verdict.problem)) : json(403, { error: 'device_certificate_required', problem: verdict.problem });
    case 'no-route':
      return verdict.browser ? html(404, page('Not found', '<p>No application is configured at this address.</p>')) : json(404, { error: 'not_found', message: 'no route for this host and path' });
    case 'method-not-allowed': {
      const allow = Object.keys(verdict.route.actions).sort().join(', ');
      const body = verdict.browser ? page('Method not allowed', '<p>This application does not accept this kind of request.</p>') : JSON.stringify({ error: 'method_not_allowed', allow });
      return { status: 405, headers: { ...(verdict.browser ? HTML_HEADERS : JSON_HEADERS), allow }, body };
    }
  }
}

function denyReasons(decision: Decision): { code: string; message: string; detail?: string }[] {
  return decision.reasons
    .filter((reason) => reason.effect === 'deny')
    .map((reason) => ({ code: reason.code, message: reason.message, ...(reason.detail === undefined ? {} : { detail: reason.detail }) }));
}

function denyPage(decision: Decision): string {
  const reasons = denyReasons(decision);
  const items = reasons.length === 0 ? '<li>No policy allows this request.</li>' : reasons.map((reason) => `<li>${escapeHtml(reason.message)} <code>${escapeHtml(reason.detail === undefined ? reason.code : `${reason.code}: ${reason.detail}`)}</code></li>`).join('');
  return page(
    'Access denied',
    `<p>Tenet denied this request.</p><ul>${items}</ul><p>Decision id: <code>${escapeHtml(decision.id)}</code> — quote it when you ask for help.</p>`,
  );
}

function deviceRequiredPage(problem: string): string {
  return page(
    'A registered device is required',
    `<p>This application only accepts requests from devices registered with Tenet, which prove themselves with a device certificate. Tenet did not accept one from this browser: ${escapeHtml(problem)}.</p>` +
      '<p>To register this device, install the Tenet agent, run <code>tenet agent enroll --server &lt;this site&gt;</code> and approve the device at the link it prints (or use the enrollment token your administrator gives you). Then make the certificate available to the browser — your organisation\'s device management may install it for you; otherwise import it as described in the Tenet device guide — close the browser completely and open this page again, choosing the Tenet device certificate when the browser asks.</p>' +
      '<p>Administrators: see <code>docs/devices.md</code> in the Tenet documentation.</p>',
  );
}

export function page(title: string, bodyHtml: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:0 .2em}h1{font-size:1.4rem}</style></head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;
}

/** Escapes text for HTML element content and double- or single-quoted attribute values (every HTML page Tenet's PEPs serve uses this). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function redirect(location: string): RenderedAnswer {
  return { status: 302, headers: { ...COMMON_HEADERS, location, 'content-type': 'text/plain; charset=utf-8' }, body: `Redirecting to ${location}\n` };
}

function html(status: number, body: string): RenderedAnswer {
  return { status, headers: { ...HTML_HEADERS }, body };
}

function json(status: number, value: unknown, extra: Record<string, string> = {}): RenderedAnswer {
  return { status, headers: { ...JSON_HEADERS, ...extra }, body: JSON.stringify(value) };
}
