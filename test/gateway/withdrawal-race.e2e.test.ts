import type { DataSource, QueryRunner } from 'typeorm';
import type { Identity } from '../../subgraphs/kit/identity';
import { DISPATCH_LOCK } from '../../subgraphs/kit/messaging/outbox';
import { startPrivateSystem, startSubgraph, TestSystem, answered, settle as settleOutboxes } from '../support/system';
import { until } from '../support/waiting';

const STAFF: Identity = { subject: 'counter-7', role: 'CENTRE_STAFF' };
const RB: Identity = { subject: 'rb-7', role: 'REPORT_BUILDER' };
const officer = (department: string): Identity => ({ subject: `officer-${department}`, role: 'DEPARTMENT_OFFICER', department });
const SGTVT = officer('SGTVT');
const TRANSPORT = 'Sở Giao thông vận tải';

const WITHDRAW = `mutation($code: String!) { withdrawDossier(dossierCode: $code) { code withdrawnAt withdrawalRequestedAt } }`;
const REPORT = `query($d: Date!, $dept: String) { report(from: $d, to: $d, departmentCode: $dept) {
  received { total } resolved { total } withdrawn inProcess { total } balanced reconciliation { consistent problems } } }`;
const VIEW = `query($code: String!) { dossier(code: $code) {
  withdrawnAt withdrawalRequestedAt processing { status decision } timeline { system type detail } } }`;

