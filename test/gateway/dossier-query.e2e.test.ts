import type { Identity } from '../../subgraphs/kit/identity';
import { countStatements, startSystem, TestSystem } from '../support/system';

const LIST = `query($filter: DossierFilter, $first: Int!, $after: String, $orderBy: DossierOrder) {
  dossiers(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    edges { cursor node { code channel receivedAt dueAt department { code } applicant { fullName } } }
    pageInfo { hasNextPage endCursor }
  } }`;

const FULL_PAGE = `query($first: Int!, $after: String) { dossiers(first: $first, after: $after, orderBy: RECEIVED_AT_ASC) {
  edges { cursor node { code applicant { fullName } procedure { name } department { code }
    processing { __typename status history { status at } }
    shipments { trackingNumber status events { status at } }
    timeline { at system type }
    deadline { workingHoursLeft paused }
  } } } }`;

describe('finding dossiers', () => {
  let system: TestSystem;
  const sql = (q: string, p: unknown[] = []) => system.subgraphs.intake.server.db.query(q, p);
  const list = async (variables: Record<string, unknown>, as?: Identity) => {
    const res = await system.query(LIST, { first: 100, ...variables }, as);
    expect(res.errors).toBeUndefined();
    return res.data.dossiers;
  };
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  it('when searching "bui duc" without diacritics, then every applicant named Bùi Đức … is found, whatever the case', async () => {
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM dossier WHERE applicant_full_name LIKE 'Bùi Đức %'`);
    expect(n).toBeGreaterThan(0);
    const found = await list({ filter: { search: 'BUI DUC' } });
    expect(found.totalCount).toBeGreaterThanOrEqual(n);
    const [{ names }] = await sql(`SELECT array_agg(code) AS names FROM dossier WHERE applicant_full_name LIKE 'Bùi Đức %'`);
    const codes = new Set<string>();
    let after: string | null = null;
    do {
      const page: any = await list({ filter: { search: 'bui duc' }, after });
      page.edges.forEach((e: any) => codes.add(e.node.code));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    for (const code of names) expect(codes.has(code)).toBe(true);
  });

  it('when the search runs, then PostgreSQL can answer it from the trigram index, not a scan', async () => {
    const plan = await system.subgraphs.intake.server.db.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return m.query(`EXPLAIN SELECT code FROM dossier WHERE applicant_search LIKE motcua_fold('%bui duc trung%')`);
    });
    const text = plan.map((r: any) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('IDX_dossier_applicant_search');
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('when filters are combined, then the count and the rows match the same condition in SQL', async () => {
    const filter = { departmentCode: 'SGTVT', channel: 'ONLINE', receivedFrom: '2020-04-01T00:00:00+07:00', receivedTo: '2020-04-30T23:59:59+07:00' };
    const page = await list({ filter });
    const [{ n }] = await sql(
      `SELECT count(*)::int AS n FROM dossier WHERE department_code = 'SGTVT' AND channel = 'ONLINE' AND received_at BETWEEN $1 AND $2`,
      [filter.receivedFrom, filter.receivedTo],
    );
    expect(page.totalCount).toBe(n);
    expect(page.edges.every((e: any) => e.node.channel === 'ONLINE' && e.node.department.code === 'SGTVT')).toBe(true);
  });

  it('when filtering by status and overdue, then the register\'s reported status answers, and dossiers waiting for supplements are not overdue', async () => {
    const waiting = await list({ filter: { status: 'WAITING' } });
    expect(waiting.totalCount).toBeGreaterThan(0);
    const overdue = await list({ filter: { overdue: true } });
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM dossier WHERE status IN ('NEW','PROCESSING','PAYING') AND due_at < now()`);
    expect(overdue.totalCount).toBe(n);
    const waitingCodes = new Set(waiting.edges.map((e: any) => e.node.code));
    expect(overdue.edges.some((e: any) => waitingCodes.has(e.node.code))).toBe(false);
  });

  it('when ordered by due date, then pages follow each other in due order without overlap', async () => {
    const first = await list({ first: 30, orderBy: 'DUE_AT_ASC', filter: { departmentCode: 'CAT' } });
    const second = await list({ first: 30, orderBy: 'DUE_AT_ASC', filter: { departmentCode: 'CAT' }, after: first.pageInfo.endCursor });
    const dues = [...first.edges, ...second.edges].map((e: any) => Date.parse(e.node.dueAt));
    expect([...dues].sort((a, b) => a - b)).toEqual(dues);
    expect(new Set([...first.edges, ...second.edges].map((e: any) => e.node.code)).size).toBe(60);
    const mixed = await system.query(LIST, { first: 5, orderBy: 'RECEIVED_AT_ASC', after: first.pageInfo.endCursor });
    expect(mixed.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it.each([
    [{ search: 'x' }, 'filter.search'],
    [{ applicantIdNumber: '123' }, 'filter.applicantIdNumber'],
    [{ receivedFrom: '2020-05-01T00:00:00+07:00', receivedTo: '2020-04-01T00:00:00+07:00' }, 'filter.receivedFrom'],
  ])('when the filter is %p, then BAD_USER_INPUT names %s', async (filter, field) => {
    const res = await system.query(LIST, { first: 5, filter });
    expect(res.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('when a page of 10 and a page of 100 dossiers are read with processing, shipments, timeline and deadline, then each subgraph sends the same SQL', async () => {
    let big: any;
    const hundred = await countStatements(system, async () => (big = await system.query(FULL_PAGE, { first: 100 })));
    expect(big.errors).toBeUndefined();
    const edges = big.data.dossiers.edges;
    const kinds = (e: any[]) => new Set(e.map((x: any) => x.node.processing.__typename)).size;
    const withShipments = (e: any[]) => e.some((x: any) => x.node.shipments.length > 0);
    const start = edges.findIndex((_: unknown, i: number) => i > 0 && kinds(edges.slice(i, i + 10)) === 4 && withShipments(edges.slice(i, i + 10)));
    expect(start).toBeGreaterThan(0);
    let small: any;
    const ten = await countStatements(system, async () => (small = await system.query(FULL_PAGE, { first: 10, after: edges[start - 1].cursor })));
    expect(small.errors).toBeUndefined();
    expect(kinds(small.data.dossiers.edges)).toBe(4);
    expect(hundred).toEqual(ten);
    expect(big.data.dossiers.edges[0].node.timeline[0].type).toBe('RECEIVED');
  });
});
