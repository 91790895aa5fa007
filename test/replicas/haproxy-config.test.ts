import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerStates, renderHaproxyConfig, serverTimeoutMs } from '../../scripts/replicas/haproxy.config';
import { haproxyBinary } from '../../scripts/replicas/replica-set';
import { DEFAULT_RESILIENCE, loadConfig } from '../../subgraphs/kit/config';

const settings = {
  host: '127.0.0.1',
  statsPort: 9400,
  serverTimeoutMs: DEFAULT_RESILIENCE.deadlineMs + 5_000,
  services: [
    { name: 'gateway', port: 9401, replicas: [9411, 9412] },
    { name: 'intake', port: 9402, replicas: [9421, 9422] },
  ],
};
const lines = (text: string) => text.split('\n').map((l) => l.trim());

describe('the HAProxy configuration of a replica set', () => {
  it('when rendered, then Debian\'s haproxy accepts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-config-'));
    try {
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, renderHaproxyConfig(settings));
      expect(() => execFileSync(haproxyBinary(), ['-c', '-q', '-f', file], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a request may have reached a replica, then HAProxy does not send it again: it retries, on another replica, only calls that found no connection', () => {
    const config = lines(renderHaproxyConfig(settings));
    expect(config.filter((l) => l.startsWith('retry-on'))).toEqual(['retry-on conn-failure']);
    expect(config).toContain('option redispatch 1');
    expect(config.filter((l) => l.startsWith('retries'))).toEqual(['retries 2']);
  });

  it('when the gateway waits its whole deadline, or a hand-over its delivery timeout, then HAProxy is still waiting too', () => {
    for (const env of [{}, { REQUEST_DEADLINE_MS: '40000' }, { HANDOVER_TIMEOUT_MS: '50000' }]) {
      const config = loadConfig(env);
      const timeout = lines(renderHaproxyConfig({ ...settings, serverTimeoutMs: serverTimeoutMs(config) })).find((l) => l.startsWith('timeout server'));
      const ms = Number(timeout?.match(/^timeout server (\d+)ms$/)?.[1]);
      expect(ms).toBeGreaterThan(config.gateway.resilience.deadlineMs);
      expect(ms).toBeGreaterThan(config.handover.timeoutMs);
    }
  });

  it('when rendered, then each service has its frontend and a backend of its replicas checked on /readiness', () => {
    const config = renderHaproxyConfig(settings);
    for (const s of settings.services) {
      expect(config).toContain(`frontend ${s.name}\n  bind 127.0.0.1:${s.port}\n  default_backend ${s.name}\n`);
      expect(config).toContain([
        `backend ${s.name}`,
        '  balance roundrobin',
        '  option httpchk',
        '  http-check send meth GET uri /readiness',
        '  http-check expect status 200',
        ...s.replicas.map((p, i) => `  server ${s.name}-${i + 1} 127.0.0.1:${p}`),
      ].join('\n'));
    }
  });

  it('when HAProxy reports its servers, then each replica\'s state is read from the CSV, counting a server between checks as its old state', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight',
      'stats,FRONTEND,,,0,1,4096,1,0,0,0,0,0,,,,,OPEN,',
      'intake,intake-1,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1',
      'intake,intake-2,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN 1/2,1',
      'intake,BACKEND,0,0,0,1,410,6,0,0,0,0,,0,0,0,0,UP,2',
      '',
    ].join('\n');
    expect(parseServerStates(csv)).toEqual({ 'intake-1': 'UP', 'intake-2': 'DOWN' });
  });
});
