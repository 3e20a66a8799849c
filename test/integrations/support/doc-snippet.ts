// The configurations in docs/integrations/*.md are the copy-paste source users take; the real
// nginx / Caddy tests read them from there (a fenced block after `<!-- snippet: NAME -->`), so a
// tested configuration and a documented one cannot drift apart.
import { readFileSync } from 'node:fs';

export function docSnippet(docPath: string, name: string): string {
  const doc = readFileSync(docPath, 'utf8');
  const marker = `<!-- snippet: ${name} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`${docPath} has no ${marker}`);
  const block = /^```[a-z]*\n([\s\S]*?)^```$/m.exec(doc.slice(at + marker.length));
  if (block?.[1] === undefined) throw new Error(`${docPath}: no fenced code block after ${marker}`);
  return block[1];
}

/** Replaces every occurrence of each `from`; a `from` that is absent is an error (the doc changed: update the test). */
export function substitute(text: string, replacements: readonly (readonly [from: string, to: string])[]): string {
  let result = text;
  for (const [from, to] of replacements) {
    if (!result.includes(from)) throw new Error(`the documented configuration no longer contains ${JSON.stringify(from)}`);
    result = result.split(from).join(to);
  }
  return result;
}
