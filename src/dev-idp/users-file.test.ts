import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTenetError, type TenetError } from '../errors.js';
import { loadDevIdpFile, parseDevClient, parseDevIdpFile } from './users-file.js';

const QUICKSTART_USERS = resolve(import.meta.dirname, '..', '..', 'examples', 'quickstart', 'idp-users.yaml');

function problems(run: () => unknown): TenetError {
  try {
    run();
  } catch (error) {
    if (isTenetError(error)) return error;
    throw error;
  }
  throw new Error('expected a TenetError');
}

describe('dev IdP users file', () => {
  it('loads the quickstart file: users whose sub is the Cedar user id, and the tenet client with back-channel logout', () => {
    const file = loadDevIdpFile(QUICKSTART_USERS);
    expect(file.users.map((user) => [user.username, user.sub, user.groups])).toEqual([
      ['alice', 'alice', ['employees', 'finance', 'admins']],
      ['bob', 'bob', ['employees']],
      ['carol', 'carol', ['employees', 'finance']],
      ['mallory', 'mallory', []],
    ]);
    expect(file.users.find((user) => user.username === 'alice')?.amr).toEqual(['pwd', 'hwk']);
    expect(file.users.find((user) => user.username === 'carol')?.amr).toEqual(['pwd']);
    expect(file.clients).toEqual([
      {
        clientId: 'tenet',
        clientSecret: 'tenet-quickstart-dev-secret',
        redirectUris: ['https://localhost:8443/.tenet/callback'],
        postLogoutRedirectUris: ['https://localhost:8443/.tenet/logged-out'],
        backchannelLogoutUri: 'https://localhost:8443/.tenet/backchannel-logout',
        tokenEndpointAuthMethod: 'client_secret_basic',
      },
    ]);
  });

  it('reports every problem at once, each with its path and line', () => {
    const text = [
      'users:', //                                   1
      '  - username: alice', //                      2
      '    password: pw', //                         3
      '    name: Alice', //                          4
      '    amr: [hwk]', //                           5
      '    colour: blue', //                         6
      '  - username: alice', //                      7
      '    password: pw', //                         8
      '    email: alice@example.com', //             9
      '    name: Alice Again', //                    10
      'clients:', //                                 11
      '  - clientId: tenet', //                      12
      '    clientSecret: short', //                  13
      '    redirectUris: ["https://rp.test/cb#x"]', // 14
    ].join('\n');
    const error = problems(() => parseDevIdpFile(text, 'users.yaml'));
    expect(error.code).toBe('TENET_ERR_CONFIG_INVALID');
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
    expect(byPath).toMatchObject({
      'users.0.email (line 2)': 'is required',
      'users.0.amr (line 5)': expect.stringContaining('must include "pwd"'),
      'users.0.colour (line 6)': 'unknown key "colour"',
      'clients.0.clientSecret (line 13)': expect.stringContaining('at least 16 characters'),
      'clients.0.redirectUris.0 (line 14)': expect.stringContaining('fragment'),
    });
  });

  it('refuses duplicate usernames, subjects and client ids', () => {
    const text = `
users:
  - { username: alice, password: a, email: a@example.com, name: A }
  - { username: alice, password: b, email: b@example.com, name: B, sub: bob }
  - { username: bob, password: c, email: c@example.com, name: C }
clients:
  - { clientId: tenet, clientSecret: 0123456789abcdef, redirectUris: [https://rp.test/cb] }
  - { clientId: tenet, clientSecret: 0123456789abcdef, redirectUris: [https://rp.test/cb] }
`;
    const messages = problems(() => parseDevIdpFile(text, 'users.yaml')).issues.map((issue) => `${issue.path}: ${issue.message}`);
    expect(messages).toEqual([
      'users.1.username (line 4): username "alice" is used twice (first at index 0)',
      'users.2 (line 5): sub "bob" is used twice (first at index 1)',
      'clients.1.clientId (line 8): clientId "tenet" is used twice (first at index 0)',
    ]);
  });

  it('reports YAML syntax errors with line and column, and an unreadable file', () => {
    const syntax = problems(() => parseDevIdpFile('users:\n  - username: [alice\n', 'users.yaml'));
    expect(syntax.message).toBe('users.yaml is not valid YAML');
    expect(syntax.issues[0]?.path).toMatch(/^users\.yaml:\d+:\d+$/);
    expect(problems(() => loadDevIdpFile('/nonexistent/users.yaml')).code).toBe('TENET_ERR_CONFIG_UNREADABLE');
  });

  it('validates a client given by flags with the same rules', () => {
    expect(parseDevClient({ clientId: 'rp', clientSecret: 'a-long-enough-secret', redirectUris: ['http://127.0.0.1:3000/cb'] }, 'flags')).toEqual({
      clientId: 'rp',
      clientSecret: 'a-long-enough-secret',
      redirectUris: ['http://127.0.0.1:3000/cb'],
      postLogoutRedirectUris: [],
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    const error = problems(() => parseDevClient({ clientId: 'rp', clientSecret: 'a-long-enough-secret', redirectUris: [] }, '--redirect-uri'));
    expect(error.issues).toEqual([{ path: 'redirectUris', message: 'list at least one redirect URI' }]);
  });
});
