import { Client } from 'pg';
import type { Identity } from '../../subgraphs/kit/identity';
import { demoDatabaseUrls, startSystem, TestSystem } from '../support/system';

const RB: Identity = { subject: 'rb-1', role: 'REPORT_BUILDER' };
const STAFF: Identity = { subject: 'staff-1', role: 'CENTRE_STAFF' };
const RATINGS = `query($from: Date!, $to: Date!, $dept: String) { report(from: $from, to: $to, departmentCode: $dept) {
  returnedByPost rates { returnedByPost } ratings { total verySatisfied satisfied dissatisfied } } }`;

describe('the report fixes of issue 13', () => {
  let system: TestSystem;
  const intake = new Client({ connectionString: demoDatabaseUrls().intake });
  beforeAll(async () => {
    system = await startSystem();
    await intake.connect();
  });
  afterAll(async () => {
    await intake.end();
    await system?.close();
  });

  it('when Industry & Trade is reported for April–June 2020, then its ratings are those of its own dossiers, not the centre\'s', async () => {
    const vars = { from: '2020-04-01', to: '2020-06-30' };
    const { rows: [own] } = await intake.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE r.level = 'VERY_SATISFIED')::int AS very
         FROM rating r JOIN dossier d ON d.code = r.dossier_code
        WHERE d.department_code = 'SCT' AND r.rated_at BETWEEN '2020-04-01T00:00:00+07:00' AND '2020-06-30T23:59:59.999+07:00'`);
    const { rows: [all] } = await intake.query(
      `SELECT count(*)::int AS total FROM rating WHERE rated_at BETWEEN '2020-04-01T00:00:00+07:00' AND '2020-06-30T23:59:59.999+07:00'`);
    expect(own.total).toBeLessThan(all.total);
    const sct = await system.query(RATINGS, { ...vars, dept: 'SCT' }, RB);
    expect(sct.errors).toBeUndefined();
    expect(sct.data.report.ratings).toMatchObject({ total: own.total, verySatisfied: own.very });
    const centre = await system.query(RATINGS, vars, RB);
    expect(centre.data.report.ratings.total).toBe(all.total);
  });

  it('when April 2020 is reported, then the post-returns rate is results returned by post over results returned, within 100%', async () => {
    const { rows: [r] } = await intake.query(
      `SELECT count(*)::int AS returned, count(*) FILTER (WHERE return_channel = 'POSTAL')::int AS by_post FROM dossier
        WHERE returned_at BETWEEN '2020-04-01T00:00:00+07:00' AND '2020-04-30T23:59:59.999+07:00'`);
    const res = await system.query(RATINGS, { from: '2020-04-01', to: '2020-04-30' }, RB);
    expect(res.errors).toBeUndefined();
    expect(res.data.report.returnedByPost).toBe(r.by_post);
    expect(res.data.report.rates.returnedByPost).toBe(Math.floor((2 * r.by_post * 10000 + r.returned) / (2 * r.returned)) / 100);
    expect(res.data.report.rates.returnedByPost).toBeLessThanOrEqual(100);
  });

  it('when a day has results returned by post for dossiers resolved in other periods, then the rate still stays within 100%', async () => {
    const { rows: [day] } = await intake.query(
      `SELECT to_char(returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day FROM dossier
        WHERE return_channel = 'POSTAL' AND (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const res = await system.query(RATINGS, { from: day.day, to: day.day }, RB);
    expect(res.errors).toBeUndefined();
    expect(res.data.report.returnedByPost).toBeGreaterThan(0);
    expect(res.data.report.rates.returnedByPost).toBeLessThanOrEqual(100);
  });

  it('when the deadline of a dossier waiting now is asked for an instant before the wait, then it was not paused then', async () => {
    const { rows: [w] } = await intake.query(
      `SELECT d.code, q.at AS requested, d.received_at FROM dossier d JOIN dossier_event q ON q.dossier_code = d.code AND q.type = 'SUPPLEMENT_REQUESTED'
        WHERE d.status = 'WAITING' AND q.at - d.received_at > interval '2 hours' ORDER BY d.code LIMIT 1`);
    const before = new Date(w.requested.getTime() - 3_600_000).toISOString();
    const res = await system.query(`query($code: String!, $at: DateTime) { dossier(code: $code) {
        deadline { paused } then: deadline(at: $at) { dueAt paused asOf workingHoursLeft } } }`, { code: w.code, at: before }, STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.dossier.deadline.paused).toBe(true);
    expect(res.data.dossier.then.paused).toBe(false);
    expect(new Date(res.data.dossier.then.asOf).toISOString()).toBe(before);
  });
});
