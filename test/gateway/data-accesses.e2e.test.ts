import { randomUUID } from 'node:crypto';
import { DATA_ACCESSES } from '../../subgraphs/kit/audit/access-shipping';
import type { Identity } from '../../subgraphs/kit/identity';
import { receiveDataAccesses } from '../../subgraphs/intake/data-access.store';
import { extraReplica, postGraphQL, settle, startPrivateSystem, TestSystem, tokenFor } from '../support/system';
import { until } from '../support/waiting';

const PAGE = `query($first: Int, $after: String) { myDataAccesses(first: $first, after: $after) {
  at system role departmentCode fields operation dossierCode cursor } }`;

/** Every system ships what its audit logged to the register, and the register has applied it. */
async function shipped(system: TestSystem): Promise<void> {
  for (const s of Object.values(system.subgraphs)) await s.server.shipAccesses();
  await settle(system);
}

describe("the data subject's view of who accessed their data", () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let code: string;
  let citizen: Identity;
  const staff: Identity = { subject: 'staff-data-42', role: 'CENTRE_STAFF' };
  const officer: Identity = { subject: 'officer-sgtvt-9', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' };

  const ask = async (who: Identity, variables: Record<string, unknown> = {}) =>
    postGraphQL(system.gatewayUrl, PAGE, variables, await tokenFor(who));

  /** Every page, following the last access's cursor, to the first page shorter than asked. */
  async function allPages(who: Identity, first: number): Promise<any[]> {
    const seen: any[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await ask(who, { first, after });
      expect(res.errors).toBeUndefined();
      const page: any[] = res.data.myDataAccesses;
      seen.push(...page);
      if (page.length < first) return seen;
      after = page[page.length - 1].cursor;
    }
  }

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('dataaccess'));
    let id: string;
    [{ code, id }] = await system.subgraphs.intake.server.db.query(
      `SELECT code, applicant_id_number AS id FROM dossier WHERE department_code = 'SGTVT' AND channel = 'POSTAL' AND decision = 'APPROVED' ORDER BY code LIMIT 1`,
    );
    citizen = { subject: 'citizen-portal-1', role: 'CITIZEN', citizenId: id };

    const read = await system.query(
      `query($c: String!) { dossier(code: $c) { applicant { idNumber fullName } shipments { address } } }`, { c: code }, staff,
    );
    expect(read.errors).toBeUndefined();
    const acted = await system.query(
      `query($c: String!) { dossier(code: $c) { processing { ... on TransportProcessing { transportLicence { number } } } } }`, { c: code }, officer,
    );
    expect(acted.errors).toBeUndefined();
    expect(acted.data.dossier.processing.transportLicence.number).toEqual(expect.any(String));
    await shipped(system);
  });
  afterAll(() => close?.());

  it('when staff read a dossier and an officer acts on it, then its applicant sees both, from intake, postal and the department system, newest first', async () => {
    const res = await ask(citizen, { first: 100 });
    expect(res.errors).toBeUndefined();
    const accesses = res.data.myDataAccesses.filter((a: any) => a.dossierCode === code);
    expect(accesses[0]).toEqual(expect.objectContaining({
      system: 'transport', role: 'DEPARTMENT_OFFICER', departmentCode: 'SGTVT', fields: ['transportLicence'], operation: 'READ',
    }));
    expect(accesses.slice(1, 3)).toEqual(expect.arrayContaining([
      expect.objectContaining({ system: 'intake', role: 'CENTRE_STAFF', departmentCode: null, fields: ['fullName', 'idNumber'], operation: 'READ' }),
      expect.objectContaining({ system: 'postal', role: 'CENTRE_STAFF', departmentCode: null, fields: ['address'], operation: 'READ' }),
    ]));
    const times = res.data.myDataAccesses.map((a: any) => Date.parse(a.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('when a subgraph runs with its shipping timer, then an officer\'s access reaches the citizen\'s list without anyone shipping it', async () => {
    // A second police replica with a short period, as `npm start`'s subgraphs run theirs every second.
    const replica = await extraReplica(system, 'police', { accessShippingMs: 100 });
    try {
      const [{ code: policeCode, id }] = await system.subgraphs.intake.server.db.query(
        `SELECT code, applicant_id_number AS id FROM dossier WHERE department_code = 'CAT' AND decision = 'APPROVED' ORDER BY code LIMIT 1`,
      );
      const officerCat: Identity = { subject: 'officer-cat-7', role: 'DEPARTMENT_OFFICER', department: 'CAT' };
      const read = await system.query(`query($c: String!) { dossier(code: $c) { processing { ... on PoliceProcessing { policeCertificate { number } } } } }`, { c: policeCode }, officerCat);
      expect(read.errors).toBeUndefined();
      expect(read.data.dossier.processing.policeCertificate.number).toEqual(expect.any(String));
      const [{ at }] = await system.subgraphs.police.server.db.query(
        `SELECT max(at) AS at FROM audit_record WHERE dossier_code = $1 AND subject = $2`, [policeCode, officerCat.subject],
      );
      expect(at).toBeInstanceOf(Date);
      const owner: Identity = { subject: 'citizen-portal-9', role: 'CITIZEN', citizenId: id };
      const listed = await until('the police access in the citizen\'s list', async () =>
        ((await ask(owner, { first: 100 })).data?.myDataAccesses ?? []).find((a: any) => a.system === 'police' && a.dossierCode === policeCode));
      expect(listed).toMatchObject({ role: 'DEPARTMENT_OFFICER', departmentCode: 'CAT', operation: 'READ' });
    } finally {
      await replica.close();
    }
  });

  it('when a department system has signed a closed month in its audit chain, then the accesses it logs after still reach the citizen, and no shipment is refused', async () => {
    const transportAccesses = async () => ((await ask(citizen, { first: 100 })).data.myDataAccesses as any[]).filter((a) => a.system === 'transport' && a.dossierCode === code).length;
    const before = await transportAccesses();
    expect((await system.query(`mutation { closeReportPeriod(month: "2020-04") { month } }`, {}, staff)).errors).toBeUndefined();
    const transport = system.subgraphs.transport.server.db;
    await until('transport has signed April', async () => ((await transport.query(`SELECT 1 FROM audit_record WHERE dossier_code = 'period:2020-04'`)).length ? true : undefined));
    const acted = await system.query(
      `query($c: String!) { dossier(code: $c) { processing { ... on TransportProcessing { transportLicence { number } } } } }`, { c: code }, officer,
    );
    expect(acted.errors).toBeUndefined();
    await shipped(system);
    expect(await transportAccesses()).toBe(before + 1);
    expect(await transport.query(`SELECT type, last_error FROM outbox_message WHERE dead_at IS NOT NULL`)).toEqual([]);
  });

  it('when a shipment made before that fix is revived, then its accesses are kept and the period\'s signature in it is skipped', async () => {
    const db = system.subgraphs.intake.server.db;
    const access = { id: '900000001', at: '2020-04-21T02:00:00.000000Z', role: 'DEPARTMENT_OFFICER', department: 'SGTVT', fields: ['transportLicence'], operation: 'READ', dossierCode: code };
    const signature = { ...access, id: '900000000', role: 'SERVICE', department: null, fields: [`digest:${'a'.repeat(64)}`], operation: 'WRITE', dossierCode: 'period:2020-04' };
    await db.transaction((m) => receiveDataAccesses(m, { id: randomUUID(), source: 'transport', type: DATA_ACCESSES, dossierCode: 'data-accesses', payload: { accesses: [signature, access] } }));
    const kept = await db.query(`SELECT record_id::text AS id, dossier_code FROM data_access WHERE system = 'transport' AND record_id IN (900000000, 900000001)`);
    expect(kept).toEqual([{ id: '900000001', dossier_code: code }]);
  });

  it('when the citizen pages with first and after, then the pages join into the whole list, each access once, in order', async () => {
    const whole: any[] = (await ask(citizen, { first: 100 })).data.myDataAccesses;
    expect(whole.length).toBeGreaterThanOrEqual(3);
    expect(whole.length).toBeLessThan(100);
    expect(await allPages(citizen, 1)).toEqual(whole);
    expect(await allPages(citizen, 2)).toEqual(whole);
  });

  it('when the citizen reads the accesses, then no officer or staff identity is in the answer, nor can it be asked for', async () => {
    const res = await ask(citizen, { first: 100 });
    const text = JSON.stringify(res);
    expect(text).not.toContain(officer.subject);
    expect(text).not.toContain(staff.subject);
    const asked = await postGraphQL(system.gatewayUrl, `{ myDataAccesses { subject } }`, {}, await tokenFor(citizen));
    expect(asked.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('when another citizen asks, then they see none of those accesses', async () => {
    const [{ id }] = await system.subgraphs.intake.server.db.query(
      `SELECT applicant_id_number AS id FROM dossier WHERE applicant_id_number <> $1 ORDER BY code LIMIT 1`, [citizen.citizenId],
    );
    const other: Identity = { subject: 'citizen-portal-2', role: 'CITIZEN', citizenId: id };
    const seen = await allPages(other, 100);
    expect(seen.filter((a) => a.dossierCode === code)).toEqual([]);
  });

  it('when the citizen reads their own dossier, then their own reads are not listed as accesses by others', async () => {
    const before = await allPages(citizen, 100);
    const own = await system.query(
      `query($c: String!) { dossier(code: $c) { applicant { fullName } shipments { address } processing { ... on TransportProcessing { transportLicence { number } } } } }`,
      { c: code }, citizen,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data.dossier.applicant.fullName).toEqual(expect.any(String));
    await shipped(system);
    expect(await allPages(citizen, 100)).toEqual(before);
  });

  it.each([
    ['centre staff', { subject: 'staff-1', role: 'CENTRE_STAFF' } as Identity],
    ['a department officer', { subject: 'officer-1', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' } as Identity],
    ['a report builder', { subject: 'report-1', role: 'REPORT_BUILDER' } as Identity],
  ])('when %s asks, then it is FORBIDDEN', async (_, who) => {
    const res = await ask(who);
    expect(res.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(res.data?.myDataAccesses ?? null).toBeNull();
  });

  it('when the caller has no token, then it is FORBIDDEN', async () => {
    const res = await postGraphQL(system.gatewayUrl, PAGE, {});
    expect(res.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('when after is not a cursor or first is out of range, then BAD_USER_INPUT', async () => {
    expect((await ask(citizen, { after: 'bm90LWEtY3Vyc29y' })).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect((await ask(citizen, { first: 0 })).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await ask(citizen, { first: 101 })).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe("the data subject's view when a department system is down", () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let citizen: Identity;
  let code: string;

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('dataaccessdown'));
    let id: string;
    [{ code, id }] = await system.subgraphs.intake.server.db.query(
      `SELECT code, applicant_id_number AS id FROM dossier WHERE department_code = 'SGTVT' AND decision = 'APPROVED' ORDER BY code LIMIT 1`,
    );
    citizen = { subject: 'citizen-portal-3', role: 'CITIZEN', citizenId: id };
    const acted = await system.query(
      `query($c: String!) { dossier(code: $c) { processing { ... on TransportProcessing { transportLicence { number } } } } }`,
      { c: code }, { subject: 'officer-sgtvt-3', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' },
    );
    expect(acted.errors).toBeUndefined();
    await shipped(system);
    expect(await system.subgraphs.transport.server.shipAccesses()).toBe(0);
    await system.subgraphs.transport.server.close();
  });
  afterAll(() => close?.());

  it('when the citizen asks, then the accesses that system logged and shipped before it went down are still listed, with no error', async () => {
    const res = await postGraphQL(system.gatewayUrl, PAGE, { first: 100 }, await tokenFor(citizen));
    expect(res.errors).toBeUndefined();
    expect(res.data.myDataAccesses).toContainEqual(expect.objectContaining({
      system: 'transport', role: 'DEPARTMENT_OFFICER', departmentCode: 'SGTVT', dossierCode: code, fields: ['transportLicence'],
    }));
  });
});
