// The development IdP's HTML: one plain layout with a loud "not for production" banner, the login
// form, the logout confirmation and the error page. Every value that comes from a request or a file
// goes through `escapeHtml`; the only unescaped inserts are forms oidc-provider builds itself.

export const BANNER_TEXT = 'Tenet development IdP — NOT FOR PRODUCTION';

/** Headers for every page: no caching, no framing (clickjacking), no inline scripts, no referrer. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f4; color: #222; }
  .banner { background: #b00020; color: #fff; font-weight: 700; text-align: center; padding: .8em; letter-spacing: .03em; }
  main { max-width: 26em; margin: 2em auto; background: #fff; padding: 1.5em 2em; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
  label { display: block; margin-top: 1em; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5em; font-size: 1em; }
  button { margin-top: 1.2em; padding: .6em 1.2em; font-size: 1em; }
  .error { color: #b00020; font-weight: 600; }
  .note { color: #555; font-size: .9em; }
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(BANNER_TEXT)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="banner" role="alert">${escapeHtml(BANNER_TEXT)}</div>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export interface LoginPageInput {
  /** The form's action (the interaction's own URL path). */
  readonly action: string;
  readonly clientId: string;
  readonly username?: string;
  readonly error?: string;
  /** Why the login is asked for again (max_age, prompt=login, a stronger acr). */
  readonly reason?: string;
  /** Pre-tick "use my security key" (the client asked for acr "phr"). */
  readonly securityKeyRequested: boolean;
}

export function loginPage(input: LoginPageInput): string {
  const username = input.username ?? '';
  // Focus the first field still to fill in.
  const focusUser = username === '' ? ' autofocus' : '';
  const focusPassword = username === '' ? '' : ' autofocus';
  return page(
    'Sign in',
    `<p>to <strong>${escapeHtml(input.clientId)}</strong></p>
${input.reason ? `<p class="note">${escapeHtml(input.reason)}</p>` : ''}
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="off">
<label>Username <input type="text" name="username" value="${escapeHtml(username)}" required${focusUser}></label>
<label>Password <input type="password" name="password" required${focusPassword}></label>
<label><input type="checkbox" name="securityKey" value="yes"${input.securityKeyRequested ? ' checked' : ''}> Also use my security key (simulated; acr "phr", amr "hwk")</label>
<button type="submit">Sign in</button>
</form>
<p class="note">Demo users come from the users file given to <code>tenet dev-idp --users</code>.</p>`,
  );
}

export function errorPage(title: string, fields: Readonly<Record<string, string | undefined>>): string {
  const rows = Object.entries(fields)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`)
    .join('\n');
  return page(title, rows);
}

/** `form` is oidc-provider's own hidden-field form (its anti-CSRF `xsrf` secret); the buttons submit it. */
export function logoutConfirmPage(form: string, host: string): string {
  return page(
    'Sign out',
    `<p>Sign out of the development IdP at ${escapeHtml(host)}?</p>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

export function loggedOutPage(): string {
  return page('Signed out', '<p>You are signed out of the development IdP.</p>');
}
