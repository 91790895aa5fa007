import { Client } from 'pg';
import { APRIL_2020 } from '../../demo/generate';
import { DEPARTMENT_SYSTEMS } from '../../subgraphs/registry';
import { demoDatabaseUrls } from '../support/system';

/**
 * The centre's April 2020 report, recomputed by direct SQL on each system's own database from the demo
 * data, with domain.md's definitions. Two published figures do not add up and the data corrects them:
 * 938 in process (not 942) and 99.77% early or on time (not 99.73%).
 */
const FROM = '2020-04-01T00:00:00+07:00';
const TO = '2020-04-30T23:59:59+07:00';
const DAY = (col: string) => `(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

describe('the April 2020 figures in the demo data', () => {
  const clients: Record<string, Client> = {};
  const one = async (db: string, sql: string, params: unknown[] = [FROM, TO]) => (await clients[db].query(sql, params)).rows[0];
  const processingSystems = () => ['intake', ...DEPARTMENT_SYSTEMS.map((s) => s.name)];
  const sumOver = async (sql: string) => {
    const totals: Record<string, number> = {};
    for (const db of processingSystems()) {
      for (const [k, v] of Object.entries(await one(db, sql))) totals[k] = (totals[k] ?? 0) + Number(v);
    }
    return totals;
  };

  beforeAll(async () => {
    for (const [name, url] of Object.entries(demoDatabaseUrls())) {
      clients[name] = new Client({ connectionString: url });
      await clients[name].connect();
    }
  });
  afterAll(async () => Promise.all(Object.values(clients).map((c) => c.end())));

  it('when the register is counted, then 952 dossiers were carried over into April', async () => {
    const r = await one('intake', `SELECT count(*)::int AS n FROM dossier WHERE received_at < $1
      AND NOT (coalesce(decided_at, withdrawn_at) IS NOT NULL AND coalesce(decided_at, withdrawn_at) < $1) AND $2::text IS NOT NULL`);
    expect(r.n).toBe(APRIL_2020.carriedOver);
  });

  it('when April intake is counted by channel, then 645 online, 1,062 at the counter and 45 by post make 1,752', async () => {
    const r = await one('intake', `SELECT count(*) FILTER (WHERE channel = 'ONLINE')::int AS online,
      count(*) FILTER (WHERE channel = 'DIRECT')::int AS direct, count(*) FILTER (WHERE channel = 'POSTAL')::int AS postal,
      count(*)::int AS total FROM dossier WHERE received_at BETWEEN $1 AND $2`);
    expect(r).toEqual({ online: 645, direct: 1062, postal: 45, total: 1752 });
  });

  it('when counter intake is looked for during the closure of 1-22 April, then there is none', async () => {
    const r = await one('intake', `SELECT count(*)::int AS n FROM dossier WHERE channel = 'DIRECT'
      AND received_at BETWEEN $1 AND '2020-04-22T23:59:59+07:00' AND $2::text IS NOT NULL`);
    expect(r.n).toBe(0);
  });

  it('when new dossiers are ranked by department, then Transport 515, Police 305 and Industry & Trade 246 lead', async () => {
    const { rows } = await clients.intake.query(
      `SELECT department_code AS code, count(*)::int AS n FROM dossier WHERE received_at BETWEEN $1 AND $2
       GROUP BY department_code ORDER BY n DESC LIMIT 3`, [FROM, TO]);
    expect(rows).toEqual([{ code: 'SGTVT', n: 515 }, { code: 'CAT', n: 305 }, { code: 'SCT', n: 246 }]);
  });

  it('when decisions are counted in the systems that made them, then 1,766 were resolved: 966 early, 796 on time, 4 late', async () => {
    const r = await sumOver(`SELECT
      count(*) FILTER (WHERE ${DAY('decided_at')} < ${DAY('due_at')}) AS early,
      count(*) FILTER (WHERE due_at IS NULL OR ${DAY('decided_at')} = ${DAY('due_at')}) AS on_time,
      count(*) FILTER (WHERE ${DAY('decided_at')} > ${DAY('due_at')}) AS late,
      count(*) AS total
      FROM processing WHERE decided_at BETWEEN $1 AND $2`);
    expect(r).toEqual({ early: 966, on_time: 796, late: 4, total: 1766 });
    const rate = Math.round(((r.early + r.on_time) / r.total) * 10000) / 100;
    expect(rate).toBe(99.77); // the published 99.73% is an erratum
  });

  it('when the centre register is compared, then it recorded the same 1,766 decisions the systems made', async () => {
    const r = await one('intake', `SELECT count(*)::int AS n FROM dossier WHERE decided_at BETWEEN $1 AND $2`);
    expect(r.n).toBe(1766);
  });

  it('when dossiers in process at 30 April are counted, then 938 balance the month (not the published 942) and 7 are overdue', async () => {
    const r = await sumOver(`SELECT
      count(*) AS in_process,
      count(*) FILTER (WHERE due_at < $2 AND status <> 'WAITING') AS overdue,
      count(*) FILTER (WHERE due_at < $2 AND status = 'WAITING') AS waiting_past_due
      FROM processing WHERE received_at <= $2 AND (decided_at IS NULL OR decided_at > $2) AND status <> 'CANCELLED'
      AND $1::text IS NOT NULL`);
    expect(r.in_process).toBe(938);
    expect(952 + 1752 - 1766 - APRIL_2020.withdrawn).toBe(r.in_process);
    expect(r.overdue).toBe(7);
    expect(r.waiting_past_due).toBe(APRIL_2020.waitingPastDue);
  });

  it('when results sent by post are counted in postal and in the register, then both say 129', async () => {
    const register = await one('intake', `SELECT count(*)::int AS n FROM dossier WHERE return_channel = 'POSTAL' AND returned_at BETWEEN $1 AND $2`);
    const postal = await one('postal', `SELECT count(*)::int AS n FROM shipment WHERE direction = 'OUTBOUND' AND posted_at BETWEEN $1 AND $2`);
    expect(register.n).toBe(129);
    expect(postal.n).toBe(129);
  });

  it('when counter returns are looked for during the closure, then there are none', async () => {
    const r = await one('intake', `SELECT count(*)::int AS n FROM dossier WHERE return_channel = 'DIRECT'
      AND returned_at BETWEEN $1 AND '2020-04-22T23:59:59+07:00' AND $2::text IS NOT NULL`);
    expect(r.n).toBe(0);
  });

  it('when ratings are counted, then 298: 288 very satisfied and 10 satisfied', async () => {
    const r = await one('intake', `SELECT count(*)::int AS total,
      count(*) FILTER (WHERE level = 'VERY_SATISFIED')::int AS very, count(*) FILTER (WHERE level = 'SATISFIED')::int AS satisfied,
      count(*) FILTER (WHERE level = 'DISSATISFIED')::int AS dissatisfied FROM rating WHERE rated_at BETWEEN $1 AND $2`);
    expect(r).toEqual({ total: 298, very: 288, satisfied: 10, dissatisfied: 0 });
  });

  it('when postal inbound items are counted, then each April postal dossier arrived by one', async () => {
    const r = await one('postal', `SELECT count(*)::int AS n FROM shipment WHERE direction = 'INBOUND' AND delivered_at BETWEEN $1::timestamptz - interval '1 hour' AND $2`);
    expect(r.n).toBe(45);
  });

  it('when each system is compared with the register, then every dossier handed over has exactly one processing record there', async () => {
    for (const s of DEPARTMENT_SYSTEMS) {
      const { rows } = await clients.intake.query(`SELECT count(*)::int AS n FROM dossier WHERE processing_system = $1`, [s.name]);
      const there = await one(s.name, 'SELECT count(*)::int AS n FROM processing', []);
      expect({ system: s.name, n: there.n }).toEqual({ system: s.name, n: rows[0].n });
    }
  });
});
