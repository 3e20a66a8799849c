// What every collector reads from: a root directory (`/` on a real machine, a fixture tree in tests),
// a command runner and the environment. Collectors only read; none of them changes the system.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from './command-runner.js';

export interface CollectContext {
  readonly root: string;
  readonly run: CommandRunner;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A collected value, and why it is what it is when that is not obvious (always for `null`). */
export interface Observed<T> {
  readonly value: T;
  readonly detail?: string;
}

export function inRoot(context: CollectContext, path: string): string {
  return join(context.root, path);
}

/** The file's text, or undefined when it does not exist or cannot be read. */
export async function readText(context: CollectContext, path: string): Promise<string | undefined> {
  try {
    return await readFile(inRoot(context, path), 'utf8');
  } catch {
    return undefined;
  }
}

export async function listDirectory(context: CollectContext, path: string): Promise<string[] | undefined> {
  try {
    return (await readdir(inRoot(context, path))).sort();
  } catch {
    return undefined;
  }
}

export async function modifiedAt(context: CollectContext, path: string): Promise<Date | undefined> {
  try {
    return (await stat(inRoot(context, path))).mtime;
  } catch {
    return undefined;
  }
}
