/** Whose budget a request spends: its client address, with every IPv6 /64 counted as one client. */
import ipaddr from 'ipaddr.js';

/**
 * An IPv6 customer is handed a /64 at least, so a fresh address per request costs it nothing: the
 * /64 is the client. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is the IPv4 client it maps.
 */
export function clientKey(address: string | undefined): string {
  // A socket closed before its request was read has no address left to count against.
  if (address === undefined) return '';
  if (!address.includes(':')) return address;
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const { parts } = parsed as ipaddr.IPv6;
  return `${parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
