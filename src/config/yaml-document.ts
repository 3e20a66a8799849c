// YAML files that people edit by hand (tenet.yaml, the dev IdP's users file): parsed with line
// positions, so every problem can name the line it is on. A syntax error is reported for every
// place at once, never as "unexpected token" without a location.
import { LineCounter, parseDocument } from 'yaml';
import { TenetError } from '../errors.js';

export interface YamlWithLines {
  /** The document as plain JavaScript values (`{}` for an empty file). */
  readonly value: unknown;
  /** The line a config path is on, when the file has a node there. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Parses YAML (duplicate keys are errors); throws TENET_ERR_CONFIG_INVALID listing every syntax error as `file:line:col`. */
export function parseYamlWithLines(text: string, file: string): YamlWithLines {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new TenetError(
      'TENET_ERR_CONFIG_INVALID',
      `${file} is not valid YAML`,
      document.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return { path: `${file}:${at.line}:${at.col}`, message: error.message.split('\n')[0] ?? error.message, hint: 'fix the YAML syntax' };
      }),
    );
  }
  return {
    value: document.toJS() ?? {},
    lineOf(path) {
      // Only the node at exactly this path: a missing key has no line of its own.
      const node = document.getIn(path.map((part) => (typeof part === 'symbol' ? String(part) : part)), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
      const key = path.at(-1);
      if (path.length > 0 && typeof key === 'string') {
        // Scalar values come back unwrapped for some nodes; fall back to the key's own position in its parent map.
        const parent = document.getIn(path.slice(0, -1).map(String), true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
        const pair = parent?.items?.find((item) => item.key?.value === key);
        if (pair?.key?.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
      return undefined;
    },
  };
}
