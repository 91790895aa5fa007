import fc from 'fast-check';
import type { Identity } from '../../subgraphs/kit/identity';
import { startPrivateSystem, TestSystem } from '../support/system';

/**
 * Random input to every mutation: each answer is a success or a coded error, never an internal one,
 * and a refused call leaves every database as it was.
 */
const CODED = new Set(['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED']);
const STAFF: Identity = { subject: 'prop-staff', role: 'CENTRE_STAFF' };
const TABLES: Record<string, string[]> = {
  intake: ['dossier', 'dossier_event', 'rating', 'processing', 'status_change', 'outbox_message', 'idempotency_key', 'dossier_counter'],
  postal: ['shipment', 'shipment_event', 'outbox_message', 'idempotency_key'],
  transport: ['processing', 'status_change', 'outbox_message', 'idempotency_key'],
  police: ['processing', 'status_change', 'outbox_message', 'idempotency_key'],
  'industry-trade': ['processing', 'status_change', 'outbox_message', 'idempotency_key'],
};

describe('every mutation under random input', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('properties'));
  });
  afterAll(() => close?.());

  const settle = async () => {
    for (const s of Object.values(system.subgraphs)) await s.server.outbox.idle();
  };
  const snapshot = async () => {
    const counts: Record<string, number> = {};
    for (const [name, tables] of Object.entries(TABLES)) {
      const db = system.subgraphs[name].server.db;
      const [row] = await db.query(`SELECT ${tables.map((t) => `(SELECT count(*)::int FROM ${t}) AS "${t}"`).join(', ')}`);
      for (const t of tables) counts[`${name}.${t}`] = row[t];
    }
    counts['intake.counters'] = (await system.subgraphs.intake.server.db.query(`SELECT coalesce(sum(last), 0)::int AS s FROM dossier_counter`))[0].s;
    return counts;
  };

  /** Sends the call; asserts the answer is a success or coded, and that a refusal stored nothing. */
  const check = async (query: string, variables: Record<string, unknown>, as: Identity) => {
    await settle();
    const before = await snapshot();
    const res = await system.query(query, variables, as);
    const codes = (res.errors ?? []).map((e: any) => e.extensions?.code);
    for (const code of codes) expect(CODED).toContain(code);
    if (codes.length) {
      await settle();
      expect(await snapshot()).toEqual(before);
    }
    return res;
  };

  const text = fc.oneof(fc.string({ maxLength: 150 }), fc.constantFrom('', '   ', 'Bùi Đức Trung', 'Nguyễn Thị Mai', "x'); DROP TABLE dossier; --", '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'A'.repeat(400)));
  const idNumber = fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string({ maxLength: 14 }), fc.constantFrom('056080001234', '', '05608000123x'));
  const instant = fc.oneof(
    fc.date({ min: new Date('2018-01-01T00:00:00Z'), max: new Date('2031-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2020-04-10T09:00:00+07:00', 'yesterday', '2020-02-30T10:00:00+07:00', null),
  );

  it('when receiveDossier gets random input, then it answers with a dossier or a coded error, and a refusal stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          procedureCode: fc.oneof(fc.constantFrom('1.002820', '1.003930', '2.000488', '2.000176', '9.999999'), fc.string({ maxLength: 12 })),
          channel: fc.constantFrom('ONLINE', 'DIRECT', 'POSTAL', 'FAX'),
          receivedAt: instant,
          applicant: fc.record({ fullName: text, idNumber, phone: fc.option(fc.oneof(fc.stringMatching(/^0\d{9}$/), fc.string({ maxLength: 12 }))), address: fc.option(text) }),
        }),
        fc.option(fc.stringMatching(/^[a-z0-9-]{0,20}$/)),
        async (input, key) => {
          await check(`mutation($input: ReceiveDossierInput!, $key: String) { receiveDossier(input: $input, idempotencyKey: $key) { code } }`, { input, key }, STAFF);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('when the lifecycle steps get random dossiers, roles and order, then each answers or refuses with a code, and a refusal changes nothing', async () => {
    const codes: string[] = (
      await system.subgraphs.intake.server.db.query(
        `(SELECT code FROM dossier WHERE processing_system = 'police' ORDER BY received_at DESC LIMIT 4)
         UNION ALL (SELECT code FROM dossier WHERE processing_system IS NULL ORDER BY received_at DESC LIMIT 4)`,
      )
    ).map((r: any) => r.code);
    const who = fc.constantFrom<Identity>(
      STAFF,
      { subject: 'cat-1', role: 'DEPARTMENT_OFFICER', department: 'CAT' },
      { subject: 'stp-1', role: 'DEPARTMENT_OFFICER', department: 'STP' },
      { subject: 'skhdt-1', role: 'DEPARTMENT_OFFICER', department: 'SKHDT' },
      { subject: 'rb', role: 'REPORT_BUILDER' },
      { subject: 'c', role: 'CITIZEN', citizenId: '056080001234' },
    );
    const mutation = fc.constantFrom(
      'policeStartProcessing(dossierCode: $code) { status }',
      'policeRequestSupplement(dossierCode: $code, note: $text) { status }',
      'policeReceiveSupplement(dossierCode: $code) { status }',
      'policeDecide(dossierCode: $code, decision: APPROVED, detail: { kind: "SEAL_REGISTRATION", number: $text }) { status }',
      'oneStopStartProcessing(dossierCode: $code) { status }',
      'oneStopDecide(dossierCode: $code, decision: REJECTED) { status }',
      'returnResult(dossierCode: $code, channel: POSTAL) { code }',
      'withdrawDossier(dossierCode: $code) { code }',
      'rateService(dossierCode: $code, level: DISSATISFIED, reason: $text) { level }',
      'recordShipmentEvent(trackingNumber: $text, status: DELIVERED) { status }',
    );
    const code = fc.oneof(fc.constantFrom(...codes), fc.constantFrom('000.00.40.H56-200401-9999', 'nope'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(mutation, code, who, fc.option(text)), { minLength: 1, maxLength: 6 }), async (calls) => {
        for (const [m, c, as, t] of calls) {
          const vars = m.includes('$text') ? `($code: String!, $text: String${m.includes('reason') || m.includes('trackingNumber') ? '' : '!'})` : '($code: String!)';
          await check(`mutation${vars} { ${m} }`, { code: c, text: t ?? '' }, as);
        }
      }),
      { numRuns: 40 },
    );
  });
});
