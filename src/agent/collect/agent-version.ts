// The agent's version: Tenet's package.json, found by walking up from this file (the same code runs
// from src/ through tsx and from a build in dist/, which sit at different depths).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function agentVersion(): string {
  if (cached !== undefined) return cached;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'tenet' && typeof manifest.version === 'string') {
        cached = manifest.version.slice(0, 32);
        return cached;
      }
    } catch {
      // not here: keep walking up
    }
    directory = dirname(directory);
  }
  cached = 'unknown';
  return cached;
}
