import fc from 'fast-check';
import type { Identity } from '../../subgraphs/kit/identity';
import { startPrivateSystem, TestSystem, answered, settle as settleOutboxes } from '../support/system';

const STAFF: Identity = { subject: 'counter-7', role: 'CENTRE_STAFF' };
const REPORTS: Identity = { subject: 'rb-7', role: 'REPORT_BUILDER' };
const SERVICE: Identity = { subject: 'svc-7', role: 'SERVICE' };
const officer = (department: string): Identity => ({ subject: `officer-${department}`, role: 'DEPARTMENT_OFFICER', department });
const citizen = (citizenId: string): Identity => ({ subject: `citizen-${citizenId}`, role: 'CITIZEN', citizenId });

const APPLICANT = { fullName: 'Bùi Đức Trung', idNumber: '056080001234', phone: '0905123456', address: 'Số 1 Trần Phú, thành phố Nha Trang, tỉnh Khánh Hòa' };
const RECEIVE = `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`;
const UNKNOWN = '000.00.16.H56-200401-9999';

describe('personal data stays masked: filters, free text, tracking, existence', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('masking'));
  });
  afterAll(() => close?.());

  const settle = () => settleOutboxes(system);
  const ok = (query: string, variables: Record<string, unknown>, as: Identity) => answered(system, query, variables, as);
  const receive = async (procedureCode: string, applicant = APPLICANT): Promise<string> =>
    (await ok(RECEIVE, { input: { procedureCode, channel: 'ONLINE', applicant } }, STAFF)).receiveDossier.code;
  const intakeDb = () => system.subgraphs.intake.server.db;
  const refusedFilters = async (role: string) =>
    (await intakeDb().query(
      `SELECT fields FROM audit_record WHERE role = $1 AND dossier_code = '*' AND NOT allowed AND operation = 'READ' ORDER BY id`,
      [role],
    )).map((r: { fields: string[] }) => r.fields.join(','));

  describe('finding 1: masked roles cannot filter or count by a person', () => {
    const COUNT = `query($f: DossierFilter) { dossiers(filter: $f, first: 1) { totalCount edges { node { code } } } }`;

    it('when a report builder searches by name or ID number with totalCount, then it is FORBIDDEN before any filter is checked, and each refusal is audited', async () => {
      const before = await refusedFilters('REPORT_BUILDER');
      const byName = await system.query(COUNT, { f: { search: 'bui duc' } }, REPORTS);
      const byId = await system.query(COUNT, { f: { applicantIdNumber: APPLICANT.idNumber } }, REPORTS);
      // A malformed ID number is refused as FORBIDDEN too, not BAD_USER_INPUT: the refusal comes before the filter is read.
      const malformed = await system.query(COUNT, { f: { applicantIdNumber: '12' } }, REPORTS);
      for (const [res, field] of [[byName, 'filter.search'], [byId, 'filter.applicantIdNumber'], [malformed, 'filter.applicantIdNumber']] as const) {
        expect(res.data?.dossiers ?? null).toBeNull();
        expect(res.errors.map((e: any) => [e.extensions.code, e.extensions.field])).toEqual([['FORBIDDEN', field]]);
      }
      expect((await refusedFilters('REPORT_BUILDER')).slice(before.length)).toEqual(['filter.search', 'filter.applicantIdNumber', 'filter.applicantIdNumber']);
    });

    it('when a service combines both personal filters, then it is FORBIDDEN naming both, and audited once', async () => {
      const before = await refusedFilters('SERVICE');
      const res = await system.query(COUNT, { f: { search: 'trung', applicantIdNumber: APPLICANT.idNumber, departmentCode: 'SGTVT' } }, SERVICE);
      expect(res.errors.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
      expect(res.errors[0].message).toContain('filter.applicantIdNumber and filter.search');
      expect((await refusedFilters('SERVICE')).slice(before.length)).toEqual(['filter.applicantIdNumber,filter.search']);
    });

    it('when masked roles try random filters, counts and selections, then every personal filter is FORBIDDEN and no answer carries a name or an ID number', async () => {
      const [person] = await intakeDb().query(
        `SELECT applicant_full_name AS name, applicant_id_number AS id FROM dossier WHERE department_code = 'SGTVT' ORDER BY code LIMIT 1`);
      const filter = fc.record(
        {
          search: fc.option(fc.constantFrom(person.name, 'bui duc', 'trung')),
          applicantIdNumber: fc.option(fc.constantFrom(person.id, '000000000000', '12')),
          departmentCode: fc.option(fc.constantFrom('SGTVT', 'CAT')),
          status: fc.option(fc.constantFrom('NEW', 'PROCESSING')),
        },
        { requiredKeys: [] },
      );
      const selection = fc.constantFrom(
        'totalCount',
        'edges { node { code applicant { fullName idNumber phone address } } }',
        'totalCount edges { node { applicant { fullName } } }',
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(REPORTS, SERVICE), filter, selection, async (as, f, sel) => {
          const res = await system.query(`query($f: DossierFilter) { dossiers(filter: $f, first: 20) { ${sel} } }`, { f }, as);
          const personal = f.search != null || f.applicantIdNumber != null;
          expect((res.errors ?? []).map((e: any) => e.extensions.code)).toEqual(personal ? ['FORBIDDEN'] : []);
          expect(res.data?.dossiers == null).toBe(personal);
          const text = JSON.stringify(res);
          expect(text).not.toContain(person.id);
          expect(text).not.toContain(person.name);
        }),
        { numRuns: 40 },
      );
    });

    it('when a report builder counts by filters that name no person, then the count answers; centre staff may still search by name', async () => {
      const rb = await ok(COUNT, { f: { departmentCode: 'SGTVT' } }, REPORTS);
      expect(rb.dossiers.totalCount).toBeGreaterThan(0);
      await receive('1.002820');
      const staff = await ok(COUNT, { f: { search: 'bui duc trung', applicantIdNumber: APPLICANT.idNumber } }, STAFF);
      expect(staff.dossiers.totalCount).toBeGreaterThan(0);
    });
  });

  describe('finding 2: free text', () => {
    const HISTORY = `query($code: String!) { dossier(code: $code) {
      processing { ... on TransportProcessing { history { status note } } }
      timeline { type detail } rating { level reason } } }`;

    it('when an officer writes an ID or a phone number into a supplement note, then it is BAD_USER_INPUT naming note and nothing changes', async () => {
      const code = await receive('1.002820');
      await settle();
      const ofc = officer('SGTVT');
      await ok(`mutation($c: String!) { transportStartProcessing(dossierCode: $c) { status } }`, { c: code }, ofc);
      for (const note of [`Bổ sung CCCD ${APPLICANT.idNumber} của ông Trung`, 'Gọi lại số 0905 123 456', 'Liên hệ +84 905.123.456']) {
        const res = await system.query(`mutation($c: String!, $n: String!) { transportRequestSupplement(dossierCode: $c, note: $n) { status } }`, { c: code, n: note }, ofc);
        expect(res.errors.map((e: any) => [e.extensions.code, e.extensions.field])).toEqual([['BAD_USER_INPUT', 'note']]);
        expect(JSON.stringify(res)).not.toContain(APPLICANT.idNumber);
      }
      const [row] = await system.subgraphs.transport.server.db.query(`SELECT status FROM processing WHERE dossier_code = $1`, [code]);
      expect(row.status).toBe('PROCESSING');
    });

    it('when a supplement note and a rating reason are written, then a report builder reads neither, centre staff read both, and the staff read of the note is audited', async () => {
      const code = await receive('1.002820');
      await settle();
      const ofc = officer('SGTVT');
      await ok(`mutation($c: String!) { transportStartProcessing(dossierCode: $c) { status } }`, { c: code }, ofc);
      const note = 'Ông Bùi Đức Trung nộp bản sao giấy phép lái xe cũ';
      await ok(`mutation($c: String!, $n: String!) { transportRequestSupplement(dossierCode: $c, note: $n) { status } }`, { c: code, n: note }, ofc);
      const refused = await system.query(
        `mutation($c: String!, $r: String) { rateService(dossierCode: $c, level: DISSATISFIED, reason: $r) { level } }`, { c: code, r: `Tôi, CCCD ${APPLICANT.idNumber}, chờ lâu` }, STAFF);
      expect(refused.errors.map((e: any) => [e.extensions.code, e.extensions.field])).toEqual([['BAD_USER_INPUT', 'reason']]);
      const reason = 'Bà Trần Thị Lan ở quầy 3 không hướng dẫn';
      const rated = await ok(`mutation($c: String!, $r: String) { rateService(dossierCode: $c, level: DISSATISFIED, reason: $r) { level reason } }`, { c: code, r: reason }, STAFF);
      expect(rated.rateService.reason).toBe(reason);
      await settle();

      const masked = (await ok(HISTORY, { code }, REPORTS)).dossier;
      expect(masked.processing.history.map((h: any) => h.note)).toEqual(masked.processing.history.map(() => null));
      expect(masked.timeline.find((e: any) => e.type === 'SUPPLEMENT_REQUESTED').detail).toBeNull();
      expect(masked.timeline.find((e: any) => e.type === 'RECEIVED').detail).toBe('ONLINE');
      expect(masked.rating).toEqual({ level: 'DISSATISFIED', reason: null });
      expect(JSON.stringify(masked)).not.toMatch(/Trung|Lan|giấy phép/);

      const auditBefore = await system.subgraphs.transport.server.db.query(`SELECT count(*)::int AS n FROM audit_record WHERE dossier_code = $1 AND 'note' = ANY(fields) AND allowed`, [code]);
      const full = (await ok(HISTORY, { code }, STAFF)).dossier;
      expect(full.processing.history.map((h: any) => h.note)).toContain(note);
      expect(full.timeline.find((e: any) => e.type === 'SUPPLEMENT_REQUESTED').detail).toBe(note);
      expect(full.rating.reason).toBe(reason);
      const auditAfter = await system.subgraphs.transport.server.db.query(`SELECT count(*)::int AS n FROM audit_record WHERE dossier_code = $1 AND 'note' = ANY(fields) AND allowed`, [code]);
      expect(auditAfter[0].n).toBe(auditBefore[0].n + 1);
    });
  });

  describe('finding 7: anonymous shipment tracking', () => {
    it('when someone without a token tracks an item, then status and events answer, and neither the dossier code nor a person does', async () => {
      const [item] = await system.subgraphs.postal.server.db.query(
        `SELECT s.tracking_number AS t, s.dossier_code AS code, s.recipient_name AS name FROM shipment s
         WHERE EXISTS (SELECT 1 FROM shipment_event e WHERE e.shipment_tracking_number = s.tracking_number) ORDER BY s.tracking_number LIMIT 1`);
      const open = await system.query(`query($t: String!) { shipment(trackingNumber: $t) { trackingNumber status events { status at location } } }`, { t: item.t }, null);
      expect(open.errors).toBeUndefined();
      expect(open.data.shipment.events.length).toBeGreaterThan(0);
      expect(JSON.stringify(open)).not.toContain(item.code);
      for (const fields of ['dossierCode', 'dossier { code }', 'dossier { code channel receivedAt }', 'recipientName', 'direction postedAt', 'deliveredAt']) {
        const res = await system.query(`query($t: String!) { shipment(trackingNumber: $t) { status ${fields} } }`, { t: item.t }, null);
        // A non-null field refused takes the item with it; deliveredAt may be null, so it alone goes.
        expect(res.data?.shipment ?? null).toEqual(fields === 'deliveredAt' ? { status: expect.any(String), deliveredAt: null } : null);
        expect(res.errors.map((e: any) => e.extensions.code)).toContain('FORBIDDEN');
        expect(JSON.stringify(res)).not.toContain(item.code);
        expect(JSON.stringify(res)).not.toContain(item.name);
      }
      const staff = await ok(`query($t: String!) { shipment(trackingNumber: $t) { dossierCode } }`, { t: item.t }, STAFF);
      expect(staff.shipment.dossierCode).toBe(item.code);
    });

    it('when a postal event location carries a phone number, then it is BAD_USER_INPUT naming location', async () => {
      const [item] = await system.subgraphs.postal.server.db.query(`SELECT tracking_number AS t FROM shipment ORDER BY tracking_number LIMIT 1`);
      const res = await system.query(`mutation($t: String!) { recordShipmentEvent(trackingNumber: $t, status: IN_TRANSIT, location: "Gọi 0905123456") { status } }`, { t: item.t }, SERVICE);
      expect(res.errors.map((e: any) => [e.extensions.code, e.extensions.field])).toEqual([['BAD_USER_INPUT', 'location']]);
    });
  });

  describe('finding 9: no existence oracle', () => {
    const answer = (res: any) => ({ data: res.data, errors: res.errors.map((e: any) => ({ message: e.message, code: e.extensions.code })) });

    it("when an officer steps, reads or looks up another department's dossier and an unknown one, then both answers are the same NOT_FOUND", async () => {
      const police = await receive('1.003930');
      await settle();
      const transport = officer('SGTVT');
      for (const q of [
        `mutation($c: String!) { policeStartProcessing(dossierCode: $c) { status } }`,
        `mutation($c: String!) { policeRequestSupplement(dossierCode: $c, note: "Bản sao") { status } }`,
        `mutation($c: String!) { policeDecide(dossierCode: $c, decision: REJECTED) { status } }`,
        `query($c: String!) { policeProcessing(dossierCode: $c) { status } }`,
        `query($c: String!) { dossier(code: $c) { code } }`,
      ]) {
        const seen = answer(await system.query(q, { c: police }, transport));
        const unknown = answer(await system.query(q, { c: UNKNOWN }, transport));
        expect(seen.errors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);
        expect(seen).toEqual(unknown);
      }
      const [row] = await system.subgraphs.police.server.db.query(`SELECT status FROM processing WHERE dossier_code = $1`, [police]);
      expect(row.status).toBe('NEW');
    });

    it("when a citizen reads or rates someone else's dossier and an unknown one, then both answers are the same NOT_FOUND", async () => {
      const other = await receive('1.002820', { ...APPLICANT, idNumber: '056080009999' });
      const me = citizen(APPLICANT.idNumber);
      for (const q of [
        `query($c: String!) { dossier(code: $c) { code } }`,
        `query($c: String!) { transportProcessing(dossierCode: $c) { status } }`,
        `mutation($c: String!) { rateService(dossierCode: $c, level: SATISFIED) { level } }`,
      ]) {
        const seen = answer(await system.query(q, { c: other }, me));
        const unknown = answer(await system.query(q, { c: UNKNOWN }, me));
        expect(seen.errors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);
        expect(seen).toEqual(unknown);
      }
    });

    it('when centre staff ask for an unknown dossier, then it is still null without error', async () => {
      const res = await system.query(`query($c: String!) { dossier(code: $c) { code } policeProcessing(dossierCode: $c) { status } }`, { c: UNKNOWN }, STAFF);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ dossier: null, policeProcessing: null });
    });
  });
});
