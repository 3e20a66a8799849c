// Tests for the `Type::"id"` text form of entity references.
import { describe, expect, it } from 'vitest';
import { formatEntityRef, parseEntityRefText } from './entity-ref-text.js';

describe('entity reference text', () => {
  it('parses simple, namespaced and escaped references', () => {
    expect(parseEntityRefText('User::"alice"')).toEqual({ type: 'User', id: 'alice' });
    expect(parseEntityRefText(' App::User::"a::b" ')).toEqual({ type: 'App::User', id: 'a::b' });
    expect(parseEntityRefText('User::"say \\"hi\\""')).toEqual({ type: 'User', id: 'say "hi"' });
    expect(parseEntityRefText('User::""')).toEqual({ type: 'User', id: '' });
  });

  it.each(['alice', 'User::alice', '::"alice"', '1User::"a"', 'User:"a"', 'User::"unterminated', 'User::"a" trailing', 'Us er::"a"'])('rejects %j', (text) => {
    expect(parseEntityRefText(text)).toBeUndefined();
  });

  it('round-trips through formatEntityRef', () => {
    const ref = { type: 'App::User', id: 'quote " back \\ slash' };
    expect(parseEntityRefText(formatEntityRef(ref))).toEqual(ref);
  });
});
