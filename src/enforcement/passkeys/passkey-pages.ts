// The two passkey pages (the user's passkeys; "confirm it's you" for a step-up) and how they are
// answered. Unlike the login pages these run a script, so their CSP allows scripts from this origin
// only (`script-src 'self'`: /.tenet/passkeys/webauthn.js and page.js) and no inline script at all;
// fetches may go to this origin only. INVARIANT: every dynamic value passes through escapeHtml.
import type { ServerResponse } from 'node:http';
import type { PasskeyCredential } from './passkey-credential.js';
import { escapeHtml } from '../access/render-verdict.js';

export const WEBAUTHN_SCRIPT_PATH = '/.tenet/passkeys/webauthn.js';
export const PAGE_SCRIPT_PATH = '/.tenet/passkeys/page.js';

const PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1b1b}' +
  'h1{font-size:1.4rem}a,button,input{font-size:1rem}button{padding:.4rem 1rem}' +
  'table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.3rem .8rem .3rem 0}';

export function answerScriptedPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n` +
    `<body><h1>${escapeHtml(title)}</h1>\n${body}\n<p id="status" role="status"></p>\n` +
    `<script src="${WEBAUTHN_SCRIPT_PATH}"></script><script src="${PAGE_SCRIPT_PATH}"></script>\n</body></html>\n`;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.writeHead(status);
  res.end(html);
}

/** The list of the user's passkeys with remove buttons, then either the registration form or the way to a fresh sign-in. */
export function passkeyListBody(passkeys: readonly PasskeyCredential[], registration: { readonly allowed: true } | { readonly allowed: false; readonly signInAgain: string }): string {
  const list =
    passkeys.length === 0
      ? '<p>You have no passkeys yet.</p>'
      : '<table><thead><tr><th>Name</th><th>Created</th><th>Last used</th><th>Synced</th><th></th></tr></thead><tbody>' +
        passkeys
          .map(
            (passkey) =>
              `<tr data-passkey="${escapeHtml(passkey.id)}"><td>${escapeHtml(passkey.name)}</td><td>${escapeHtml(day(passkey.createdAt))}</td>` +
              `<td>${escapeHtml(passkey.lastUsedAt === undefined ? 'never' : day(passkey.lastUsedAt))}</td>` +
              `<td>${passkey.deviceType === 'multiDevice' ? 'yes' : 'no (this device only)'}</td>` +
              `<td><button type="button" data-remove="${escapeHtml(passkey.id)}">Remove</button></td></tr>`,
          )
          .join('') +
        '</tbody></table>';
  const register = registration.allowed
    ? '<form id="register"><label>Name <input name="name" required maxlength="64" value="Passkey"></label> <button type="submit">Register a passkey</button></form>'
    : `<p>To register a passkey you must have signed in within the last 10 minutes.</p><p><a href="${escapeHtml(registration.signInAgain)}">Sign in again to register a passkey</a></p>`;
  return `<p>Passkeys let you confirm it is you with this device's screen lock or a security key, instead of signing in again at your identity provider.</p>\n${list}\n${register}`;
}

/** "Confirm it's you": one button that runs the assertion, and the way to the identity provider instead. */
export function stepUpBody(returnTo: string, idpHref: string, idpName: string): string {
  return (
    '<p>This application needs you to confirm it is you with a phishing-resistant method.</p>' +
    `<p><button type="button" id="use-passkey" data-rd="${escapeHtml(returnTo)}">Use your passkey</button></p>` +
    `<p><a id="use-idp" href="${escapeHtml(idpHref)}">Use ${escapeHtml(idpName)} instead</a></p>`
  );
}

function day(instant: string): string {
  return instant.slice(0, 16).replace('T', ' ');
}
