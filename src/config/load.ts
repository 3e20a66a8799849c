// Loads and validates tenet.yaml. Every problem is reported at once, each with its path, the line
// in the file, and a hint; nothing is half-loaded. Input paths in the file are resolved relative to
// the config file's directory; the store path relative to the working directory.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import type { z } from 'zod';
import { TenetError, type ErrorIssue } from '../errors.js';
import { configSchema, type TenetConfig } from './schema.js';
import { knownKeysAt, suggestKey } from './schema-keys.js';
import { checkEnforcement } from './enforcement-checks.js';
import { checkDevices } from './device-checks.js';
import { parseYamlWithLines } from './yaml-document.js';

export interface LoadedConfig {
  readonly config: TenetConfig;
  /** Absolute path of the config file. */
  readonly file: string;
  /** Directory that relative input paths are resolved against. */
  readonly baseDir: string;
  /** Non-fatal problems to log loudly (e.g. api.auth none). */
  readonly warnings: readonly string[];
}

export interface LoadOptions {
  /** Overrides `listen` (the `--listen` flag); validated like the config key. */
  readonly listen?: string;
}

export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new TenetError('TENET_ERR_CONFIG_UNREADABLE', `cannot read config file ${absolute}`, [
      { path: absolute, message: (error as Error).message, hint: 'pass the path of a tenet.yaml with --config' },
    ]);
  }
  return parseConfig(text, absolute, options);
}

export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const yaml = parseYamlWithLines(text, file);
  const raw = yaml.value;
  const input = options.listen === undefined ? raw : { ...(raw as object), listen: options.listen };
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => describeIssue(issue, (path) => yaml.lineOf(path)));
    throw new TenetError('TENET_ERR_CONFIG_INVALID', `${file} has ${issues.length} problem(s)`, issues);
  }
  const baseDir = dirname(file);
  const { issues, warnings } = checkSemantics(parsed.data, baseDir);
  if (issues.length > 0) throw new TenetError('TENET_ERR_CONFIG_INVALID', `${file} has ${issues.length} problem(s)`, issues);
  return { config: parsed.data, file, baseDir, warnings };
}

/** Resolves a path from the config file against its directory. */
export function resolveInput(loaded: LoadedConfig, path: string): string {
  return resolve(loaded.baseDir, path);
}

function describeIssue(issue: z.core.$ZodIssue, line: (path: readonly PropertyKey[]) => number | undefined): ErrorIssue[] {
  const where = (path: readonly PropertyKey[]) => {
    const at = line(path);
    const dotted = path.length === 0 ? '(top level)' : path.map(String).join('.');
    return at === undefined ? dotted : `${dotted} (line ${at})`;
  };
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = suggestKey(key, knownKeysAt(configSchema, issue.path));
      return {
        path: where([...issue.path, key]),
        message: `unknown key "${key}"`,
        hint: suggestion ? `did you mean "${suggestion}"?` : 'remove it; `tenet config reference` lists every key',
      };
    });
  }
  if (issue.code === 'invalid_key') {
    // A record key that failed its own rule (e.g. routes[].actions keys must be HTTP methods): say which rule.
    const key = issue.path.at(-1);
    const rule = issue.issues[0]?.message ?? issue.message;
    return [{ path: where(issue.path), message: key === undefined ? rule : `key "${String(key)}": ${rule}`, hint: 'see `tenet config reference`' }];
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ path: where(issue.path), message: 'is required', hint: 'see `tenet config reference`' }];
  }
  return [{ path: where(issue.path), message: issue.message, hint: 'see `tenet config reference`' }];
}

function checkSemantics(config: TenetConfig, baseDir: string): { issues: ErrorIssue[]; warnings: string[] } {
  const issues: ErrorIssue[] = [];
  const warnings: string[] = [];
  const policiesDir = resolve(baseDir, config.policies);
  if (!isDirectory(policiesDir)) {
    issues.push({ path: 'policies', message: `not a directory: ${policiesDir}`, hint: 'point it at the folder holding your .cedar files' });
  }
  config.entities.forEach((file, index) => requireFile(issues, `entities.${index}`, resolve(baseDir, file)));
  config.signals.devices.forEach((source, index) => requireFile(issues, `signals.devices.${index}.file`, resolve(baseDir, source.file)));
  config.signals.threatIntel.forEach((source, index) => source.file !== undefined && requireFile(issues, `signals.threatIntel.${index}.file`, resolve(baseDir, source.file)));
  if (config.audit.signingKey) requireFile(issues, 'audit.signingKey', resolve(baseDir, config.audit.signingKey));

  if (config.api.auth === 'none') {
    if (!isLoopback(config.listen)) {
      issues.push({
        path: 'api.auth',
        message: `"none" is only allowed when listening on loopback, not ${config.listen}`,
        hint: 'use auth: token (create one with `tenet token create`) or listen on 127.0.0.1 / [::1]',
      });
    } else {
      warnings.push('api.auth is "none": any local process can ask for decisions and change signals. Development only.');
    }
  }
  if (config.api.auth === 'mtls' && !config.api.tls?.clientCa) {
    issues.push({ path: 'api.tls.clientCa', message: 'is required when api.auth is mtls', hint: 'the PEM CA bundle that signs your PEPs\' client certificates' });
  }
  if (config.api.tls) {
    requireFile(issues, 'api.tls.cert', resolve(baseDir, config.api.tls.cert));
    requireFile(issues, 'api.tls.key', resolve(baseDir, config.api.tls.key));
    if (config.api.tls.clientCa) requireFile(issues, 'api.tls.clientCa', resolve(baseDir, config.api.tls.clientCa));
  }
  const seen = new Map<string, number>();
  config.resources.forEach((rule, index) => {
    const key = `${rule.type}::${rule.id ?? '*'}`;
    const first = seen.get(key);
    if (first !== undefined) issues.push({ path: `resources.${index}`, message: `duplicates resources.${first} (${key})`, hint: 'keep one sensitivity per resource' });
    else seen.set(key, index);
  });
  const names = new Set<string>();
  config.signals.threatIntel.forEach((source, index) => {
    if (names.has(source.source)) issues.push({ path: `signals.threatIntel.${index}.source`, message: `source "${source.source}" is used twice`, hint: 'each feed needs its own source name, since reloading replaces by source' });
    names.add(source.source);
  });
  const enforcement = checkEnforcement(config, baseDir, requireFile);
  const devices = checkDevices(config, baseDir, requireFile);
  return { issues: [...issues, ...enforcement.issues, ...devices.issues], warnings: [...warnings, ...enforcement.warnings, ...devices.warnings] };
}

function requireFile(issues: ErrorIssue[], path: string, absolute: string): void {
  try {
    if (statSync(absolute).isFile()) return;
  } catch {
    // reported below
  }
  issues.push({ path, message: `file not found: ${absolute}`, hint: 'paths are relative to the config file' });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopback(listen: string): boolean {
  const host = listen.slice(0, listen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
