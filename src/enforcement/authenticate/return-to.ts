// Checks the post-login return address (`rd`) so the login endpoint can never be used as an open
// redirect (OAuth 2.0 Security BCP RFC 9700 §4.11; CWE-601). Only an absolute http(s) URL written
// plainly is accepted: browsers and the WHATWG URL parser repair many malformed inputs
// (`https:evil`, `https:\\evil`, `//evil`, tabs inside the scheme) into other hosts, so anything
// the parser would have to repair is refused before the host is compared with our own hosts.

export type ReturnToCheck = { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly problem: string };

const MAX_LENGTH = 4096;
// An authority must follow the scheme literally: scheme "://" then a host character.
const PLAIN_ABSOLUTE = /^(https?):\/\/[A-Za-z0-9[]/i;

/** Parses `raw` and checks it names one of our hosts (`allowed`). */
export function checkReturnTo(raw: string | undefined, allowed: (url: URL) => boolean): ReturnToCheck {
  if (raw === undefined || raw === '') return { ok: false, problem: 'The sign-in link does not say where to return to (the rd parameter is missing).' };
  if (raw.length > MAX_LENGTH) return { ok: false, problem: 'The return address (rd) is too long.' };
  if (hasForbiddenCharacter(raw)) return { ok: false, problem: 'The return address (rd) contains characters that are not allowed.' };
  const plain = PLAIN_ABSOLUTE.exec(raw);
  if (plain === null) return { ok: false, problem: 'The return address (rd) must be an absolute http:// or https:// address.' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'The return address (rd) is not a valid URL.' };
  }
  // INVARIANT: the parsed scheme is the one written; the parser did not reinterpret the input.
  if (url.protocol !== `${plain[1]?.toLowerCase()}:`) return { ok: false, problem: 'The return address (rd) is not a plain http(s) URL.' };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'The return address (rd) must not contain a user name or password.' };
  if (url.hostname === '') return { ok: false, problem: 'The return address (rd) has no host.' };
  if (!allowed(url)) return { ok: false, problem: `The return address (rd) points to ${url.host}, which is not an application protected here.` };
  return { ok: true, url };
}

/** Controls, space, DEL and backslash: the URL parser strips or rewrites them, so they only ever serve to make one URL look like another. */
function hasForbiddenCharacter(raw: string): boolean {
  for (let index = 0; index < raw.length; index += 1) {
    const code = raw.charCodeAt(index);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}
