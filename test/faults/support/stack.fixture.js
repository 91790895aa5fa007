// The system under fault as `npm start` runs it, each subgraph and the gateway a process of its own under the
// Supervisor of scripts/supervisor.ts (from dist: build first), kept in a process of its own so that the
// services' log lines go to the file that is its output rather than into the test's. Driven over IPC by
// system.stack.ts: { groups, stopTimeoutMs } in, started group by group; 'ready' or { error } out; 'stop' (or
// the test going away) stops every service, then this process.
const { Supervisor } = require('../../../dist/scripts/supervisor.js');

process.once('message', async ({ groups, stopTimeoutMs }) => {
  const supervisor = new Supervisor({ stopTimeoutMs });
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    await supervisor.stop();
    process.exit(code);
  };
  process.on('message', (m) => m === 'stop' && void stop(0));
  process.on('disconnect', () => void stop(0));
  try {
    for (const group of groups) await Promise.all(group.map((spec) => supervisor.start(spec)));
    process.send('ready');
  } catch (e) {
    process.send({ error: e instanceof Error ? e.message : String(e) });
    await stop(1);
  }
});
