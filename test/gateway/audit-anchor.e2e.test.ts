import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { recordHash } from '../../subgraphs/kit/audit/audit-log';
import { verifySystems } from '../../subgraphs/kit/audit/audit-checkpoint';
import { DEV_AUDIT_KEY } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { extraReplica, startPrivateSystem, TestSystem } from '../support/system';
import { until } from '../support/waiting';

const SCRIPTS = join(__dirname, '../../dist/scripts');

/** Runs a script as an operator would (node dist/scripts/<name>.js: build first), against this system. */
function script(name: string, system: TestSystem): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  for (const s of SUBGRAPHS) {
    env[`${envPrefix(s.name)}_DATABASE_URL`] = system.urls[s.name];
    env[`${envPrefix(s.name)}_URL`] = `${system.peers.urls[s.name]}/graphql`;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(SCRIPTS, `${name}.js`)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const RECEIVE = `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`;
const applicant = { fullName: 'Trần Thị Kiểm', idNumber: '056199012345' };

describe('the audit chain, keyed and anchored in another system, and the audit of mutations', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let code: string;

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('anchor'));
    [{ code }] = await system.subgraphs.intake.server.db.query(
      `SELECT code FROM dossier WHERE department_code = 'SGTVT' AND channel = 'POSTAL' AND decision = 'APPROVED' ORDER BY code LIMIT 1`,
    );
    // Reads that each system audits: transport's licence, postal's address, intake's applicant.
    for (let i = 0; i < 3; i++) {
      const res = await system.query(
        `query($c: String!) { dossier(code: $c) { applicant { fullName } processing { ... on TransportProcessing { transportLicence { number } } } shipments { address } } }`,
        { c: code },
      );
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(() => close?.());

  it('when a mutation is refused (FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, CONFLICT), then the refusal is in the audit trail, with the mutation and its code', async () => {
    const citizen: Identity = { subject: 'citizen-9', role: 'CITIZEN', citizenId: '056199000001' };
    expect((await system.query(RECEIVE, { input: { procedureCode: '1.002820', channel: 'ONLINE', applicant } }, citizen)).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await system.query(RECEIVE, { input: { procedureCode: '9.999999', channel: 'ONLINE', applicant } })).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const other: Identity = { subject: 'officer-cat-3', role: 'DEPARTMENT_OFFICER', department: 'CAT' };
    const decide = await system.query(
      `mutation($c: String!) { transportStartProcessing(dossierCode: $c) { status } }`, { c: code }, other,
    );
    // Another department's dossier is NOT_FOUND, as an unknown one is (no existence oracle): refused all the same.
    expect(decide.errors[0].extensions.code).toBe('NOT_FOUND');
    const rated = await system.query(`mutation($c: String!) { rateService(dossierCode: $c, level: SATISFIED) { level } }`, { c: code });
    const again = await system.query(`mutation($c: String!) { rateService(dossierCode: $c, level: SATISFIED) { level } }`, { c: code });
    expect(rated.errors).toBeUndefined();
    expect(again.errors[0].extensions.code).toBe('CONFLICT');

    const intake = await system.subgraphs.intake.server.db.query(
      `SELECT subject, dossier_code AS "dossierCode", action, reason, allowed, operation FROM audit_record WHERE action IS NOT NULL ORDER BY id`,
    );
    expect(intake).toEqual(expect.arrayContaining([
      { subject: 'citizen-9', dossierCode: '', action: 'receiveDossier', reason: 'FORBIDDEN', allowed: false, operation: 'WRITE' },
      { subject: 'staff-1', dossierCode: '', action: 'receiveDossier', reason: 'BAD_USER_INPUT', allowed: false, operation: 'WRITE' },
      { subject: 'staff-1', dossierCode: code, action: 'rateService', reason: null, allowed: true, operation: 'WRITE' },
      { subject: 'staff-1', dossierCode: code, action: 'rateService', reason: 'CONFLICT', allowed: false, operation: 'WRITE' },
    ]));
    const transport = await system.subgraphs.transport.server.db.query(
      `SELECT subject, dossier_code AS "dossierCode", action, reason, allowed FROM audit_record WHERE action IS NOT NULL`,
    );
    expect(transport).toEqual([{ subject: 'officer-cat-3', dossierCode: code, action: 'transportStartProcessing', reason: 'NOT_FOUND', allowed: false }]);
  });

  it('when the audit write of receiveDossier fails, then nothing is committed: no dossier, no hand-over, no events', async () => {
    const db = system.subgraphs.intake.server.db;
    const count = async () => (await db.query(`SELECT (SELECT count(*) FROM dossier)::int AS d, (SELECT count(*) FROM outbox_message)::int AS o, (SELECT count(*) FROM dossier_event)::int AS e`))[0];
    const before = await count();
    await db.query(`CREATE FUNCTION audit_refuses() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store refuses'; END $$`);
    await db.query(`CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION audit_refuses()`);
    let res: any;
    try {
      res = await system.query(RECEIVE, { input: { procedureCode: '1.002820', channel: 'ONLINE', applicant } });
    } finally {
      await db.query(`DROP TRIGGER audit_refuses ON audit_record`);
      await db.query(`DROP FUNCTION audit_refuses()`);
    }
    expect(res.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(res.data?.receiveDossier ?? null).toBeNull();
    expect(await count()).toEqual(before);

    const ok = await system.query(RECEIVE, { input: { procedureCode: '1.002820', channel: 'ONLINE', applicant } });
    expect(ok.errors).toBeUndefined();
    const [row] = await db.query(`SELECT action, fields, allowed FROM audit_record WHERE dossier_code = $1`, [ok.data.receiveDossier.code]);
    expect(row).toEqual({ action: 'receiveDossier', fields: ['address', 'fullName', 'idNumber', 'phone'], allowed: true });
  });

  it('when the subgraph runs, then its timer hands the head of its chain to the holder within its period', async () => {
    // A second transport replica with a short period: the timer of `npm start`'s subgraphs is a minute.
    const replica = await extraReplica(system, 'transport', { auditCheckpointMs: 200 });
    try {
      const [{ id }] = await system.subgraphs.transport.server.db.query(`SELECT max(id)::text AS id FROM audit_record`);
      const held = await until('transport\'s checkpoint in intake', async () =>
        (await system.subgraphs.intake.server.db.query(`SELECT record_id::text AS id, count::int AS count FROM audit_checkpoint WHERE system = 'transport' AND record_id = $1`, [id]))[0]);
      const [{ n }] = await system.subgraphs.transport.server.db.query(`SELECT count(*)::int AS n FROM audit_record WHERE id <= $1`, [id]);
      expect(held).toEqual({ id, count: n });
    } finally {
      await replica.close();
    }
  });

  it('when the newest records of a chain are deleted after a checkpoint, then npm run audit:verify names the system and the record', async () => {
    const checkpoint = await script('audit-checkpoint', system);
    expect(checkpoint.code).toBe(0);
    expect(checkpoint.out).toMatch(/^transport\s+\d+ records to record \d+: delivered to intake$/m);
    expect(checkpoint.out).toMatch(/^intake\s+\d+ records to record \d+: delivered to postal$/m);
    expect((await script('audit-verify', system)).code).toBe(0);

    const transport = system.subgraphs.transport.server.db;
    const newest: { id: string }[] = await transport.query(`SELECT id::text AS id FROM audit_record ORDER BY id DESC LIMIT 2`);
    expect(newest).toHaveLength(2);
    await transport.query(`DELETE FROM audit_record WHERE id = ANY($1::bigint[])`, [newest.map((r) => r.id)]);
    const verify = await script('audit-verify', system);
    expect(verify.code).toBe(1);
    expect(verify.out).toMatch(new RegExp(`^transport\\s+BROKEN at record ${newest[0].id}: the checkpointed record is missing`, 'm'));
    expect(verify.out).toMatch(/^intake\s+ok, /m);
  });

  it('when the whole chain is rewritten and its plain hashes recomputed, then verification finds it, with or without the macs', async () => {
    const intake = system.subgraphs.intake.server.db;
    const rewrite = async (mac: 'kept' | 'dropped') => {
      const rows = await intake.query(`SELECT id::text AS id, at, request_id AS "requestId", subject, role, department, dossier_code AS "dossierCode", fields, operation, allowed FROM audit_record ORDER BY id`);
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const hash = recordHash(prev, { ...r, subject: 'nobody' });
        await intake.query(`UPDATE audit_record SET subject = 'nobody', prev_hash = $2, hash = $3 ${mac === 'dropped' ? ', mac = NULL' : ''} WHERE id = $1`, [r.id, prev, hash]);
        prev = hash;
      }
      return rows as { id: string }[];
    };
    const dbs = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, system.subgraphs[s.name].server.db]));

    const rows = await rewrite('kept');
    const keptMacs = (await verifySystems(dbs, DEV_AUDIT_KEY)).find((c) => c.system === 'intake');
    expect(keptMacs).toMatchObject({ brokenAt: rows[0].id, reason: expect.stringMatching(/^the mac does not hold/) });

    await rewrite('dropped');
    const dropped = (await verifySystems(dbs, DEV_AUDIT_KEY)).find((c) => c.system === 'intake')!;
    expect(dropped.checkpoint).toBeDefined();
    expect(dropped).toMatchObject({ brokenAt: dropped.checkpoint!.recordId, reason: 'the checkpointed record was rewritten' });
    const verify = await script('audit-verify', system);
    expect(verify.out).toMatch(new RegExp(`^intake\\s+BROKEN at record ${dropped.checkpoint!.recordId}: the checkpointed record was rewritten`, 'm'));
  });
});