describe('a withdrawal racing a decision', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('withdrawal_race'));
  });
  afterAll(() => close?.());

  const today = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  const settle = () => settleOutboxes(system);
  const ok = (query: string, variables: Record<string, unknown>, as: Identity) => answered(system, query, variables, as);
  const report = async (dept = 'SGTVT') => (await ok(REPORT, { d: today(), dept }, RB)).report;
  const view = async (code: string) => (await ok(VIEW, { code }, STAFF)).dossier;
  const withdraw = (code: string) => system.query(WITHDRAW, { code }, STAFF);
  const decide = (prefix: string, code: string, as: Identity) =>
    system.query(`mutation($code: String!) { ${prefix}Decide(dossierCode: $code, decision: APPROVED) { status } }`, { code }, as);
  const intake = () => system.subgraphs.intake.server.db;
  const transport = () => system.subgraphs.transport.server.db;
  const statuses = async (db: DataSource, sql: string, codes: string[]) =>
    Object.fromEntries((await db.query(sql, [codes])).map((r: { code: string; status: string }) => [r.code, r.status]));

  /** Dossiers received and being processed (PROCESSING in both systems). */
  const processing = async (n: number, procedureCode = '1.002820', prefix = 'transport', as = SGTVT): Promise<string[]> => {
    const codes: string[] = [];
    for (let i = 0; i < n; i++) {
      const input = { procedureCode, channel: 'ONLINE', applicant: { fullName: 'Phạm Thị Rút', idNumber: `05619${String(1_000_000 + i).slice(-7)}` } };
      codes.push((await ok(`mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`, { input }, STAFF)).receiveDossier.code);
    }
    await settle();
    for (const code of codes) await ok(`mutation($code: String!) { ${prefix}StartProcessing(dossierCode: $code) { status } }`, { code }, as);
    await settle();
    return codes;
  };
  /** Holds a system's outbox (as another replica would hold the dispatch lease) until released. */
  const holdOutbox = async (db: DataSource): Promise<QueryRunner> => {
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [DISPATCH_LOCK]);
    return holder;
  };
  const release = async (holder: QueryRunner) => {
    await holder.query('SELECT pg_advisory_unlock($1)', [DISPATCH_LOCK]);
    await holder.release();
  };
  const codeOf = (res: any) => res.errors?.[0]?.extensions?.code;

  it('when a withdrawal and a decision of the same dossier are sent at once, for 20 dossiers, then each ends with one outcome in both systems, exactly one of the two got CONFLICT, and the report and reconciliation agree', async () => {
    const before = await report();
    const codes = await processing(20);
    // The withdrawal takes two hops (register, then department) where the decision takes one: the decision
    // sets off 0 to 18 ms after it, so that each order happens.
    const outcomes: { code: string; w: any; d: any }[] = [];
    for (const [i, code] of codes.entries()) {
      const [w, d] = await Promise.all([withdraw(code), new Promise((r) => setTimeout(r, (i % 10) * 2)).then(() => decide('transport', code, SGTVT))]);
      outcomes.push({ code, w, d });
    }
    await settle();
    const register = await statuses(intake(), `SELECT code, status FROM dossier WHERE code = ANY($1)`, codes);
    const department = await statuses(transport(), `SELECT dossier_code AS code, status FROM processing WHERE dossier_code = ANY($1)`, codes);
    const won = { withdrawal: 0, decision: 0 };
    for (const { code, w, d } of outcomes) {
      expect([codeOf(w), codeOf(d)].sort()).toEqual(['CONFLICT', undefined]);
      expect(register[code]).toBe(department[code]);
      if (codeOf(d) === 'CONFLICT') {
        won.withdrawal++;
        expect(d.errors[0].extensions.currentStatus).toBe('CANCELLED');
        expect(w.data.withdrawDossier).toMatchObject({ withdrawalRequestedAt: null, withdrawnAt: expect.any(String) });
        expect(department[code]).toBe('CANCELLED');
      } else {
        won.decision++;
        expect(w.errors[0].extensions.currentStatus).toBe('RELEASING');
        expect(w.errors[0].message).toContain('APPROVED');
        expect(department[code]).toBe('RELEASING');
      }
    }
    expect(won.withdrawal + won.decision).toBe(20);
    const after = await report();
    expect(after).toMatchObject({
      received: { total: before.received.total + 20 },
      withdrawn: before.withdrawn + won.withdrawal,
      resolved: { total: before.resolved.total + won.decision },
      inProcess: { total: before.inProcess.total },
      balanced: true,
      reconciliation: { consistent: true, problems: [] },
    });
  });

  it('when the department decided and the centre knows it, then a withdrawal is CONFLICT at once and records nothing', async () => {
    const [code] = await processing(1);
    expect(codeOf(await decide('transport', code, SGTVT))).toBeUndefined();
    await settle();
    const res = await withdraw(code);
    expect(res.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'RELEASING' });
    const after = await view(code);
    expect(after).toMatchObject({ withdrawnAt: null, withdrawalRequestedAt: null, processing: { status: 'RELEASING' } });
    expect(after.timeline.map((e: any) => e.type)).not.toContain('WITHDRAWAL_REQUESTED');
  });

  it('when the department decided but its report has not reached the centre, then the department refuses the withdrawal, the withdrawal is CONFLICT naming the decision, and the register is not CANCELLED', async () => {
    const [code] = await processing(1);
    const held = await holdOutbox(transport());
    let withdrawal: Promise<any> | undefined;
    try {
      expect(codeOf(await decide('transport', code, SGTVT))).toBeUndefined();
      const [{ status }] = await intake().query(`SELECT status FROM dossier WHERE code = $1`, [code]);
      expect(status).toBe('PROCESSING');
      withdrawal = withdraw(code);
      await until('the department to refuse the withdrawal', async () =>
        (await transport().query(`SELECT withdrawal_refused_at FROM processing WHERE dossier_code = $1`, [code]))[0].withdrawal_refused_at);
    } finally {
      await release(held);
    }
    const res = await withdrawal!;
    expect(res.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'RELEASING' });
    expect(res.errors[0].message).toContain('decided (APPROVED)');
    await settle();
    const after = await view(code);
    expect(after).toMatchObject({ withdrawnAt: null, withdrawalRequestedAt: null, processing: { status: 'RELEASING', decision: 'APPROVED' } });
    const [{ status }] = await intake().query(`SELECT status FROM dossier WHERE code = $1`, [code]);
    expect(status).toBe('RELEASING');
    expect(after.timeline.map((e: any) => `${e.system}:${e.type}`)).toEqual(expect.arrayContaining(
      ['transport:DECIDED', 'intake:WITHDRAWAL_REQUESTED', 'transport:WITHDRAWAL_REFUSED']));
    expect(after.timeline.map((e: any) => e.type)).not.toContain('WITHDRAWN');
  });

  it('when the department system is down, then the withdrawal answers pending, and it settles when the system is back; a decision after it is CONFLICT', async () => {
    const [code] = await processing(1);
    const port = Number(new URL(system.subgraphs.transport.url).port);
    await system.subgraphs.transport.server.close();
    const res = await system.query(
      `mutation($code: String!) { withdrawDossier(dossierCode: $code) { withdrawnAt withdrawalRequestedAt timeline { system type } } }`, { code }, STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.withdrawDossier).toMatchObject({ withdrawnAt: null, withdrawalRequestedAt: expect.any(String) });
    expect(res.data.withdrawDossier.timeline.map((e: any) => `${e.system}:${e.type}`)).toContain('intake:WITHDRAWAL_REQUESTED');
    expect(res.data.withdrawDossier.timeline.map((e: any) => e.type)).not.toContain('WITHDRAWN');
    const again = await system.query(WITHDRAW, { code }, STAFF);
    expect(again.errors).toBeUndefined();
    const [{ n }] = await intake().query(`SELECT count(*)::int AS n FROM outbox_message WHERE dossier_code = $1 AND type = 'WITHDRAWN'`, [code]);
    expect(n).toBe(1);

    system.subgraphs.transport = await startSubgraph('transport', system.urls.transport, undefined, system.peers, port);
    const settled = await until('the withdrawal to settle', async () => {
      const d = await view(code);
      return d.withdrawalRequestedAt === null && d;
    }, 40_000);
    expect(settled.withdrawnAt).not.toBeNull();
    expect(settled.processing.status).toBe('CANCELLED');
    expect(settled.timeline.map((e: any) => `${e.system}:${e.type}`)).toContain('transport:WITHDRAWN');
    const late = await decide('transport', code, SGTVT);
    expect(late.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'CANCELLED' });
    await settle();
  });

  it('when a withdrawal waits in an outbox, then the dossier is in process in the report and reconciliation calls the lag consistent; once applied, it is withdrawn', async () => {
    const [code] = await processing(1);
    const before = await report();
    const centre = await holdOutbox(intake());
    let department: QueryRunner | undefined = await holdOutbox(transport());
    try {
      const res = await withdraw(code);
      expect(res.errors).toBeUndefined();
      expect(res.data.withdrawDossier.withdrawalRequestedAt).not.toBeNull();
      expect(await report()).toMatchObject({
        withdrawn: before.withdrawn, inProcess: { total: before.inProcess.total }, balanced: true, reconciliation: { consistent: true, problems: [] },
      });
      await release(centre);
      await until('the department to cancel', async () =>
        (await transport().query(`SELECT status FROM processing WHERE dossier_code = $1`, [code]))[0].status === 'CANCELLED');
      // The department has cancelled and counts it; its report to the centre is still in its outbox.
      const [{ status }] = await intake().query(`SELECT status FROM dossier WHERE code = $1`, [code]);
      expect(status).toBe('PROCESSING');
      expect(await report()).toMatchObject({
        withdrawn: before.withdrawn + 1, inProcess: { total: before.inProcess.total - 1 }, balanced: true, reconciliation: { consistent: true, problems: [] },
      });
      await release(department);
      department = undefined;
    } finally {
      if (department) await release(department);
    }
    await settle();
    expect(await view(code)).toMatchObject({ withdrawalRequestedAt: null, withdrawnAt: expect.any(String), processing: { status: 'CANCELLED' } });
    expect((await report()).reconciliation).toEqual({ consistent: true, problems: [] });
  });

  it('when a result\'s return waits in the centre\'s outbox, then the register a step ahead (DONE, the department RELEASING) is a lag: consistent', async () => {
    const [code] = await processing(1);
    expect(codeOf(await decide('transport', code, SGTVT))).toBeUndefined();
    await settle();
    const centre = await holdOutbox(intake());
    try {
      await ok(`mutation($code: String!) { returnResult(dossierCode: $code, channel: DIRECT) { code } }`, { code }, STAFF);
      const [{ status }] = await intake().query(`SELECT status FROM dossier WHERE code = $1`, [code]);
      const [{ theirs }] = await transport().query(`SELECT status AS theirs FROM processing WHERE dossier_code = $1`, [code]);
      expect([status, theirs]).toEqual(['DONE', 'RELEASING']);
      expect((await report()).reconciliation).toEqual({ consistent: true, problems: [] });
    } finally {
      await release(centre);
    }
    await settle();
    expect((await view(code)).processing.status).toBe('DONE');
    expect((await report()).reconciliation).toEqual({ consistent: true, problems: [] });
  });

  it('when a department\'s status report is dead in its outbox, then it is no lag: reconciliation names the dossier until the report is revived', async () => {
    const [code] = await processing(1);
    const held = await holdOutbox(transport());
    try {
      expect(codeOf(await decide('transport', code, SGTVT))).toBeUndefined();
      await transport().query(`UPDATE outbox_message SET dead_at = now() WHERE dossier_code = $1 AND delivered_at IS NULL`, [code]);
    } finally {
      await release(held);
    }
    const stuck = (await report()).reconciliation;
    expect(stuck.consistent).toBe(false);
    expect(stuck.problems).toContain(`${TRANSPORT}: the register and its system disagree on the status of ${code} (the register says PROCESSING, its system RELEASING)`);
    await transport().query(`UPDATE outbox_message SET dead_at = NULL WHERE dossier_code = $1 AND delivered_at IS NULL`, [code]);
    await settle();
    expect((await view(code)).processing.status).toBe('RELEASING');
    expect((await report()).reconciliation).toEqual({ consistent: true, problems: [] });
  });

  it('when the register and the department disagree on statuses (written into one side\'s table, as the old race left them), then reconciliation names each dossier with both statuses and is not consistent; three on a day are named by the day', async () => {
    const [a, b, c] = await processing(3);
    for (const code of [a, b, c]) expect(codeOf(await decide('transport', code, SGTVT))).toBeUndefined();
    await settle();
    expect((await report()).reconciliation).toEqual({ consistent: true, problems: [] });
    try {
      await intake().query(`UPDATE dossier SET status = 'CANCELLED', withdrawn_at = now() WHERE code = $1`, [a]);
      const one = (await report()).reconciliation;
      expect(one).toEqual({
        consistent: false,
        problems: [`${TRANSPORT}: the register and its system disagree on the status of ${a} (the register says CANCELLED, its system RELEASING)`],
      });
      await transport().query(`UPDATE processing SET status = 'CANCELLED' WHERE dossier_code = $1`, [b]);
      const [first, second] = [a, b].sort();
      const says = { [a]: '(the register says CANCELLED, its system RELEASING)', [b]: '(the register says RELEASING, its system CANCELLED)' };
      expect((await report()).reconciliation).toEqual({
        consistent: false,
        problems: [`${TRANSPORT}: the register and its system disagree on the status of ${first} ${says[first]}, ${second} ${says[second]}`],
      });
      await intake().query(`UPDATE dossier SET status = 'DONE' WHERE code = $1`, [c]);
      expect((await report()).reconciliation).toEqual({
        consistent: false,
        problems: [`${TRANSPORT}: the register and its system disagree on the statuses of several dossiers received on ${today()}`],
      });
    } finally {
      await intake().query(`UPDATE dossier SET status = 'RELEASING', withdrawn_at = NULL WHERE code = ANY($1)`, [[a, c]]);
      await transport().query(`UPDATE processing SET status = 'RELEASING' WHERE dossier_code = $1`, [b]);
    }
    expect((await report()).reconciliation).toEqual({ consistent: true, problems: [] });
  });

  it('when a withdrawal and a decision race in the one-stop system, for 10 dossiers, then one wins each time, the other is CONFLICT, and they never deadlock', async () => {
    const stp = officer('STP');
    const codes = await processing(10, '2.000488', 'oneStop', stp);
    const outcomes = await Promise.all(codes.map(async (code) => {
      const [w, d] = await Promise.all([withdraw(code), decide('oneStop', code, stp)]);
      return { code, w, d };
    }));
    const register = await statuses(intake(), `SELECT code, status FROM dossier WHERE code = ANY($1)`, codes);
    const oneStop = await statuses(intake(), `SELECT dossier_code AS code, status FROM processing WHERE dossier_code = ANY($1)`, codes);
    for (const { code, w, d } of outcomes) {
      expect([codeOf(w), codeOf(d)].sort()).toEqual(['CONFLICT', undefined]);
      expect(register[code]).toBe(oneStop[code]);
      expect(register[code]).toBe(codeOf(d) === 'CONFLICT' ? 'CANCELLED' : 'RELEASING');
    }
  });
});
