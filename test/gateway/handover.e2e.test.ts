import { randomUUID } from 'node:crypto';
import { devSigningSecret } from '../../subgraphs/kit/config';
import { devHandoverPrivateKey } from '../../subgraphs/kit/messaging/handover.keys';
import type { Identity } from '../../subgraphs/kit/identity';
import { signHandover, signRequest } from '../../subgraphs/kit/signing';
import { DISPATCH_LOCK } from '../../subgraphs/kit/messaging/outbox';
import { startPrivateSystem, startSubgraph, TestSystem } from '../support/system';
import { until } from '../support/waiting';

const STAFF: Identity = { subject: 'counter-1', role: 'CENTRE_STAFF' };

describe('hand-overs between systems', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('handover'));
  });
  afterAll(() => close?.());

  const receive = (i: number) =>
    system.query(
      `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`,
      { input: { procedureCode: '1.002820', channel: 'ONLINE', applicant: { fullName: `Nguyễn Văn Thử ${'A'.repeat(1 + (i % 3))}`, idNumber: `0560${String(90000000 + i)}` } } },
      STAFF,
    );

  it('when the transport system is down while 100 dossiers are received for it, then after it restarts all 100 arrive, none twice, with no one touching anything', async () => {
    const transport = system.subgraphs.transport;
    const port = Number(new URL(transport.url).port);
    await transport.server.close();

    const codes: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await receive(i);
      expect(res.errors).toBeUndefined();
      codes.push(res.data.receiveDossier.code);
    }
    // Tried and refused: the receiver is down, nothing got through.
    await until('a failed delivery to transport', async () => {
      const [{ tried }] = await system.subgraphs.intake.server.db.query(
        `SELECT count(*)::int AS tried FROM outbox_message WHERE destination = 'transport' AND attempts > 0 AND dossier_code = ANY($1)`, [codes]);
      return tried > 0;
    });
    const [{ waiting }] = await system.subgraphs.intake.server.db.query(
      `SELECT count(*)::int AS waiting FROM outbox_message WHERE destination = 'transport' AND delivered_at IS NULL AND dossier_code = ANY($1)`, [codes]);
    expect(waiting).toBe(100);

    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const RECONCILE = `query($d: Date!) { report(from: $d, to: $d, departmentCode: "SGTVT") { reconciliation { consistent problems } narrative } }`;

    system.subgraphs.transport = await startSubgraph('transport', system.urls.transport, undefined, system.peers, port);
    expect(await system.subgraphs.intake.server.outbox.idle(60_000)).toBe(true);

    const db = system.subgraphs.transport.server.db;
    const [{ records }] = await db.query(`SELECT count(*)::int AS records FROM processing WHERE dossier_code = ANY($1)`, [codes]);
    const twice = await db.query(
      `SELECT dossier_code FROM status_change WHERE dossier_code = ANY($1) AND status = 'NEW' GROUP BY dossier_code HAVING count(*) > 1`, [codes]);
    expect(records).toBe(100);
    expect(twice).toEqual([]);
    const after = await system.query(RECONCILE, { d: today }, { subject: 'rb', role: 'REPORT_BUILDER' });
    expect(after.data.report.reconciliation).toEqual({ consistent: true, problems: [] });
  });

  it('when a system holds fewer dossiers than the centre handed it, then the report says so and names the dossiers not yet delivered', async () => {
    const intake = system.subgraphs.intake.server.db;
    const [{ code }] = await intake.query(`SELECT code FROM dossier WHERE processing_system = 'industry-trade' ORDER BY received_at DESC LIMIT 1`);
    const [{ day }] = await intake.query(`SELECT to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day FROM dossier WHERE code = $1`, [code]);
    await system.subgraphs['industry-trade'].server.db.query(`DELETE FROM status_change WHERE dossier_code = $1`, [code]);
    await system.subgraphs['industry-trade'].server.db.query(`DELETE FROM processing WHERE dossier_code = $1`, [code]);
    const res = await system.query(
      `query($d: Date!) { report(from: $d, to: $d, departmentCode: "SCT") { reconciliation { consistent problems } narrative(language: EN) } }`,
      { d: day }, { subject: 'rb', role: 'REPORT_BUILDER' });
    expect(res.data.report.reconciliation.consistent).toBe(false);
    expect(res.data.report.reconciliation.problems[0]).toMatch(/Sở Công Thương: the centre handed over \d+ dossiers received in the period, its system holds \d+/);
    expect(res.data.report.reconciliation.problems).toContain(`Sở Công Thương: handed over, not in its system: ${code}`);
    expect(res.data.report.narrative).toContain('the systems disagree');
  });

  it('when a hand-over was applied but its acknowledgement was lost, or one of another month is stuck, then the report is consistent', async () => {
    const intake = system.subgraphs.intake.server.db;
    const [{ code, day }] = await intake.query(
      `SELECT code, to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day FROM dossier
        WHERE processing_system = 'transport' AND received_at < now() - interval '2 days' ORDER BY received_at DESC LIMIT 1`);
    const [{ old }] = await intake.query(
      `SELECT code AS old FROM dossier WHERE processing_system = 'transport' AND received_at < now() - interval '60 days' ORDER BY received_at LIMIT 1`);
    // Still marked undelivered, held back from the dispatcher: the system holds the first (applied, no
    // acknowledgement came back); the second is of another month.
    const ids = await intake.query(
      `INSERT INTO outbox_message (destination, dossier_code, type, payload, next_attempt_at)
       SELECT 'transport', c, 'HANDOVER', '{}'::jsonb, now() + interval '1 hour' FROM unnest($1::text[]) AS c RETURNING id`, [[code, old]]);
    try {
      const res = await system.query(
        `query($d: Date!) { report(from: $d, to: $d, departmentCode: "SGTVT") { reconciliation { consistent problems } } }`,
        { d: day }, { subject: 'rb', role: 'REPORT_BUILDER' });
      expect(res.data.report.reconciliation).toEqual({ consistent: true, problems: [] });
    } finally {
      await intake.query(`DELETE FROM outbox_message WHERE id = ANY($1)`, [ids.map((r: { id: string }) => r.id)]);
    }
  });

  it('when a system holds as many dossiers as it was handed but one is not the centre\'s, then the report still finds the day', async () => {
    const intake = system.subgraphs.intake.server.db;
    const police = system.subgraphs.police.server.db;
    const [{ code, day }] = await intake.query(
      `SELECT code, to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day FROM dossier
        WHERE processing_system = 'police' AND received_at < now() - interval '2 days' ORDER BY received_at DESC LIMIT 1`);
    const stranger = `${code.slice(0, -4)}9999`;
    await police.query(
      `INSERT INTO processing SELECT (jsonb_populate_record(null::processing, to_jsonb(p) || jsonb_build_object('dossier_code', $2::text))).* FROM processing p WHERE dossier_code = $1`,
      [code, stranger]);
    await police.query(`DELETE FROM status_change WHERE dossier_code = $1`, [code]);
    await police.query(`DELETE FROM processing WHERE dossier_code = $1`, [code]);
    const res = await system.query(
      `query($d: Date!) { report(from: $d, to: $d, departmentCode: "CAT") { received { total } byDepartment { ... on PoliceDepartmentReport { receivedCount } } reconciliation { consistent problems } } }`,
      { d: day }, { subject: 'rb', role: 'REPORT_BUILDER' });
    expect(res.data.report.byDepartment[0].receivedCount).toBe(res.data.report.received.total);
    expect(res.data.report.reconciliation.consistent).toBe(false);
    expect(res.data.report.reconciliation.problems).toEqual([expect.stringMatching(new RegExp(`^Công an tỉnh: on ${day} the centre handed over \\d+ dossiers, its system holds \\d+$`))]);
  });

  /** A message from `from` (intake unless said), signed with `key` (`from`'s own unless said). */
  const deliver = (system_: TestSystem, to: string, message: Record<string, unknown>, from = 'intake', key = devHandoverPrivateKey(from)) => {
    const body = JSON.stringify({ id: randomUUID(), source: from, ...message });
    const send = () =>
      fetch(`${system_.peers.urls[to]}/handover`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signHandover(key, { method: 'POST', path: '/handover', body, identity: { subject: from, role: 'SERVICE' }, requestId: randomUUID() }),
        },
        body,
      });
    return send;
  };
  const inboxOf = async (name: string, type: string) =>
    (await system.subgraphs[name].server.db.query(`SELECT count(*)::int AS n FROM inbox_message WHERE type = $1`, [type]))[0].n as number;

  it('when the same message is delivered twice (applied, but the acknowledgement lost), then the second changes nothing', async () => {
    const db = system.subgraphs.police.server.db;
    const [{ code }] = await db.query(`SELECT dossier_code AS code FROM processing WHERE status = 'NEW' ORDER BY dossier_code LIMIT 1`);
    const send = deliver(system, 'police', { type: 'WITHDRAWN', dossierCode: code, payload: { at: new Date().toISOString() } });
    const changes = async () => (await db.query(`SELECT count(*)::int AS n FROM status_change WHERE dossier_code = $1`, [code]))[0].n;
    const before = await changes();
    expect(((await (await send()).json()) as any).ok).toBe(true);
    expect(await changes()).toBe(before + 1);
    const second = await send();
    expect(second.status).toBe(200);
    expect(await changes()).toBe(before + 1);
    expect((await db.query(`SELECT status FROM processing WHERE dossier_code = $1`, [code]))[0].status).toBe('CANCELLED');
  });

  it('when a message cannot apply (a result returned for a dossier not decided), then it is acknowledged as rejected and changes nothing, so it blocks no queue', async () => {
    const db = system.subgraphs.police.server.db;
    const [{ code }] = await db.query(`SELECT dossier_code AS code FROM processing WHERE status = 'PROCESSING' ORDER BY dossier_code LIMIT 1`);
    const res = await deliver(system, 'police', { type: 'RESULT_RETURNED', dossierCode: code, payload: { at: new Date().toISOString(), channel: 'DIRECT' } })();
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).ok).toBe(false);
    expect((await db.query(`SELECT status FROM processing WHERE dossier_code = $1`, [code]))[0].status).toBe('PROCESSING');
  });

  it('when the dispatch lock is held (the outbox paused), then nothing is delivered until it is released', async () => {
    const intake = system.subgraphs.intake.server;
    const holder = intake.db.createQueryRunner();
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [DISPATCH_LOCK]);
      const res = await receive(500);
      expect(res.errors).toBeUndefined();
      // The mutation waited for its own hand-over, whose claim found the outbox paused.
      const code = res.data.receiveDossier.code;
      const [{ n }] = await intake.db.query(`SELECT count(*)::int AS n FROM outbox_message WHERE dossier_code = $1 AND delivered_at IS NULL`, [code]);
      expect(n).toBe(1);
      await holder.query('SELECT pg_advisory_unlock($1)', [DISPATCH_LOCK]);
      expect(await intake.outbox.idle(10_000)).toBe(true);
    } finally {
      await holder.release();
    }
  });

  it('when a hand-over is not signed by a known system, then it is refused', async () => {
    const body = JSON.stringify({ id: 'x:1', source: 'intake', type: 'HANDOVER', dossierCode: '000.00.16.H56-200401-0001', payload: {} });
    const unsigned = await fetch(`${system.peers.urls.transport}/handover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(403);
    // The receiver's own gateway secret, which every sender once could have held in its place: no key of a sender.
    const hmac = await fetch(`${system.peers.urls.transport}/handover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(devSigningSecret('transport'), { method: 'POST', path: '/handover', body, identity: { subject: 'intake', role: 'SERVICE' }, requestId: randomUUID() }) },
      body,
    });
    expect(hmac.status).toBe(403);
  });

  it('when a system signs a hand-over as another (police\'s own key, claiming to be intake), then it is refused and changes nothing', async () => {
    const db = system.subgraphs.transport.server.db;
    const [{ code }] = await db.query(`SELECT dossier_code AS code FROM processing WHERE status = 'NEW' ORDER BY dossier_code DESC LIMIT 1`);
    const withdraw = { type: 'WITHDRAWN', dossierCode: code, payload: { at: new Date().toISOString() } };
    const forged = await deliver(system, 'transport', withdraw, 'intake', devHandoverPrivateKey('police'))();
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'access denied' });
    // Signed by police as police, but a withdrawal is the centre's to send.
    const notItsType = await deliver(system, 'transport', withdraw, 'police')();
    expect(notItsType.status).toBe(403);
    expect((await db.query(`SELECT status FROM processing WHERE dossier_code = $1`, [code]))[0].status).toBe('NEW');
    // Its own key and the centre's name, the same message is applied: the refusals were for the key and the type.
    const genuine = await deliver(system, 'transport', withdraw)();
    expect(await genuine.json()).toEqual({ ok: true });
    expect((await db.query(`SELECT status FROM processing WHERE dossier_code = $1`, [code]))[0].status).toBe('CANCELLED');
  });

  it('when police sends a STATUS for a transport dossier, then it is acknowledged as rejected, recorded so, and changes nothing in the register', async () => {
    const intake = system.subgraphs.intake.server.db;
    const [{ code }] = await intake.query(`SELECT code FROM dossier WHERE processing_system = 'transport' AND status = 'PROCESSING' ORDER BY code LIMIT 1`);
    const register = async () =>
      (await intake.query(
        `SELECT d.status, d.decision, d.due_at AS "dueAt", (SELECT count(*)::int FROM dossier_event e WHERE e.dossier_code = d.code) AS events FROM dossier d WHERE d.code = $1`,
        [code],
      ))[0];
    const before = await register();
    const rejectedBefore = await inboxOf('intake', 'STATUS:REJECTED');
    const status = { type: 'STATUS', dossierCode: code, payload: { event: 'DECIDED', status: 'RELEASING', at: new Date().toISOString(), dueAt: null, decision: 'REJECTED' } };
    const res = await deliver(system, 'intake', status, 'police')();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, rejected: `police does not process ${code}` });
    expect(await register()).toEqual(before);
    expect(await inboxOf('intake', 'STATUS:REJECTED')).toBe(rejectedBefore + 1);
  });
});
