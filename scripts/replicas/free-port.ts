import { AddressInfo, createServer, Server } from 'node:net';

/**
 * `count` distinct ports free on `host` now: each is listened on (port 0) until all are taken, so none is given
 * twice, then released for the processes started next to bind.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await new Promise<Server>((resolve, reject) => {
        const server = createServer().listen(0, host);
        server.once('error', reject);
        server.once('listening', () => resolve(server));
      }));
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  }
}
