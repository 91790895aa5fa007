import { countStatements, startSystem, TestSystem } from '../support/system';

const DOSSIER = `
  query Dossier($code: String!) {
    dossier(code: $code) {
      code channel receivedAt dueAt
      department { code name hasOwnSystem }
      procedure { code name workingDays }
      applicant { fullName idNumber phone address }
      processing {
        __typename dossierCode status officer decision decidedAt
        history { status at }
        ... on TransportProcessing { transportLicence { kind number vehiclePlate } }
        ... on PoliceProcessing { policeCertificate { kind number } }
        ... on IndustryTradeProcessing { tradeLicence { kind number validUntil } }
        ... on OneStopProcessing { resultDocument }
      }
      shipments { trackingNumber direction status events { status at } }
    }
  }`;

const PAGE = `
  query Page($first: Int!, $after: String) {
    dossiers(first: $first, after: $after) {
      edges { cursor node {
        code channel applicant { fullName }
        procedure { name } department { code }
        processing { __typename status decidedAt history { status at } }
        shipments { trackingNumber status events { status } }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

describe('the federated graph, end to end over HTTP', () => {
  let system: TestSystem;
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    system = await startSystem();
    const pick = async (sql: string) => (await system.subgraphs.intake.server.db.query(sql))[0].code as string;
    codes.TransportProcessing = await pick(`SELECT code FROM dossier WHERE processing_system = 'transport' AND channel = 'POSTAL' AND return_channel = 'POSTAL' ORDER BY code LIMIT 1`);
    codes.PoliceProcessing = await pick(`SELECT code FROM dossier WHERE processing_system = 'police' AND decided_at IS NOT NULL ORDER BY code LIMIT 1`);
    codes.IndustryTradeProcessing = await pick(`SELECT code FROM dossier WHERE processing_system = 'industry-trade' ORDER BY code LIMIT 1`);
    codes.OneStopProcessing = await pick(`SELECT code FROM dossier WHERE processing_system IS NULL AND return_channel = 'POSTAL' ORDER BY code LIMIT 1`);
  });

  afterAll(() => system?.close());

  it.each(['TransportProcessing', 'PoliceProcessing', 'IndustryTradeProcessing', 'OneStopProcessing'])(
    'when a %s dossier is queried whole, then one response joins the register, its processing system and postal',
    async (type) => {
      const { data, errors } = await system.query(DOSSIER, { code: codes[type] });
      expect(errors).toBeUndefined();
      const d = data.dossier;
      expect(d.code).toBe(codes[type]);
      expect(d.applicant.idNumber).toMatch(/^\d{12}$/);
      expect(d.processing.__typename).toBe(type);
      expect(d.processing.dossierCode).toBe(codes[type]);
      expect(d.processing.status).toMatch(/^[A-Z]+$/);
      expect(d.processing.history[0].status).toBe('NEW');
      expect(d.department.hasOwnSystem).toBe(type !== 'OneStopProcessing');
      expect(d.receivedAt).toMatch(/\+07:00$/);
    },
  );

  it('when a postal dossier with a postal return is queried, then both items come from postal with their events', async () => {
    const { data } = await system.query(DOSSIER, { code: codes.TransportProcessing });
    expect(data.dossier.channel).toBe('POSTAL');
    expect(data.dossier.shipments.map((s: any) => s.direction)).toEqual(['INBOUND', 'OUTBOUND']);
    expect(data.dossier.shipments[0].trackingNumber).toMatch(/^RE\d{9}VN$/);
    expect(data.dossier.shipments[0].events.map((e: any) => e.status)).toEqual(['ACCEPTED', 'IN_TRANSIT', 'DELIVERED']);
  });

  it('when a transport dossier is queried, then only intake, transport and postal are asked', async () => {
    const counts = await countStatements(system, () => system.query(DOSSIER, { code: codes.TransportProcessing }));
    expect(counts.transport).toBeGreaterThan(0);
    expect(counts.postal).toBeGreaterThan(0);
    expect(counts.police).toBe(0);
    expect(counts['industry-trade']).toBe(0);
  });

  it('when a rated dossier and a postal item are looked up, then the rating comes from intake and the item leads back to its dossier', async () => {
    const [rated] = await system.subgraphs.intake.server.db.query(`SELECT dossier_code AS code, level FROM rating ORDER BY id LIMIT 1`);
    const [item] = await system.subgraphs.postal.server.db.query(`SELECT tracking_number AS t, dossier_code AS code FROM shipment ORDER BY tracking_number LIMIT 1`);
    const { data, errors } = await system.query(
      `query($code: String!, $t: String!) { dossier(code: $code) { rating { level officer ratedAt } }
        shipment(trackingNumber: $t) { trackingNumber dossier { code channel receivedAt } } }`,
      { code: rated.code, t: item.t },
    );
    expect(errors).toBeUndefined();
    expect(data.dossier.rating.level).toBe(rated.level);
    expect(data.shipment.dossier).toMatchObject({ code: item.code, channel: expect.stringMatching(/^(ONLINE|DIRECT|POSTAL)$/) });
  });

  it('when the code is malformed, then the error is BAD_USER_INPUT and says nothing internal', async () => {
    const { data, errors } = await system.query(DOSSIER, { code: "000'; DROP TABLE dossier; --" });
    expect(data?.dossier ?? null).toBeNull();
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(errors)).not.toMatch(/stack|SELECT|http:\/\/|127\.0\.0\.1/i);
  });

  it('when the code is well formed but unknown, then the dossier is null without error', async () => {
    const { data, errors } = await system.query(DOSSIER, { code: '000.00.16.H56-200401-9999' });
    expect(errors).toBeUndefined();
    expect(data.dossier).toBeNull();
  });

  it('when a page of 5 and a page of 50 dossiers are read with processing and shipments, then each subgraph sends the same number of SQL statements', async () => {
    let small: any;
    let large: any;
    const fifty = await countStatements(system, async () => (large = await system.query(PAGE, { first: 50 })));
    expect(large.errors).toBeUndefined();
    expect(large.data.dossiers.edges).toHaveLength(50);
    const kinds = (edges: any[]) => new Set(edges.map((e: any) => e.node.processing.__typename)).size;
    expect(kinds(large.data.dossiers.edges)).toBe(4);
    // The smaller page must hold every kind of processing too, or it would skip whole fetches.
    const edges = large.data.dossiers.edges;
    const start = edges.findIndex((_: unknown, i: number) => i > 0 && kinds(edges.slice(i, i + 5)) === 4);
    expect(start).toBeGreaterThan(0);
    const five = await countStatements(system, async () => (small = await system.query(PAGE, { first: 5, after: edges[start - 1].cursor })));
    expect(small.errors).toBeUndefined();
    expect(kinds(small.data.dossiers.edges)).toBe(4);
    expect(fifty).toEqual(five);
    // At most five reads per subgraph, plus the audit write where personal data was read (lock, chain end,
    // insert, in a transaction) and the claim of each call's nonce: a fixed cost per request too.
    for (const n of Object.values(fifty)) expect(n).toBeLessThanOrEqual(11);
  });

  it('when paging with the cursor, then the next page continues without overlap', async () => {
    const first = await system.query(PAGE, { first: 3 });
    const next = await system.query(PAGE, { first: 3, after: first.data.dossiers.pageInfo.endCursor });
    const a = first.data.dossiers.edges.map((e: any) => e.node.code);
    const b = next.data.dossiers.edges.map((e: any) => e.node.code);
    expect(b).toHaveLength(3);
    expect(a.filter((c: string) => b.includes(c))).toEqual([]);
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ first: 5, after: 'not-a-cursor' }, 'after'],
  ])('when the page arguments are %p, then BAD_USER_INPUT names %s', async (vars, field) => {
    const { errors } = await system.query(PAGE, vars);
    expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('when the catalogue is read, then departments say which run their own system and procedures filter by department', async () => {
    const { data } = await system.query(`{ departments { code name hasOwnSystem } procedures(departmentCode: "SGTVT") { code name workingDays department { code } } all: procedures { code } }`);
    expect(data.departments).toHaveLength(20);
    expect(data.departments.filter((d: any) => d.hasOwnSystem).map((d: any) => d.code).sort()).toEqual(['CAT', 'SCT', 'SGTVT']);
    expect(data.procedures.length).toBeGreaterThan(0);
    expect(data.procedures.every((p: any) => p.department.code === 'SGTVT')).toBe(true);
    expect(data.procedures.find((p: any) => p.code === '1.002820').workingDays).toBe(5);
    expect(data.all.length).toBeGreaterThan(data.procedures.length);
  });

  it('when procedures are asked for an unknown department, then BAD_USER_INPUT names departmentCode', async () => {
    const { errors } = await system.query(`{ procedures(departmentCode: "NOPE") { code } }`);
    expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'departmentCode' });
  });

  it('when the gateway and subgraphs are asked for health, then each answers ok', async () => {
    const urls = [system.gatewayUrl, ...Object.values(system.subgraphs).map((s) => s.url)];
    for (const url of urls) {
      const res = await fetch(url.replace('/graphql', '/health'));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('ok');
    }
  });
});
