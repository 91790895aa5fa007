import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/** What the link does to the bytes it carries; `pass` when nothing is set. */
export interface LinkFault {
  /** Added to every chunk, each way (order kept). */
  latencyMs?: number;
  /** Share of chunks (0..1) at which the connection is reset, both sides: a request or its answer lost. */
  resetFraction?: number;
  /** Share of chunks (0..1) after which the connection carries nothing more, left open: a black hole. */
  stallFraction?: number;
  /** Holds every byte until cleared, as a link to a stopped process would; connections still open. */
  frozen?: boolean;
}

interface Link {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
  held: (() => void)[];
  /** When the last delayed chunk is written. */
  due: number;
}

/**
 * A TCP proxy between the gateway (and the peers' hand-overs) and one subgraph, with settable latency, loss
 * and freeze: `tc netem` is not available on these machines. Decisions are per chunk, so keep-alive
 * connections are hit too, not only new ones.
 */
export class FaultProxy {
  private server?: Server;
  private fault: LinkFault = {};
  private readonly links = new Set<Link>();
  /** Connections reset and stalled by the proxy, for the figures. */
  readonly counts = { connections: 0, resets: 0, stalls: 0 };

  constructor(
    private readonly targetPort: number,
    private readonly random: () => number = Math.random,
  ) {}

  async listen(port = 0): Promise<number> {
    this.server = createServer((client) => this.open(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  set(fault: LinkFault): void {
    this.fault = fault;
    if (!fault.frozen) {
      for (const link of this.links) link.held.splice(0).forEach((f) => f());
    }
  }

  /** Back to a clean link; connections stalled by the fault are closed, as a client's timeout would. */
  clear(): void {
    this.set({});
    for (const link of this.links) if (link.stalled) this.drop(link, false);
  }

  async close(): Promise<void> {
    for (const link of this.links) this.drop(link, false);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private open(client: Socket): void {
    this.counts.connections++;
    const upstream = connect(this.targetPort, '127.0.0.1');
    const link: Link = { client, upstream, stalled: false, held: [], due: 0 };
    this.links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (d) => this.carry(link, upstream, d));
    upstream.on('data', (d) => this.carry(link, client, d));
    const end = () => this.drop(link, false);
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  private carry(link: Link, to: Socket, chunk: Buffer): void {
    const f = this.fault;
    if (link.stalled) return;
    if (f.resetFraction && this.random() < f.resetFraction) {
      this.counts.resets++;
      this.drop(link, true);
      return;
    }
    if (f.stallFraction && this.random() < f.stallFraction) {
      this.counts.stalls++;
      link.stalled = true;
      return;
    }
    const write = () => {
      if (!to.destroyed) to.write(chunk);
    };
    if (f.frozen) {
      link.held.push(write);
      return;
    }
    if (!f.latencyMs) return write();
    // Chunks of one link keep their order: none is due before the one ahead of it.
    link.due = Math.max(Date.now() + f.latencyMs, link.due);
    setTimeout(write, link.due - Date.now());
  }

  private drop(link: Link, reset: boolean): void {
    if (!this.links.delete(link)) return;
    for (const s of [link.client, link.upstream]) {
      if (reset && !s.destroyed) s.resetAndDestroy();
      else s.destroy();
    }
  }
}
