import { isIP, type BlockList } from 'node:net';
import type { IncomingMessage } from 'node:http';
export { trustedProxies } from '../../subgraphs/kit/trusted-proxies';

/** `::ffff:10.0.0.1` is the IPv4 address a dual-stack socket reports for an IPv4 peer. */
const plain = (address: string) => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

const trusts = (list: BlockList, address: string) => {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

/**
 * The address a request came from: the socket's peer, or — when that peer is a trusted proxy — the nearest address in
 * X-Forwarded-For that is not one, read from the right (the entries further left are the client's to write).
 */
export function clientAddress(req: IncomingMessage, trusted: BlockList | null): string | undefined {
  const peer = req.socket.remoteAddress && plain(req.socket.remoteAddress);
  if (!trusted || !peer || !trusts(trusted, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => plain(h.trim())).filter(Boolean);
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i])) return address;
    address = hops[i];
    if (!trusts(trusted, address)) return address;
  }
  return address;
}
