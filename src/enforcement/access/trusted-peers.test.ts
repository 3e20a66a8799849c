import { describe, expect, it } from 'vitest';
import { isTenetError } from '../../errors.js';
import { canonicalIp, trustedPeers } from './trusted-peers.js';

describe('trustedPeers', () => {
  const isTrusted = trustedPeers(['127.0.0.1/32', '10.0.0.0/8', '::1/128', '2001:db8::/32', '192.0.2.7']);

  it.each([
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true], // how a dual-stack socket reports an IPv4 peer
    ['10.200.3.4', true],
    ['11.0.0.1', false],
    ['::1', true],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['192.0.2.7', true], // a bare address is a /32
    ['192.0.2.8', false],
    ['127.1', false], // not a four-part address: never trusted
    ['localhost', false],
    [undefined, false],
  ])('%s → %s', (address, expected) => {
    expect(isTrusted(address)).toBe(expected);
  });

  it('trusts nobody when the list is empty', () => {
    expect(trustedPeers([])('127.0.0.1')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'not-an-ip', '10.0.0.0/', '::1/129', '10.0.0.0/8/8'])('refuses the invalid range %s with a config error naming its index', (cidr) => {
    try {
      trustedPeers(['127.0.0.1/32', cidr]);
      expect.unreachable();
    } catch (error) {
      expect(isTenetError(error) && error.code).toBe('TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY');
      expect(isTenetError(error) && error.issues[0]?.path).toBe('proxy.trustedProxies[1]');
    }
  });
});

describe('canonicalIp', () => {
  it.each([
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['1.2.3', undefined],
    ['', undefined],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });
});
