// Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the message, so a proxy
// removes them in both directions, together with every header the Connection field names.
// Proxy-* headers (credentials for a proxy, RFC 9110 §11.7) are never forwarded either.

const ALWAYS_HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Lower-case names to drop from a message with these raw headers (name, value, name, value…). */
export function hopByHopNames(rawHeaders: readonly string[]): (name: string) => boolean {
  const named = new Set<string>();
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] ?? '').toLowerCase() !== 'connection') continue;
    for (const token of (rawHeaders[index + 1] ?? '').split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') named.add(name);
    }
  }
  return (name) => ALWAYS_HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named.has(name);
}
