// PEM text (RFC 7468) ↔ DER bytes. Strict on input: a caller that expects one block of a given
// label gets exactly that, and anything else in the text is an error rather than silently ignored.

/** DER → PEM with the given label, base64 in 64-character lines (RFC 7468 §2). */
export function toPem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n\t ]*?)-----END \1-----/g;

/**
 * Every PEM block in `text`, in order. Returns undefined when anything other than whitespace
 * lies outside the blocks, or a body is not strict base64 (RFC 7468 §3 `strictbase64text`).
 */
export function readPemBlocks(text: string): PemBlock[] | undefined {
  const blocks: PemBlock[] = [];
  let outside = '';
  let last = 0;
  for (const match of text.matchAll(BLOCK)) {
    outside += text.slice(last, match.index);
    last = match.index + match[0].length;
    const base64 = (match[2] ?? '').replace(/\s+/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) return undefined;
    blocks.push({ label: match[1] ?? '', der: Buffer.from(base64, 'base64') });
  }
  outside += text.slice(last);
  return outside.trim() === '' ? blocks : undefined;
}
