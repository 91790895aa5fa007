import type { DataSource } from 'typeorm';
import { closeDatabases, openSubgraphDatabases } from '../../subgraphs/databases';
import { importLines } from '../../importer/import';
import { applyCalendarChange, CalendarInput } from '../../subgraphs/kit/calendar/calendar.store';
import { calendar, localDate } from '../../subgraphs/kit/calendar/working-time';
import type { Identity } from '../../subgraphs/kit/identity';
import type { SubgraphServer } from '../../subgraphs/kit/server';
import { verifyRollups } from '../../subgraphs/kit/report/rollups';
import { receiveCalendar } from '../../subgraphs/kit/calendar/calendar.handover';
import { answered, extraReplica, STAFF, TestSystem, startPrivateSystem, startSubgraph } from '../support/system';
import { until } from '../support/waiting';

const DUE_DATE = `query($from: DateTime!, $days: Int!) { dueDate(from: $from, workingDays: $days) }`;
const IS_WORKING_DAY = `query($date: Date!) { isWorkingDay(date: $date) }`;
const RECEIVE = `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code dueAt } }`;
const DOSSIER = `query($code: String!) { dossier(code: $code) { dueAt timeline { system type detail } } }`;
const SGTVT: Identity = { subject: 'officer-sgtvt', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' };

const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('the calendar as data', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let listening: SubgraphServer;
  let polling: SubgraphServer;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('calendar'));
    // Two more replicas of the register: one that only a notification can reach in time, one that reloads often.
    listening = await extraReplica(system, 'intake', {});
    polling = await extraReplica(system, 'intake', { calendarReloadMs: 200 });
  });
  afterAll(async () => {
    await listening?.close();
    await polling?.close();
    await close?.();
  });

  const db = (name: string): DataSource => system.subgraphs[name].server.db;
  const receive = async (procedureCode: string, n: number) =>
    (await answered(system, RECEIVE, { input: { procedureCode, channel: 'ONLINE', applicant: { fullName: `Trần Thị Lịch ${'ABC'[n]}`, idNumber: `05619000000${n}` } } }, STAFF)).receiveDossier;
  const dossier = async (code: string) => (await answered(system, DOSSIER, { code }, STAFF)).dossier;
  const change = (input: CalendarInput, reason: string) => db('intake').transaction((m) => applyCalendarChange(m, input, reason));

  it('when an anonymous caller asks a due date in 2028 across Tết, then the five days of Tết are skipped', async () => {
    const res = await system.query(DUE_DATE, { from: '2028-01-21T09:00:00+07:00', days: 5 }, null);
    expect(res).toEqual({ data: { dueDate: '2028-02-04T09:00:00+07:00' } });
  });

  it('when an anonymous caller asks whether a computed holiday is a working day, then it is not; the weekday after Tết is', async () => {
    expect((await system.query(IS_WORKING_DAY, { date: '2028-01-26' }, null)).data).toEqual({ isWorkingDay: false });
    expect((await system.query(IS_WORKING_DAY, { date: '2028-01-31' }, null)).data).toEqual({ isWorkingDay: true });
  });

  it.each([0, 366, -5])('when %i working days are asked, then BAD_USER_INPUT', async (days) => {
    const res = await system.query(DUE_DATE, { from: '2028-01-21T09:00:00+07:00', days }, null);
    expect(res.data).toBeNull();
    expect(res.errors[0]).toMatchObject({ message: `workingDays must be 1..365, not ${days}`, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('when a due date or a day lies beyond the horizon, then CALENDAR_MISSING names the year, not a 500', async () => {
    const due = await system.query(DUE_DATE, { from: '2100-12-20T09:00:00+07:00', days: 20 }, null);
    expect(due.errors[0]).toMatchObject({ message: 'no working-day calendar for 2101', extensions: { code: 'CALENDAR_MISSING' } });
    const day = await system.query(IS_WORKING_DAY, { date: '2018-06-01' }, null);
    expect(day.errors[0]).toMatchObject({ message: 'no working-day calendar for 2018', extensions: { code: 'CALENDAR_MISSING' } });
  });

  it('when a 20-day procedure is received on 27 December 2027, then it gets its due date in February 2028', async () => {
    jest.useFakeTimers({ now: Date.parse('2027-12-27T09:00:00+07:00'), advanceTimers: true, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      const received = await receive('1.001990', 0);
      // The fake clock runs on from 09:00 while the call is made: the same minute.
      expect(received.dueAt.slice(0, 16)).toBe('2028-02-01T09:00');
    } finally {
      jest.useRealTimers();
    }
  });

  describe('when the centre adds a holiday', () => {
    let holiday: string;
    let oneStop: { code: string; dueAt: string };
    let transport: { code: string; dueAt: string };
    let decided: { code: string; dueAt: string };
    let before: string;
    let first: { added: number; recomputed: number };
    const saturday = '2028-01-22';
    const from = () => `${localDate(new Date())}T07:00:00+07:00`;
    beforeAll(async () => {
      oneStop = await receive('1.001990', 1);
      transport = await receive('1.002820', 2);
      decided = await receive('1.002820', 0);
      await answered(system, `mutation($c: String!) { transportStartProcessing(dossierCode: $c) { status } }`, { c: decided.code }, SGTVT);
      await answered(system, `mutation($c: String!) { transportDecide(dossierCode: $c, decision: APPROVED, detail: { kind: "DRIVING_LICENCE", number: "056200099999" }) { status } }`, { c: decided.code }, SGTVT);
      // The first working day after tomorrow: inside every span just received.
      holiday = shift(localDate(new Date()), 2);
      while (!calendar.isWorkingDay(holiday)) holiday = shift(holiday, 1);
      before = (await answered(system, DUE_DATE, { from: from(), days: 5 }, STAFF)).dueDate;
      first = await change({ holidays: [holiday], workingDays: [saturday] }, 'Ngày nghỉ của tỉnh');
    });

    it('then intake answers the new due date at once, and the Saturday is a working day', async () => {
      expect(first.added).toBe(2);
      const after = (await system.query(DUE_DATE, { from: from(), days: 5 }, null)).data.dueDate;
      expect(Date.parse(after)).toBe(calendar.addWorkingHours(new Date(before), 8).getTime());
      expect((await system.query(IS_WORKING_DAY, { date: holiday }, null)).data).toEqual({ isWorkingDay: false });
      expect((await system.query(IS_WORKING_DAY, { date: saturday }, null)).data).toEqual({ isWorkingDay: true });
    });

    it('then the register\'s open one-stop dossier has a later due date and CALENDAR_CHANGED in its timeline', async () => {
      const d = await dossier(oneStop.code);
      expect(Date.parse(d.dueAt)).toBeGreaterThan(Date.parse(oneStop.dueAt));
      expect(d.timeline).toContainEqual({ system: 'intake', type: 'CALENDAR_CHANGED', detail: 'Ngày nghỉ của tỉnh' });
      const [{ reason }] = await db('intake').query(`SELECT reason FROM due_date_change WHERE dossier_code = $1 ORDER BY at DESC, id DESC LIMIT 1`, [oneStop.code]);
      expect(reason).toBe('CALENDAR_CHANGED');
    });

    it('then the transport system gets the change, recomputes its open dossier and the register shows it', async () => {
      await until('the transport system on the new calendar', () => system.subgraphs.transport.server.calendar.isWorkingDay(holiday) === false);
      const d = await until('the register told of the transport due date', async () => {
        const found = await dossier(transport.code);
        return found.timeline.some((e: { type: string }) => e.type === 'CALENDAR_CHANGED') && found;
      });
      expect(d.timeline).toContainEqual({ system: 'transport', type: 'CALENDAR_CHANGED', detail: 'Ngày nghỉ của tỉnh' });
      const [row] = await db('transport').query(`SELECT due_at AS "dueAt" FROM processing WHERE dossier_code = $1`, [transport.code]);
      expect(new Date(d.dueAt).getTime()).toBe(row.dueAt.getTime());
      expect(row.dueAt.getTime()).toBe(calendar.addWorkingHours(new Date(transport.dueAt), 8).getTime());
      const days = await db('transport').query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kind FROM calendar_day ORDER BY date`);
      expect(days).toEqual([{ date: holiday, kind: 'HOLIDAY' }, { date: saturday, kind: 'WORKING_DAY' }]);
    });

    it('then a decided dossier keeps its due date and has no CALENDAR_CHANGED', async () => {
      await until('the transport system on the new calendar', () => system.subgraphs.transport.server.calendar.isWorkingDay(holiday) === false);
      expect(await system.subgraphs.intake.server.outbox.idle()).toBe(true);
      expect(await system.subgraphs.transport.server.outbox.idle()).toBe(true);
      const d = await dossier(decided.code);
      expect(d.dueAt).toBe(decided.dueAt);
      expect(d.timeline.map((e: { type: string }) => e.type)).not.toContain('CALENDAR_CHANGED');
    });

    it('then another replica of the register follows by its notification, long before its periodic reload', async () => {
      await until('the listening replica on the new calendar', () => listening.calendar.isWorkingDay(holiday) === false, 5_000);
      expect(listening.calendar.isWorkingDay(saturday)).toBe(true);
    });

    it('then the same change applied again changes nothing', async () => {
      await until('the transport system on the new calendar', () => system.subgraphs.transport.server.calendar.isWorkingDay(holiday) === false);
      const count = async () => ({
        events: (await db('intake').query(`SELECT count(*)::int AS n FROM dossier_event WHERE type = 'CALENDAR_CHANGED'`))[0].n,
        messages: (await db('intake').query(`SELECT count(*)::int AS n FROM outbox_message WHERE type = 'CALENDAR'`))[0].n,
        dueDates: (await db('intake').query(`SELECT count(*)::int AS n FROM due_date_change`))[0].n,
      });
      const was = await count();
      expect(await change({ holidays: [holiday], workingDays: [saturday] }, 'lần hai')).toEqual({ added: 0, recomputed: 0 });
      expect(await count()).toEqual(was);
      expect(was.messages).toBe(3);
    });

    it('then a replica whose notifications were cut off catches up by its periodic reload', async () => {
      await db('intake').query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`);
      const later = shift(holiday, 7 * 5);
      await change({ holidays: [later], workingDays: [] }, 'sau');
      await until('the polling replica on the later holiday', () => polling.calendar.isWorkingDay(later) === false, 5_000);
    });

    it('then a history line imported without a due date is due by the province\'s calendar', async () => {
      await change({ holidays: ['2021-06-02'], workingDays: [] }, 'nghỉ 2021');
      const line = { procedureCode: '1.002856', channel: 'ONLINE', receivedAt: '2021-06-01T09:00:00+07:00', applicant: { fullName: 'Đỗ Văn Nhập', idNumber: '056190000009', phone: '0905000000' }, events: [] };
      const dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
      expect((await importLines([JSON.stringify(line)], dbs)).loaded).toBe(1);
      const [{ due }] = await db('intake').query(
        `SELECT to_char(due_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI') AS due FROM dossier WHERE applicant_id_number = '056190000009'`);
      expect(due).toBe('2021-06-04 09:00');
    });

    it('then a dossier handed over before a change but arriving after it is moved by it in its system and in the register', async () => {
      const transportUrl = system.subgraphs.transport.url;
      await system.subgraphs.transport.server.close();
      const late = await receive('1.002820', 1);
      let next = shift(holiday, 1);
      while (!calendar.isWorkingDay(next)) next = shift(next, 1);
      await change({ holidays: [next], workingDays: [] }, 'nghỉ bù');
      // The change reaches the transport system first: applied as its delivery would, the hand-over still waiting.
      const [message] = await db('intake').query(`SELECT message_id AS "messageId", payload FROM outbox_message WHERE destination = 'transport' AND type = 'CALENDAR' ORDER BY outbox_message.id DESC LIMIT 1`);
      const direct = await openSubgraphDatabases((name) => system.urls[name]);
      try {
        await direct.transport.transaction((m) => receiveCalendar(m, { id: message.messageId, source: 'intake', type: 'CALENDAR', dossierCode: 'calendar', payload: message.payload }));
      } finally {
        await closeDatabases(direct);
      }
      system.subgraphs.transport = await startSubgraph('transport', system.urls.transport, undefined, system.peers, Number(new URL(transportUrl).port));
      // Transport's timeline shows the change as soon as it is made; the register learns the due date by a message after.
      const moved = calendar.addWorkingHours(new Date(late.dueAt), 8).getTime();
      const d = await until('the register told of the late dossier\'s due date', async () => {
        const found = await dossier(late.code);
        return Date.parse(found.dueAt) === moved && found;
      });
      expect(d.timeline).toContainEqual({ system: 'transport', type: 'CALENDAR_CHANGED', detail: 'nghỉ bù' });
    });

    it('then every system\'s rollups still equal a recount', async () => {
      expect(await system.subgraphs.intake.server.outbox.idle()).toBe(true);
      expect(await system.subgraphs.transport.server.outbox.idle()).toBe(true);
      for (const name of ['intake', 'transport', 'police', 'industry-trade']) expect(await verifyRollups(name, db(name))).toEqual([]);
    });
  });
});
