import { spawn } from 'node:child_process';

/**
 * HAProxy as a service the Supervisor can run: node dist/scripts/replicas/haproxy.process.js <binary> <config>.
 * HAProxy is not a Node module, so this forks as one and runs it in the foreground (-db); it passes a stop on and
 * exits as HAProxy does, so a crash is restarted like any service's. Forked, it also stops HAProxy when its
 * supervisor goes, even by SIGKILL (the IPC channel closes): nothing is left holding the ports.
 */
const [binary, config] = process.argv.slice(2);
if (!binary || !config) {
  console.error('haproxy: usage: haproxy.process.js <haproxy binary> <config file>');
  process.exit(2);
}

const haproxy = spawn(binary, ['-db', '-f', config], { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => {
  if (haproxy.exitCode === null && haproxy.signalCode === null) haproxy.kill('SIGTERM');
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (typeof process.send === 'function') process.on('disconnect', stop);
haproxy.on('error', (e) => {
  console.error(`haproxy: cannot run ${binary}: ${e.message}`);
  process.exit(1);
});
haproxy.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' ? 0 : 1)));
