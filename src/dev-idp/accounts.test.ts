import { describe, expect, it } from 'vitest';
import { acrSatisfies, DevAccounts } from './accounts.js';
import type { DevUser } from './users-file.js';

const alice: DevUser = { username: 'alice', password: 'alice-pw', sub: 'User-1', email: 'alice@example.com', name: 'Alice', groups: ['employees'], amr: ['pwd', 'hwk'] };
const bob: DevUser = { username: 'bob', password: 'bob-pw', sub: 'bob', email: 'bob@example.com', name: 'Bob', groups: [], amr: ['pwd'] };
const accounts = new DevAccounts([alice, bob]);

describe('dev IdP accounts', () => {
  it.each([
    ['alice', 'alice-pw', 'User-1'],
    ['alice', 'bob-pw', undefined],
    ['alice', 'alice-pw ', undefined],
    ['alice', '', undefined],
    ['bob', 'bob-pw', 'bob'],
    ['nobody', 'alice-pw', undefined],
    ['Alice', 'alice-pw', undefined],
  ])('verifyPassword(%j, %j) → %j', (username, password, sub) => {
    expect(accounts.verifyPassword(username, password)?.sub).toBe(sub);
  });

  it('finds users by sub and describes their claims', () => {
    expect(accounts.bySub('User-1')).toBe(alice);
    expect(accounts.bySub('alice')).toBeUndefined();
    expect(DevAccounts.claims(alice)).toEqual({ sub: 'User-1', email: 'alice@example.com', email_verified: true, name: 'Alice', preferred_username: 'alice', groups: ['employees'] });
  });

  it('authenticates with the security key only for users who have one', () => {
    expect(DevAccounts.authentication(alice, false)).toMatchObject({ amr: ['pwd'], acr: 'pwd' });
    expect(DevAccounts.authentication(alice, true)).toMatchObject({ amr: ['hwk', 'pwd'], acr: 'phr' });
    expect(DevAccounts.authentication(bob, false)).toMatchObject({ amr: ['pwd'], acr: 'pwd' });
    expect(DevAccounts.authentication(bob, true)).toBeUndefined();
  });

  it.each([
    [undefined, ['pwd'], false],
    ['pwd', ['pwd'], true],
    ['pwd', ['phr'], false],
    ['pwd', ['phr', 'pwd'], true],
    ['phr', ['pwd'], true],
    ['phr', ['phr'], true],
    ['pwd', ['urn:unknown:acr'], true],
    ['pwd', ['urn:unknown:acr', 'phr'], false],
  ] as const)('acrSatisfies(%j, %j) → %j', (current, requested, expected) => {
    expect(acrSatisfies(current, requested)).toBe(expected);
  });
});
