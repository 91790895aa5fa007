import { connect, Socket } from 'node:net';
import { once } from 'node:events';
import { listen } from '../../subgraphs/kit/http';

/** What arrives on `socket` until the server closes it. */
function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (d) => (text += d));
  return new Promise((resolve, reject) => {
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('a draining server', () => {
  it('when a kept-alive connection sends its next request just as the drain begins, then it is answered, not reset', async () => {
    const server = await listen((_req, res) => void res.end('served'), 0, '127.0.0.1');
    const { port } = server;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const first = new Promise<string>((resolve) => socket.once('data', (d) => resolve(String(d))));
    socket.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(await first).toMatch(/^HTTP\/1\.1 200[^]*keep-alive[^]*served$/i);

    const drained = server.drain(5_000);
    const rest = readAll(socket);
    socket.write('GET /b HTTP/1.1\r\nhost: x\r\n\r\n');
    const answer = await rest;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.endsWith('served')).toBe(true);
    await drained;
    await server.close();
  });

  it('when a connection stays silent through the drain, then it is closed and the drain ends before its timeout', async () => {
    const server = await listen((_req, res) => void res.end('served'), 0, '127.0.0.1');
    const { port } = server;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const ended = readAll(socket);
    const started = Date.now();
    await server.drain(60_000);
    expect(await ended).toBe('');
    expect(Date.now() - started).toBeLessThan(30_000);
    await server.close();
  });
});
