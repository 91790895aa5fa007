import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, GatewayServer } from '../../gateway/gateway';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import type { SubgraphClientTls } from '../../subgraphs/kit/tls/tls.config';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { capturingLogger, postGraphQL, settle, startPrivateSystem, STAFF, TestSystem, tokenFor } from '../support/system';

/**
 * The police system as a department hosted elsewhere: it serves HTTPS and requires a client certificate of its own
 * CA, and the gateway reaches it with the certificates its variables name, the other systems over plain http. The
 * CAs and certificates are made here with openssl. The other systems' hand-overs to it present a certificate of its
 * CA too. Its own databases, as it takes new dossiers.
 */
const dir = mkdtempSync(join(tmpdir(), 'motcua-mtls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

writeFileSync(
  file('extensions.cnf'),
  ['[server]', 'subjectAltName = IP:127.0.0.1, DNS:localhost', 'extendedKeyUsage = serverAuth', '[client]', 'extendedKeyUsage = clientAuth', ''].join('\n'),
);

function authority(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

function issue(name: string, by: string, section: 'server' | 'client'): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${by}.pem`, '-CAkey', `${by}.key`, '-CAcreateserial', '-days', '1',
    '-extfile', 'extensions.cnf', '-extensions', section, '-out', `${name}.pem`);
}

authority('police-ca');
authority('other-ca');
issue('police', 'police-ca', 'server');
issue('gateway', 'police-ca', 'client');
issue('impostor', 'other-ca', 'client');

/** The gateway's TLS to police as its variables give it; the URL's host and port are only known once police listens. */
function gatewayTls(certificate: string): SubgraphClientTls {
  const tls = loadConfig({
    POLICE_URL: 'https://localhost/graphql',
    POLICE_TLS_CA: file('police-ca.pem'),
    POLICE_TLS_CERT: file(`${certificate}.pem`),
    POLICE_TLS_KEY: file(`${certificate}.key`),
  }).subgraphs.police.clientTls;
  if (!tls) throw new Error('no TLS configured for police');
  return tls;
}

const DOSSIERS = `{ dossiers(first: 50, filter: { departmentCode: "CAT" }) { edges { node { code processing { __typename status } } } } }`;

const police = () => ({ host: '127.0.0.1', port: Number(new URL(system.subgraphs.police.url).port), ca: readFileSync(file('police-ca.pem')) });

/**
 * A TLS connection to the police system that sends nothing: under TLS 1.3 the server refuses a client certificate
 * after the client's side of the handshake is done, so the refusal arrives as an alert on the open connection.
 */
function handshake(): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(police());
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.once('close', () => resolve('closed without an alert'));
  });
}

/** A call straight to the police system with the gateway's certificate, without the gateway's signature. */
function unsigned(method: 'GET' | 'POST', path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const certificate = { cert: readFileSync(file('gateway.pem')), key: readFileSync(file('gateway.key')) };
    const req = request({ ...police(), ...certificate, method, path, headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end(method === 'POST' ? JSON.stringify({ query: '{ __typename }' }) : undefined);
  });
}

let system: TestSystem;
let close: () => Promise<void>;

beforeAll(async () => {
  const served = loadConfig({
    POLICE_TLS_SERVER_CERT: file('police.pem'),
    POLICE_TLS_SERVER_KEY: file('police.key'),
    POLICE_TLS_CLIENT_CA: file('police-ca.pem'),
  }).subgraphs.police.serverTls;
  ({ system, close } = await startPrivateSystem('mtls', {
    serverTls: { police: served! },
    gateway: { subgraphTls: { police: gatewayTls('gateway') } },
    peerTls: { police: gatewayTls('gateway') },
  }));
}, 120_000);

afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('a department hosted elsewhere, over mutual TLS', () => {
  it('when the gateway has the client certificate, then a query needing police answers, and its probe sees police up', async () => {
    expect(new URL(system.subgraphs.police.url).protocol).toBe('https:');
    const res = await system.query(DOSSIERS);
    expect(res.errors).toBeUndefined();
    const processing = res.data.dossiers.edges.map((e: any) => e.node.processing);
    expect(processing.length).toBeGreaterThan(0);
    for (const p of processing) {
      expect(p.__typename).toBe('PoliceProcessing');
      expect(typeof p.status).toBe('string');
    }
    const health = await fetch(system.gatewayUrl.replace(/\/graphql$/, '/health/subgraphs')).then((r) => r.json());
    expect(health.police).toBe('up');
  });

  it('when the register hands a police dossier over, then it reaches police over mutual TLS, and police reports back', async () => {
    const received = await system.query(`mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`, {
      input: { procedureCode: '1.003930', channel: 'ONLINE', applicant: { fullName: 'Bùi Đức Trung', idNumber: '056080001234', phone: '0905123456', address: 'Số 1 Trần Phú, Nha Trang' } },
    });
    expect(received.errors).toBeUndefined();
    const code = received.data.receiveDossier.code;
    await settle(system);
    const officer = { subject: 'officer-cat', role: 'DEPARTMENT_OFFICER' as const, department: 'CAT' };
    const started = await system.query(`mutation($code: String!) { policeStartProcessing(dossierCode: $code) { status } }`, { code }, officer);
    expect(started).toEqual({ data: { policeStartProcessing: { status: 'PROCESSING' } } });
  });

  it('when a client without a certificate calls the subgraph directly, then the TLS handshake is refused', async () => {
    expect(await handshake()).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it('when a client has a certificate of its CA but no signature, then it is served its probes and refused GraphQL', async () => {
    expect(await unsigned('GET', '/healthcheck')).toBe(200);
    expect(await unsigned('POST', '/graphql')).toBe(403);
  });

  describe('when the gateway\'s client certificate is signed by another CA', () => {
    let gateway: GatewayServer;
    let url: string;
    const { log, lines } = capturingLogger();

    beforeAll(async () => {
      gateway = await createGateway({
        subgraphUrls: Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url])),
        signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
        subgraphTls: { police: gatewayTls('impostor') },
        auth: loadConfig({}).auth,
        resilience: { retries: 0 },
        log,
      });
      ({ url } = await gateway.listen(0));
    });

    afterAll(() => gateway?.close());

    it('then the police part fails with UNAVAILABLE, and neither the client nor the log is told an address', async () => {
      const res = await postGraphQL(url, DOSSIERS, {}, await tokenFor(STAFF));
      expect(res.errors.length).toBeGreaterThan(0);
      for (const e of res.errors) expect(e.extensions).toMatchObject({ code: 'UNAVAILABLE', subgraph: 'police', departmentCode: 'CAT' });
      for (const e of res.data.dossiers.edges) expect(e.node).toEqual({ code: expect.any(String), processing: null });
      const port = new URL(system.subgraphs.police.url).port;
      const said = JSON.stringify(res.errors) + lines.join('\n');
      for (const internal of ['https://', '127.0.0.1', `:${port}`, 'localhost', 'certificate', 'ERR_SSL']) expect(said).not.toContain(internal);
      const health = await fetch(url.replace(/\/graphql$/, '/health/subgraphs')).then((r) => r.json());
      expect(health).toMatchObject({ police: 'down', intake: 'up' });
    });
  });
});
