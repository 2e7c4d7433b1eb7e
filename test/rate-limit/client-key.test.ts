import { describe, expect, it } from 'vitest';
import { clientKey } from '../../src/rate-limit/client-key.js';

describe('the client a request is counted against', () => {
  it.each([
    ['an IPv4 address is its own client', '198.51.100.7', '198.51.100.7'],
    ['an IPv4-mapped IPv6 address is its IPv4 client', '::ffff:198.51.100.7', '198.51.100.7'],
    ['an IPv6 address counts as its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['however it is written', '2001:0DB8:0001:0002::9', '2001:db8:1:2::/64'],
    ['the IPv6 loopback', '::1', '0:0:0:0::/64'],
    ['something that is not an address stays as it is', 'unix-socket', 'unix-socket'],
    ['a socket already closed has no address', undefined, ''],
  ])('%s', (_what, address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
