import { BlockList, isIP } from 'node:net';

/**
 * The proxies whose X-Forwarded-For the gateway believes: addresses and CIDR blocks (`10.0.0.0/8`, `::1`). Throws on
 * an entry that is neither, naming it.
 */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const max = family === 4 ? 32 : 128;
    if (!family || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(bits) || prefix > max))) {
      throw new Error(`not an IP address or CIDR block: ${entry}`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}
