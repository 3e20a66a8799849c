// Turns character offsets reported by cedar-wasm into `file:line:col` for error messages.

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lastBreak = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - lastBreak };
}

export function sourceLocation(file: string, text: string, offset: number): string {
  const { line, column } = lineAndColumn(text, offset);
  return `${file}:${line}:${column}`;
}
