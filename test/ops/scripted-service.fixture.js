// A service for the supervisor's tests whose every launch follows the next step of a script, so a test can
// say how each (re)start behaves. node scripted-service.fixture.js <port> <state file> <step,step,...>
//   serve        listens; GET /readiness answers 200 with {"pid","launch"}; SIGTERM closes and exits 0
//   exit         exits 1 at once, before it is ready, as a service with a bad configuration does
//   stubborn     serves, but ignores SIGTERM (a hung drain)
const { createServer } = require('node:http');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');

const [port, state, script] = process.argv.slice(2);
const launch = existsSync(state) ? Number(readFileSync(state, 'utf8')) + 1 : 0;
writeFileSync(state, String(launch));
const steps = script.split(',');
const step = steps[Math.min(launch, steps.length - 1)];

if (step === 'exit') {
  process.exit(1);
}
const server = createServer((req, res) => {
  res.writeHead(req.url === '/readiness' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ pid: process.pid, launch }));
}).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => {
  if (step === 'stubborn') return;
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
