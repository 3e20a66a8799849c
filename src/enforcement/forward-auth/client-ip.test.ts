import { describe, expect, it } from 'vitest';
import { clientIpFromForwardedFor } from './client-ip.js';
import { trustedPeers } from '../access/trusted-peers.js';

describe('clientIpFromForwardedFor', () => {
  const isTrusted = trustedPeers(['127.0.0.1/32', '10.0.0.0/8']);

  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['6.6.6.6, 203.0.113.5', '203.0.113.5'], // the left part is whatever the client wrote
    ['6.6.6.6, 203.0.113.5, 10.1.1.1, 127.0.0.1', '203.0.113.5'],
    [['6.6.6.6', '203.0.113.5, 10.1.1.1'], '203.0.113.5'], // several header lines are one list
    ['10.1.1.1, 127.0.0.1', '10.1.1.1'], // all trusted: where the request entered
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['203.0.113.5:4711', '203.0.113.5'], // some proxies append the port
    ['[2001:db8::1]:443, 127.0.0.1', '2001:db8::1'],
  ])('%j → %s', (value, ip) => {
    expect(clientIpFromForwardedFor(value, isTrusted)).toEqual({ ok: true, ip });
  });

  it.each(['', ' , ', 'unknown', '203.0.113.5, _hidden'])('refuses %j', (value) => {
    expect(clientIpFromForwardedFor(value, isTrusted).ok).toBe(false);
  });
});
