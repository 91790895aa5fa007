import { Client } from 'pg';
import { importLines } from '../../importer/import';
import type { Identity } from '../../subgraphs/kit/identity';
import { countStatements, demoDatabaseUrls, startPrivateSystem, startSystem, TestSystem, tokenFor } from '../support/system';

const STAFF: Identity = { subject: 'staff-sync', role: 'CENTRE_STAFF' };
const SYNC: Identity = { subject: 'dvcqg-sync', role: 'SERVICE' };

/** The portal's codes for our statuses, as docs/national-sync.md lists them. */
const DOCUMENTED: Record<string, string> = {
  RECEIVING: '1', NEW: '2', DENIED: '3', PROCESSING: '4', WAITING: '5', PAYING: '6', CANCELLED: '7', UNRESOLVED: '8', RELEASING: '9', DONE: '10',
};

/** An instant as the portal writes it: yyyyMMddHHmmss on the Vietnam clock, computed by PostgreSQL in the tests. */
const PORTAL_DATE = (col: string) => `coalesce(to_char(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS'), '')`;

async function download(base: string, query: string, as: Identity | null): Promise<Response> {
  return fetch(`${base}/exports/national-sync.jsonl?${query}`, as ? { headers: { authorization: `Bearer ${await tokenFor(as)}` } } : {});
}

