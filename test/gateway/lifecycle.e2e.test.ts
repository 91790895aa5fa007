import type { Identity } from '../../subgraphs/kit/identity';
import { startPrivateSystem, TestSystem, answered, settle as settleOutboxes } from '../support/system';
import { localDate } from '../../subgraphs/kit/calendar/working-time';
import { COUNTER_CLOSURES } from '../../subgraphs/intake/counter-closures';

const STAFF: Identity = { subject: 'counter-3', role: 'CENTRE_STAFF' };
const officer = (department: string): Identity => ({ subject: `officer-${department}`, role: 'DEPARTMENT_OFFICER', department });
const POST: Identity = { subject: 'vnpost', role: 'SERVICE' };
const PORTAL: Identity = { subject: 'portal', role: 'SERVICE' };

const RECEIVE = `mutation($input: ReceiveDossierInput!, $key: String) { receiveDossier(input: $input, idempotencyKey: $key) {
  code channel receivedAt dueAt department { code } processing { __typename status } } }`;
const VIEW = `query($code: String!) { dossier(code: $code) {
  code returnedAt returnChannel withdrawnAt
  processing { __typename status decision dueAt history { status } }
  shipments { trackingNumber direction status }
  timeline { at system type detail }
  deadline { dueAt workingHoursLeft overdueByWorkingHours pausedWorkingHours paused finished }
} }`;

