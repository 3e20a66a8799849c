// The development IdP's users file (YAML): demo users and, optionally, the OAuth clients allowed to
// log them in. Validated with zod; every problem is reported at once with its path and line, and
// nothing is half-loaded. Passwords here are demo passwords in plain text: this file is for the
// bundled development IdP only, never for real accounts.
import { readFileSync } from 'node:fs';
import { parseYamlWithLines, type YamlWithLines } from '../config/yaml-document.js';
import { z } from 'zod';
import { TenetError, type ErrorIssue } from '../errors.js';

/** RFC 8176 `amr` values a demo user can present: a password, and optionally a (simulated) hardware key. */
export const DEV_AMR_VALUES = ['pwd', 'hwk'] as const;
export type DevAmr = (typeof DEV_AMR_VALUES)[number];

const absoluteUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), { message: 'expected an http:// or https:// URL' })
  // RFC 6749 §3.1.2: a redirection endpoint URI must not include a fragment component.
  .refine((value) => !value.includes('#'), { message: 'must not contain a fragment (#)' });

const userSchema = z.strictObject({
  username: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'expected 1-64 letters, digits, ".", "_", "@" or "-"')
    .describe('Login name typed into the login form.'),
  password: z.string().min(1, 'must not be empty').describe('Demo password (plain text: development only).'),
  sub: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('OIDC subject (`sub` claim); defaults to the username.'),
  email: z.email().describe('`email` claim.'),
  name: z.string().min(1).describe('`name` claim.'),
  groups: z.array(z.string().min(1)).default([]).describe('`groups` claim.'),
  amr: z
    .array(z.enum(DEV_AMR_VALUES))
    .min(1)
    .refine((values) => values.includes('pwd'), { message: 'must include "pwd" (the login form always asks for a password)' })
    .default(['pwd'])
    .describe('Authentication methods the user can present; "hwk" lets the login form simulate a security key (acr "phr").'),
});

const clientSchema = z.strictObject({
  clientId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected 1-128 letters, digits, ".", "_" or "-"'),
  clientSecret: z.string().min(16, 'must be at least 16 characters (even a dev secret should not be guessable)'),
  redirectUris: z.array(absoluteUrl).min(1, 'list at least one redirect URI'),
  postLogoutRedirectUris: z.array(absoluteUrl).default([]),
  backchannelLogoutUri: absoluteUrl.optional(),
  tokenEndpointAuthMethod: z
    .enum(['client_secret_basic', 'client_secret_post'])
    .default('client_secret_basic')
    .describe('How the client authenticates at the token endpoint (RFC 7591 §2).'),
});

const devIdpFileSchema = z.strictObject({
  users: z.array(userSchema).min(1, 'list at least one user'),
  clients: z.array(clientSchema).default([]),
});

export type DevUserInput = z.input<typeof userSchema>;
export type DevClientInput = z.input<typeof clientSchema>;

/** A demo user, validated, with `sub` resolved. */
export interface DevUser {
  readonly username: string;
  readonly password: string;
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly amr: readonly DevAmr[];
}

/** An OAuth client (relying party) registered at the development IdP. */
export interface DevClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly backchannelLogoutUri?: string;
  readonly tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

export interface DevIdpFile {
  readonly users: readonly DevUser[];
  readonly clients: readonly DevClient[];
}

export function loadDevIdpFile(path: string): DevIdpFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TenetError('TENET_ERR_CONFIG_UNREADABLE', `cannot read the dev IdP users file ${path}`, [
      { path, message: (error as Error).message, hint: 'pass a YAML file with --users (see examples/quickstart/idp-users.yaml)' },
    ]);
  }
  return parseDevIdpFile(text, path);
}

export function parseDevIdpFile(text: string, file: string): DevIdpFile {
  const yaml = parseYamlWithLines(text, file);
  const parsed = devIdpFileSchema.safeParse(yaml.value);
  const where = (path: readonly PropertyKey[]) => {
    const dotted = path.length === 0 ? '(top level)' : path.map(String).join('.');
    const line = nearestLine(yaml, path);
    return line === undefined ? dotted : `${dotted} (line ${line})`;
  };
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue): ErrorIssue[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: where([...issue.path, key]), message: `unknown key "${key}"`, hint: 'see docs/dev-idp.md for the file format' }))
        : [{ path: where(issue.path), message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message }],
    );
    throw new TenetError('TENET_ERR_CONFIG_INVALID', `${file} has ${issues.length} problem(s)`, issues);
  }
  const users = parsed.data.users.map((user): DevUser => ({ ...user, sub: user.sub ?? user.username }));
  const clients = parsed.data.clients.map(toDevClient);
  const issues = [
    ...duplicates(users.map((user) => user.username), (index) => where(['users', index, 'username']), 'username'),
    ...duplicates(users.map((user) => user.sub), (index) => where(['users', index]), 'sub'),
    ...duplicates(clients.map((client) => client.clientId), (index) => where(['clients', index, 'clientId']), 'clientId'),
  ];
  if (issues.length > 0) throw new TenetError('TENET_ERR_CONFIG_INVALID', `${file} has ${issues.length} problem(s)`, issues);
  return { users, clients };
}

/** Validates one client given another way (the CLI's --client-* flags); same rules as the file. */
export function parseDevClient(input: unknown, origin: string): DevClient {
  const parsed = clientSchema.safeParse(input);
  if (!parsed.success) {
    throw new TenetError(
      'TENET_ERR_CONFIG_INVALID',
      `the client given by ${origin} is invalid`,
      parsed.error.issues.map((issue) => ({ path: issue.path.length === 0 ? origin : issue.path.map(String).join('.'), message: issue.message })),
    );
  }
  return toDevClient(parsed.data);
}

function toDevClient(client: z.output<typeof clientSchema>): DevClient {
  const { backchannelLogoutUri, ...rest } = client;
  return backchannelLogoutUri === undefined ? rest : { ...rest, backchannelLogoutUri };
}

function duplicates(values: readonly string[], where: (index: number) => string, what: string): ErrorIssue[] {
  const seen = new Map<string, number>();
  const issues: ErrorIssue[] = [];
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else issues.push({ path: where(index), message: `${what} "${value}" is used twice (first at index ${first})`, hint: `each ${what} must be unique` });
  });
  return issues;
}

/** The line of the nearest node that exists: a missing key has no line of its own, its parent does. */
function nearestLine(yaml: YamlWithLines, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const line = yaml.lineOf(path.slice(0, length));
    if (line !== undefined) return line;
  }
  return undefined;
}
