import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditLog, CHAIN_LOCK, verifyAuditChain } from '../../subgraphs/kit/audit/audit-log';
import { DEV_AUDIT_KEY } from '../../subgraphs/kit/config';
import { closePrepared, createDataSource, openDatabase } from '../../subgraphs/kit/data-source';
import { databaseOf } from '../../subgraphs/kit/subgraph';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';

describe('the audit writer: reads of requests ending together', () => {
  const prefix = uniquePrefix('auditwriter');
  const url = testDatabaseUrl(prefix, 'postal');
  let db: DataSource;
  let holder: Client;

  beforeAll(async () => {
    db = await openDatabase(createDataSource({ url, ...databaseOf(await SUBGRAPHS.find((s) => s.name === 'postal')!.load()) }), url);
    holder = new Client({ connectionString: url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await closePrepared(db);
    await db?.destroy();
    await dropDatabases(prefix);
  });

  const readBy = (i: number) => {
    const log = new AuditLog({ subject: `staff-${i}`, role: 'CENTRE_STAFF' }, `request-${i}`, DEV_AUDIT_KEY);
    log.read({ dossierCode: `SGTVT-200401-${String(i).padStart(4, '0')}`, departmentCode: 'SGTVT', applicantIdNumber: null }, 'address');
    return log;
  };

  it('when 20 requests end while the chain is held, then none answers before the chain is free, and they are stored in two appends that verify', async () => {
    // Another session holds the chain, as another replica's append would: the first append waits on it.
    await holder.query('SELECT pg_advisory_lock($1)', [CHAIN_LOCK]);
    const done: number[] = [];
    const first = readBy(0).flush(db).then(() => done.push(0));
    // The first append is waiting on the lock once its session shows in pg_locks; the others come after it.
    for (;;) {
      const [{ waiting }] = await holder.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).then((r) => r.rows);
      if (waiting === 1) break;
    }
    const rest = Array.from({ length: 19 }, (_, i) => readBy(i + 1).flush(db).then(() => done.push(i + 1)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual([]);
    await holder.query('SELECT pg_advisory_unlock($1)', [CHAIN_LOCK]);
    await Promise.all([first, ...rest]);

    const rows: { requestId: string; at: Date }[] = await db.query(`SELECT request_id AS "requestId", at FROM audit_record ORDER BY id`);
    expect(rows.map((r) => r.requestId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `request-${i}`).sort());
    expect(rows[0].requestId).toBe('request-0');
    expect(new Set(rows.map((r) => r.at.toISOString())).size).toBe(2);
    expect(await verifyAuditChain(db, DEV_AUDIT_KEY)).toEqual({ rows: 20 });
  });

  it('when an append fails, then the requests whose reads it held fail, and the next ones are stored', async () => {
    await db.query(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await db.query(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION refuse_audit()`);
    await expect(readBy(100).flush(db)).rejects.toThrow('refused');
    await db.query(`DROP TRIGGER refuse_audit ON audit_record`);
    await readBy(101).flush(db);
    expect((await db.query(`SELECT request_id AS "requestId" FROM audit_record WHERE request_id IN ('request-100', 'request-101')`))).toEqual([{ requestId: 'request-101' }]);
    expect(await verifyAuditChain(db, DEV_AUDIT_KEY)).toEqual({ rows: 21 });
  });
});