describe('a dossier\'s life across the systems, through the gateway', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('lifecycle'));
  });
  afterAll(() => close?.());

  const settle = () => settleOutboxes(system);
  const ok = (query: string, variables: Record<string, unknown>, as: Identity) => answered(system, query, variables, as);
  const receive = async (procedureCode: string, channel: string, key?: string) =>
    (await ok(RECEIVE, {
      key,
      input: { procedureCode, channel, applicant: { fullName: 'Bùi Đức Trung', idNumber: '056080001234', phone: '0905123456', address: 'Số 1 Trần Phú, phường Lộc Thọ, thành phố Nha Trang, tỉnh Khánh Hòa' } },
    }, STAFF)).receiveDossier;
  const view = async (code: string) => (await ok(VIEW, { code }, STAFF)).dossier;
  const step = async (mutation: string, code: string, as: Identity, extra = '') =>
    system.query(`mutation($code: String!) { ${mutation}(dossierCode: $code${extra}) { status dueAt } }`, { code }, as);

  it('when a transport dossier comes in online and goes through a supplement wait and an approval to a postal return, then every system agrees and the timeline tells it in order', async () => {
    const d = await receive('1.002820', 'ONLINE');
    expect(d.code).toMatch(/^000\.00\.16\.H56-\d{6}-\d{4}$/);
    expect(d.processing.__typename).toBe('TransportProcessing');
    await settle();
    const ofc = officer('SGTVT');
    expect((await step('transportStartProcessing', d.code, ofc)).data.transportStartProcessing.status).toBe('PROCESSING');
    expect((await step('transportRequestSupplement', d.code, ofc, ', note: "Bản sao giấy phép lái xe cũ"')).errors).toBeUndefined();
    await settle();
    const waiting = await view(d.code);
    expect(waiting.deadline).toMatchObject({ paused: true, finished: false });
    await new Promise((r) => setTimeout(r, 50));
    const received = await step('transportReceiveSupplement', d.code, ofc);
    expect(received.errors).toBeUndefined();
    const decided = await system.query(
      `mutation($code: String!) { transportDecide(dossierCode: $code, decision: APPROVED, detail: { kind: "DRIVING_LICENCE", number: "056200012345" }) { status decision transportLicence { number } } }`,
      { code: d.code }, ofc,
    );
    expect(decided.errors).toBeUndefined();
    expect(decided.data.transportDecide).toMatchObject({ status: 'RELEASING', decision: 'APPROVED', transportLicence: { number: '056200012345' } });
    await settle();
    const ret = await ok(`mutation($code: String!) { returnResult(dossierCode: $code, channel: POSTAL) { returnChannel } }`, { code: d.code }, STAFF);
    expect(ret.returnResult.returnChannel).toBe('POSTAL');
    await settle();
    const after = await view(d.code);
    expect(after.processing).toMatchObject({ status: 'DONE', decision: 'APPROVED' });
    expect(after.processing.history.map((h: any) => h.status)).toEqual(['NEW', 'PROCESSING', 'WAITING', 'PROCESSING', 'RELEASING', 'DONE']);
    expect(after.shipments).toEqual([expect.objectContaining({ direction: 'OUTBOUND', status: 'ACCEPTED' })]);
    const item = after.shipments[0].trackingNumber;
    for (const status of ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED']) {
      await ok(`mutation($t: String!, $s: ShipmentStatus!) { recordShipmentEvent(trackingNumber: $t, status: $s) { status } }`, { t: item, s: status }, POST);
    }
    await settle();
    const final = await view(d.code);
    expect(final.timeline.map((e: any) => `${e.system}:${e.type}`)).toEqual([
      'intake:RECEIVED', 'intake:HANDED_OVER', 'transport:PROCESSING_STARTED', 'transport:SUPPLEMENT_REQUESTED',
      'transport:SUPPLEMENT_RECEIVED', 'transport:DECIDED', 'intake:RESULT_RETURNED', 'postal:SHIPMENT_ACCEPTED',
      'postal:SHIPMENT_IN_TRANSIT', 'postal:SHIPMENT_OUT_FOR_DELIVERY', 'postal:SHIPMENT_DELIVERED',
    ]);
    const times = final.timeline.map((e: any) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(final.deadline.finished).toBe(true);
  });

  it.each([
    ['police', '1.003930', 'CAT', 'police', 'DIRECT'],
    ['industry-trade', '2.000176', 'SCT', 'industryTrade', 'POSTAL'],
    ['one-stop', '2.000488', 'STP', 'oneStop', 'ONLINE'],
  ])('when a %s dossier is received and decided, then the register learns the decision and returns it at the counter', async (_name, procedure, department, prefix, channel) => {
    const d = await receive(procedure, channel);
    await settle();
    const ofc = officer(department);
    expect((await step(`${prefix}StartProcessing`, d.code, ofc)).errors).toBeUndefined();
    const decided = await system.query(`mutation($code: String!) { ${prefix}Decide(dossierCode: $code, decision: REJECTED) { status } }`, { code: d.code }, ofc);
    expect(decided.errors).toBeUndefined();
    await settle();
    await ok(`mutation($code: String!) { returnResult(dossierCode: $code, channel: DIRECT) { code } }`, { code: d.code }, STAFF);
    await settle();
    const after = await view(d.code);
    expect(after.processing).toMatchObject({ status: 'DONE', decision: 'REJECTED' });
    expect(after.returnChannel).toBe('DIRECT');
  });

  it('when a step does not follow the status table, then it is CONFLICT naming the current status and nothing changes', async () => {
    const d = await receive('1.003930', 'ONLINE');
    await settle();
    const res = await step('policeDecide', d.code, officer('CAT'), ', decision: APPROVED');
    expect(res.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'NEW' });
    expect(res.errors[0].message).toContain('NEW');
    const ret = await system.query(`mutation($code: String!) { returnResult(dossierCode: $code, channel: DIRECT) { code } }`, { code: d.code }, STAFF);
    expect(ret.errors[0].extensions.code).toBe('CONFLICT');
    expect((await view(d.code)).processing.status).toBe('NEW');
  });

  it('when another department\'s officer tries a department step, then it is NOT_FOUND, as for an unknown dossier; centre staff get FORBIDDEN', async () => {
    const d = await receive('1.003930', 'ONLINE');
    await settle();
    expect((await step('policeStartProcessing', d.code, officer('SGTVT'))).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await step('policeStartProcessing', d.code, STAFF)).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await view(d.code)).processing.status).toBe('NEW');
  });

  it('when a dossier is withdrawn, then its department system cancels it before the answer, and the timeline says who did what', async () => {
    const d = await receive('2.000176', 'ONLINE');
    await settle();
    const res = await ok(`mutation($code: String!) { withdrawDossier(dossierCode: $code) { withdrawnAt withdrawalRequestedAt processing { status } } }`, { code: d.code }, STAFF);
    expect(res.withdrawDossier).toMatchObject({ withdrawnAt: expect.any(String), withdrawalRequestedAt: null, processing: { status: 'CANCELLED' } });
    await settle();
    const after = await view(d.code);
    expect(after.processing.status).toBe('CANCELLED');
    expect(after.timeline.map((e: any) => `${e.system}:${e.type}`).slice(-2)).toEqual(['intake:WITHDRAWAL_REQUESTED', 'industry-trade:WITHDRAWN']);
  });

  it('when a one-stop dossier is withdrawn, then it is cancelled in the same transaction, register and processing alike', async () => {
    const d = await receive('2.000488', 'ONLINE');
    const res = await ok(`mutation($code: String!) { withdrawDossier(dossierCode: $code) { withdrawnAt withdrawalRequestedAt processing { status } } }`, { code: d.code }, STAFF);
    expect(res.withdrawDossier).toMatchObject({ withdrawnAt: expect.any(String), withdrawalRequestedAt: null, processing: { status: 'CANCELLED' } });
    const again = await system.query(`mutation($code: String!) { withdrawDossier(dossierCode: $code) { code } }`, { code: d.code }, STAFF);
    expect(again.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'CANCELLED' });
  });

  it('when the same idempotency key is sent twice with the same input, then one dossier exists; with another input, CONFLICT', async () => {
    const key = `test-key-${Date.now()}`;
    const first = await receive('1.002856', 'ONLINE', key);
    const again = await receive('1.002856', 'ONLINE', key);
    expect(again.code).toBe(first.code);
    const other = await system.query(RECEIVE, {
      key,
      input: { procedureCode: '1.002861', channel: 'ONLINE', applicant: { fullName: 'Bùi Đức Trung', idNumber: '056080001234' } },
    }, STAFF);
    expect(other.errors[0].extensions.code).toBe('CONFLICT');
  });

  it('when counter intake is attempted on a day the counters are closed, then it is refused and online intake is taken', async () => {
    const today = localDate(new Date());
    COUNTER_CLOSURES.push({ from: today, to: today, reason: 'test closure' });
    try {
      const input = { procedureCode: '1.002820', applicant: { fullName: 'Lê Văn Tám', idNumber: '056080009999' } };
      const res = await system.query(RECEIVE, { input: { ...input, channel: 'DIRECT' } }, STAFF);
      expect(res.errors[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'channel' });
      expect((await system.query(RECEIVE, { input: { ...input, channel: 'ONLINE' } }, STAFF)).errors).toBeUndefined();
    } finally {
      COUNTER_CLOSURES.pop();
    }
  });

  it.each([
    ['the centre staff', STAFF],
    ['the online portal (SERVICE)', PORTAL],
  ])('when %s dates a dossier more than 24 hours back or ahead of now, then BAD_USER_INPUT names receivedAt and nothing is stored; within the day it is taken', async (_who, as) => {
    const count = async () => (await system.subgraphs.intake.server.db.query('SELECT count(*)::int AS n FROM dossier'))[0].n;
    const at = (offsetMs: number) => ({ procedureCode: '1.002820', channel: 'ONLINE', receivedAt: new Date(Date.now() + offsetMs).toISOString(), applicant: { fullName: 'Lê Văn Tám', idNumber: '056080009999' } });
    const before = await count();
    for (const offset of [-25 * 3_600_000, -40 * 24 * 3_600_000, 10 * 60_000]) {
      const res = await system.query(RECEIVE, { input: at(offset) }, as);
      expect(res.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'receivedAt' });
    }
    expect(await count()).toBe(before);
    const taken = await system.query(RECEIVE, { input: at(-23 * 3_600_000) }, as);
    expect(taken.errors).toBeUndefined();
    expect(await count()).toBe(before + 1);
  });

  it('when a dossier arrives by post with its item number, then postal files the item under the dossier, delivered', async () => {
    const res = await system.query(RECEIVE, {
      input: { procedureCode: '2.000648', channel: 'POSTAL', inboundTrackingNumber: 'RE123456785VN', applicant: { fullName: 'Trần Thị Bưu', idNumber: '056180004321', address: 'Số 5 Yersin, thành phố Nha Trang, tỉnh Khánh Hòa' } },
    }, STAFF);
    expect(res.errors).toBeUndefined();
    await settle();
    const d = await view(res.data.receiveDossier.code);
    expect(d.shipments).toEqual([{ trackingNumber: 'RE123456785VN', direction: 'INBOUND', status: 'DELIVERED' }]);
    expect(d.timeline.map((e: any) => `${e.system}:${e.type}`)).toContain('postal:SHIPMENT_DELIVERED');
  });

  it.each([
    [{ procedureCode: '9.999999' }, 'procedureCode'],
    [{ applicant: { fullName: 'Lê Văn A', idNumber: '12345' } }, 'applicant.idNumber'],
    [{ applicant: { fullName: '   ', idNumber: '056080001234' } }, 'applicant.fullName'],
    [{ receivedAt: '2099-01-01T08:00:00+07:00' }, 'receivedAt'],
    [{ channel: 'ONLINE', inboundTrackingNumber: 'RE123456785VN' }, 'inboundTrackingNumber'],
  ])('when receiveDossier gets %p, then BAD_USER_INPUT names %s and nothing is stored', async (change, field) => {
    const [{ n: before }] = await system.subgraphs.intake.server.db.query('SELECT count(*)::int AS n FROM dossier');
    const input = { procedureCode: '1.002820', channel: 'ONLINE', applicant: { fullName: 'Lê Văn A', idNumber: '056080001234' }, ...change };
    const res = await system.query(RECEIVE, { input }, STAFF);
    expect(res.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const [{ n: after }] = await system.subgraphs.intake.server.db.query('SELECT count(*)::int AS n FROM dossier');
    expect(after).toBe(before);
  });

  it('when a citizen rates their dossier dissatisfied without a reason, then BAD_USER_INPUT names reason; with one, it is stored once', async () => {
    const d = await receive('2.000488', 'DIRECT');
    const me: Identity = { subject: 'citizen', role: 'CITIZEN', citizenId: '056080001234' };
    const rate = (reason: string | null) =>
      system.query(`mutation($code: String!, $r: String) { rateService(dossierCode: $code, level: DISSATISFIED, reason: $r) { level reason } }`, { code: d.code, r: reason }, me);
    expect((await rate(null)).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await rate('Phải chờ lâu')).data.rateService.level).toBe('DISSATISFIED');
    expect((await rate('Lần nữa')).errors[0].extensions.code).toBe('CONFLICT');
  });
});