const parse = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('the national portal\'s dossier sync, on the demo data', () => {
  let system: TestSystem;
  const intake = new Client({ connectionString: demoDatabaseUrls().intake });
  const base = () => system.gatewayUrl.replace(/\/graphql$/, '');
  let lines: any[];
  beforeAll(async () => {
    system = await startSystem();
    await intake.connect();
    const res = await download(base(), 'from=2020-04-01&to=2020-04-30', STAFF);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    lines = parse(await res.text());
  });
  afterAll(async () => {
    await intake.end();
    await system?.close();
  });

  it('when April 2020 is exported, then there is one line per dossier received in the period, each as the register holds it, in the portal\'s date format and Vietnam time', async () => {
    const { rows } = await intake.query(
      `SELECT d.code, d.procedure_code, p.name AS procedure_name, dep.name AS department_name, d.channel, d.applicant_full_name,
              d.status, d.return_channel, ${PORTAL_DATE('d.received_at')} AS received, ${PORTAL_DATE('d.due_at')} AS due,
              ${PORTAL_DATE('d.returned_at')} AS returned, ${PORTAL_DATE('coalesce(d.decided_at, d.withdrawn_at)')} AS ended
         FROM dossier d JOIN procedure p ON p.code = d.procedure_code JOIN department dep ON dep.code = d.department_code
        WHERE d.received_at BETWEEN '2020-04-01T00:00:00+07:00' AND '2020-04-30T23:59:59.999+07:00' ORDER BY d.received_at, d.code`);
    expect(rows).toHaveLength(1752);
    expect(lines.map((l) => l.MaHoSo)).toEqual(rows.map((r) => r.code));
    const statuses = new Set<string>();
    rows.forEach((r, i) => {
      statuses.add(r.status);
      expect(lines[i]).toMatchObject({
        MaTTHC: r.procedure_code,
        TenTTHC: r.procedure_name,
        KenhThucHien: { DIRECT: '1', ONLINE: '2', POSTAL: '3' }[r.channel as string],
        ChuHoSo: r.applicant_full_name,
        LoaiDoiTuong: '1',
        NgayTiepNhan: r.received,
        NgayHenTra: r.due,
        TrangThaiHoSo: DOCUMENTED[r.status],
        NgayTra: r.returned,
        HinhThuc: r.return_channel === 'POSTAL' ? '1' : '0',
        NgayKetThucXuLy: r.ended,
        DonViXuLy: r.department_name,
      });
    });
    // More than one status, or the mapping is not tested.
    expect(statuses.size).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => /^2020040[1-9]|^202004[1-3]\d/.test(l.NgayTiepNhan) && /^\d{14}$/.test(l.NgayTiepNhan))).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/\b\d{12}\b/);
  });

  it('when a result went back by post, then the line is status 10 with its return date and HinhThuc 1', async () => {
    const { rows: [r] } = await intake.query(
      `SELECT code, ${PORTAL_DATE('returned_at')} AS returned FROM dossier WHERE return_channel = 'POSTAL'
          AND received_at BETWEEN '2020-04-01T00:00:00+07:00' AND '2020-04-30T23:59:59.999+07:00' ORDER BY code LIMIT 1`);
    expect(lines.find((l) => l.MaHoSo === r.code)).toMatchObject({ TrangThaiHoSo: '10', HinhThuc: '1', NgayTra: r.returned });
  });

  it('when the centre\'s staff export, then each name they read is in intake\'s audit; the integration service gets names masked and reads none', async () => {
    const { rows: [audited] } = await intake.query(
      `SELECT count(DISTINCT dossier_code)::int AS n FROM audit_record WHERE subject = $1 AND 'fullName' = ANY(fields) AND operation = 'READ' AND allowed`,
      [STAFF.subject]);
    expect(audited.n).toBe(1752);
    const res = await download(base(), 'from=2020-04-01&to=2020-04-01', SYNC);
    expect(res.status).toBe(200);
    const masked = parse(await res.text());
    expect(masked.length).toBeGreaterThan(0);
    for (const l of masked) expect(l.ChuHoSo).toMatch(/^(\p{Lu}\. )+\p{Lu}\.$/u);
    const { rows: [service] } = await intake.query(`SELECT count(*)::int AS n FROM audit_record WHERE subject = $1 AND 'fullName' = ANY(fields)`, [SYNC.subject]);
    expect(service.n).toBe(0);
  });

  it('when the parameters are missing or bad, then the answer is 400 BAD_USER_INPUT naming the parameter, before any subgraph is asked', async () => {
    const cases: [string, string][] = [
      ['to=2020-04-30', 'from'],
      ['from=2020-04-01', 'to'],
      ['from=2020-04-31&to=2020-05-01', 'from'],
      ['from=20200401&to=2020-04-30', 'from'],
      ['from=2020-05-01&to=2020-04-30', 'from'],
      ['from=2020-04-01&to=2020-04-30&pageSize=0', 'pageSize'],
      ['from=2020-04-01&to=2020-04-30&pageSize=101', 'pageSize'],
      ['from=2020-04-01&to=2020-04-30&pageSize=1e2', 'pageSize'],
      ['from=2020-04-01&from=2020-04-02&to=2020-04-30', 'from'],
    ];
    const counts = await countStatements(system, async () => {
      for (const [query, field] of cases) {
        const res = await download(base(), query, STAFF);
        expect([query, res.status]).toEqual([query, 400]);
        expect(await res.json()).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
    });
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it('when a report builder, an officer, a citizen or no one asks, then it is 403 FORBIDDEN; a forged token is 401', async () => {
    const others: (Identity | null)[] = [
      { subject: 'rb', role: 'REPORT_BUILDER' },
      { subject: 'o', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' },
      { subject: 'c', role: 'CITIZEN', citizenId: '056080001234' },
      null,
    ];
    for (const who of others) {
      const res = await download(base(), 'from=2020-04-01&to=2020-04-30', who);
      expect([who?.role, res.status]).toEqual([who?.role, 403]);
      expect(((await res.json()) as any).code).toBe('FORBIDDEN');
    }
    const forged = await fetch(`${base()}/exports/national-sync.jsonl?from=2020-04-01&to=2020-04-30`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
  });

  it('when the same period is exported in pages of 100 and of 20, then a page costs each subgraph at most the same few statements, whatever its size', async () => {
    // 3–7 April 2020: a little over 100 dossiers, so two pages of 100 and six of 20.
    const period = 'from=2020-04-03&to=2020-04-07';
    let big: any[] = [];
    let small: any[] = [];
    const hundred = await countStatements(system, async () => (big = parse(await (await download(base(), `${period}&pageSize=100`, SYNC)).text())));
    const twenty = await countStatements(system, async () => (small = parse(await (await download(base(), `${period}&pageSize=20`, SYNC)).text())));
    expect(small).toEqual(big);
    expect(big.length).toBeGreaterThan(100);
    expect(big.length).toBeLessThanOrEqual(120);
    // Per page: the register's list, procedures, departments and one-stop records (one query each, batched) and the
    // transaction of its audit; a department system's one _entities fetch. A page without one of its dossiers costs it none.
    const PER_PAGE: Record<string, number> = { intake: 5, postal: 0, transport: 2, police: 2, 'industry-trade': 2 };
    for (const [counts, pages] of [[hundred, 2], [twenty, 6]] as const) {
      for (const name of Object.keys(PER_PAGE)) expect([name, counts[name] <= pages * PER_PAGE[name]]).toEqual([name, true]);
      expect(counts.intake).toBe(pages * PER_PAGE.intake);
    }
  });
});

describe('the national portal\'s dossier sync, on an imported history', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  const base = () => system.gatewayUrl.replace(/\/graphql$/, '');
  const person = (n: number) => ({ fullName: `Trần Thị Đồng Bộ ${'ABCDEF'[n]}`, idNumber: `05608200000${n}`, phone: '0905000001' });
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('national_sync', { catalogueOnly: true }));
    const dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
    const lines = [
      // Withdrawn, in a department's own system.
      { code: '000.00.16.H56-210601-0001', procedureCode: '1.002820', channel: 'ONLINE', receivedAt: '2021-06-01T09:00:00+07:00', applicant: person(1),
        events: [{ type: 'WITHDRAWN', at: '2021-06-02T10:00:00+07:00' }] },
      // Returned by post after a wait for supplements of two working days: due 8 June 09:00, moved to 10 June.
      { code: '000.00.16.H56-210601-0002', procedureCode: '1.002820', channel: 'POSTAL', receivedAt: '2021-06-01T10:00:00+07:00', applicant: person(2),
        events: [{ type: 'SUPPLEMENT_REQUESTED', at: '2021-06-03T09:00:00+07:00' }, { type: 'SUPPLEMENT_RECEIVED', at: '2021-06-07T09:00:00+07:00' },
          { type: 'DECIDED', at: '2021-06-09T15:00:00+07:00', outcome: 'APPROVED' }, { type: 'RESULT_RETURNED', at: '2021-06-10T08:00:00+07:00', channel: 'POSTAL' }] },
      // Withdrawn in the centre's one-stop system; received at 23:30 on the period's last day, 16:30 UTC.
      { procedureCode: '2.001610', channel: 'ONLINE', receivedAt: '2021-06-30T23:30:00+07:00', applicant: person(3),
        events: [{ type: 'WITHDRAWN', at: '2021-07-01T08:00:00+07:00' }] },
      // Waiting for supplements now.
      { procedureCode: '2.000488', channel: 'DIRECT', receivedAt: '2021-06-15T08:00:00+07:00', applicant: person(4),
        events: [{ type: 'SUPPLEMENT_REQUESTED', at: '2021-06-16T09:00:00+07:00' }] },
      // Received the day after the period: not in it.
      { procedureCode: '2.001610', channel: 'ONLINE', receivedAt: '2021-07-01T00:00:00+07:00', applicant: person(5), events: [] },
    ];
    const result = await importLines(lines.map((l) => JSON.stringify(l)), dbs);
    expect(result.bad).toEqual([]);
  });
  afterAll(() => close?.());

  it('when June 2021 is exported, then withdrawals are 7 with their date, the postal return 10 with HinhThuc 1, the wait 5, and NgayHenTra the due date the wait moved', async () => {
    const res = await download(base(), 'from=2021-06-01&to=2021-06-30', SYNC);
    expect(res.status).toBe(200);
    const lines = parse(await res.text());
    expect(lines.map((l) => [l.TrangThaiHoSo, l.NgayTiepNhan, l.NgayHenTra, l.NgayKetThucXuLy, l.NgayTra, l.HinhThuc, l.KenhThucHien])).toEqual([
      ['7', '20210601090000', '20210608090000', '20210602100000', '', '0', '2'],
      ['10', '20210601100000', '20210610100000', '20210609150000', '20210610080000', '1', '3'],
      ['5', '20210615080000', '20210629080000', '', '', '0', '1'],
      ['7', '20210630233000', '20210705170000', '20210701080000', '', '0', '2'],
    ]);
    expect(lines[0]).toMatchObject({ MaHoSo: '000.00.16.H56-210601-0001', MaTTHC: '1.002820', DonViXuLy: 'Sở Giao thông vận tải' });
  });
});

describe('the national portal\'s dossier sync when a department system stops answering', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  it('when the police system stops after the first lines were sent, then the response is cut off, never ended as if whole', async () => {
    const base = system.gatewayUrl.replace(/\/graphql$/, '');
    const res = await download(base, 'from=2020-04-01&to=2020-04-30&pageSize=5', SYNC);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await system.subgraphs.police.server.close();
    const rest = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })();
    await expect(rest).rejects.toThrow();
  });
});
