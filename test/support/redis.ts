import { ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { until } from './waiting';

/** A Redis server of the test's own, on its own port, to stop and start again. */
export async function ownRedis(port: number): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await until('its own Redis answering', async () => {
      if (probe.status !== 'ready') await probe.connect();
      return (await probe.ping()) === 'PONG';
    });
  } finally {
    probe.disconnect();
  }
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
