import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { demoCatalogueFile } from '../../demo/catalogue';
import { importLines } from '../../importer/import';
import { calendar, localDate, localTime } from '../../subgraphs/kit/calendar/working-time';
import type { Identity } from '../../subgraphs/kit/identity';
import { DEPARTMENT_SYSTEMS } from '../../subgraphs/registry';
import { dropDatabases, testDatabaseUrls, uniquePrefix } from '../support/databases';
import { catalogueImport } from '../support/scripts';
import { startSystem, STAFF, TestSystem } from '../support/system';

const ROOT = join(__dirname, '../..');
const ADMIN: Identity = { subject: 'admin-1', role: 'CENTRE_ADMIN' };

/** A made-up province, none of it from the demo: one department with its own system, two in the one-stop system. */
const PROVINCE = {
  departments: [
    { code: 'SGTVT', name: 'Sở Giao thông vận tải tỉnh Thử', unitCode: '000.00.16.T99', system: 'transport' },
    { code: 'SDL', name: 'Sở Du lịch tỉnh Thử', unitCode: '000.00.31.T99', system: null },
    { code: 'SNV', name: 'Sở Nội vụ tỉnh Thử', unitCode: '000.00.13.T99', system: null },
  ],
  procedures: [
    { code: '1.111111', name: 'Cấp thẻ hướng dẫn viên du lịch', departmentCode: 'SDL', workingDays: 10, fee: 650000 },
    { code: '1.222222', name: 'Đổi giấy phép lái xe tỉnh Thử', departmentCode: 'SGTVT', workingDays: 5, fee: 135000 },
    { code: '1.333333', name: 'Công nhận ban vận động thành lập hội', departmentCode: 'SNV', workingDays: 20, fee: 0 },
  ],
  calendar: { holidays: ['2020-04-20'] },
};

const BAD = {
  departments: [
    ...PROVINCE.departments,
    { code: 'SXD', name: 'Sở Xây dựng tỉnh Thử', unitCode: '000.00.15.T99', system: 'construction' },
  ],
  procedures: [
    ...PROVINCE.procedures,
    { code: '1.444444', name: 'Thủ tục không có sở', departmentCode: 'XYZ', workingDays: 5, fee: 0 },
    { code: '1.111111', name: 'Trùng mã', departmentCode: 'SDL', workingDays: 3, fee: 0 },
    { code: '1.555555', name: 'Không có ngày', departmentCode: 'SNV', workingDays: 0, fee: 0 },
  ],
  calendar: { holidays: ['2021-02-30'] },
};

const RECEIVE = `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code dueAt procedure { code } department { code } } }`;
const receive = (system: TestSystem, procedureCode: string) =>
  system.query(RECEIVE, { input: { procedureCode, channel: 'ONLINE', applicant: { fullName: 'Đặng Thị Mục', idNumber: '056190000123' } } });

const tables = async (system: TestSystem) => {
  const intake = system.subgraphs.intake.server.db;
  return {
    departments: await intake.query('SELECT code, name, unit_code, system FROM department ORDER BY code'),
    procedures: await intake.query('SELECT code, name, department_code, working_days, fee, retired_at FROM procedure ORDER BY code'),
    calendar: await intake.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kind FROM calendar_day ORDER BY date`),
  };
};

describe('the catalogue as data, on a system started without the demo', () => {
  const prefix = uniquePrefix('catalogue');
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem(testDatabaseUrls(prefix));
  });
  afterAll(async () => {
    await system?.close();
    await dropDatabases(prefix);
  });

  it('when the system is empty, then a dossier for any procedure is BAD_USER_INPUT naming its code', async () => {
    const res = await receive(system, '1.111111');
    expect(res.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors[0].message).toBe('procedureCode: no procedure 1.111111 in the catalogue');
  });

  it('when a file has five bad entries, then it is refused whole, each problem named with its entry and value, and nothing changes', async () => {
    const before = await tables(system);
    const { code, out } = await catalogueImport(system, BAD);
    expect(code).toBe(1);
    expect(out.trim().split('\n').sort()).toEqual([
      'calendar.holidays[0]: "2021-02-30" is not a calendar date',
      'departments[3] (code SXD): system "construction" is not a department system in the registry (transport, police, industry-trade, or null)',
      'procedures[3] (code 1.444444): departmentCode "XYZ" is not a department of the file or the catalogue',
      'procedures[4] (code 1.111111): code "1.111111" is already procedures[0]',
      'procedures[5] (code 1.555555): workingDays 0 must be a positive number of working days',
      expect.stringMatching(/ refused: 5 problems; nothing was changed$/),
    ].sort());
    expect(await tables(system)).toEqual(before);
  });

  it('when a good file is imported into the running system, then receiveDossier works at once, and a second import changes nothing', async () => {
    const first = await catalogueImport(system, PROVINCE);
    expect(first).toEqual({
      code: 0,
      out: 'departments: 3 added (SGTVT, SDL, SNV), 0 updated, 0 unchanged\n' +
        'procedures: 3 added (1.111111, 1.222222, 1.333333), 0 updated, 0 unchanged\n' +
        "calendar: 1 days added, 0 open dossiers' due dates recomputed\n",
    });
    expect(await system.query('{ isWorkingDay(date: "2020-04-20") }', {}, null)).toEqual({ data: { isWorkingDay: false } });
    const oneStop = await receive(system, '1.111111');
    expect(oneStop.errors).toBeUndefined();
    expect(oneStop.data.receiveDossier).toMatchObject({ procedure: { code: '1.111111' }, department: { code: 'SDL' } });
    expect(oneStop.data.receiveDossier.code).toMatch(/^000\.00\.31\.T99-\d{6}-0001$/);
    const transport = await receive(system, '1.222222');
    expect(transport.errors).toBeUndefined();
    const { data } = await system.query(`query($code: String!) { dossier(code: $code) { processing { __typename status } } }`, { code: transport.data.receiveDossier.code });
    expect(data.dossier.processing).toEqual({ __typename: 'TransportProcessing', status: 'NEW' });

    const after = await tables(system);
    const second = await catalogueImport(system, PROVINCE);
    expect(second.out).toBe('departments: 0 added, 0 updated, 3 unchanged\nprocedures: 0 added, 0 updated, 3 unchanged\n' +
      "calendar: 0 days added, 0 open dossiers' due dates recomputed\n");
    expect(await tables(system)).toEqual(after);
  });

  it('when a changed fee and working days are imported, then the row is updated and named; a unit code with dossiers is refused', async () => {
    const changed = { ...PROVINCE, procedures: PROVINCE.procedures.map((p) => (p.code === '1.333333' ? { ...p, fee: 50000, workingDays: 15 } : p)) };
    const res = await catalogueImport(system, changed);
    expect(res.out.split('\n')[1]).toBe('procedures: 0 added, 1 updated (1.333333), 2 unchanged');
    const [row] = (await tables(system)).procedures.filter((p: any) => p.code === '1.333333');
    expect(row).toMatchObject({ fee: 50000, working_days: 15 });

    const moved = { departments: [{ ...PROVINCE.departments[1], unitCode: '000.00.99.T99' }], procedures: [] };
    const refused = await catalogueImport(system, moved);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('departments[0] (code SDL): unitCode "000.00.99.T99" cannot replace 000.00.31.T99: dossiers are numbered under it');
  });

  it('when a history line names a procedure not in the catalogue, then the line is reported and skipped', async () => {
    const dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
    const line = (procedureCode: string) => JSON.stringify({ procedureCode, channel: 'ONLINE', receivedAt: '2020-04-01T09:00:00+07:00',
      applicant: { fullName: 'Lê Văn Sử', idNumber: '056080000111' }, events: [] });
    const result = await importLines([line('1.333333'), line('1.002820')], dbs);
    expect(result.loaded).toBe(1);
    expect(result.bad).toEqual([{ line: 2, reason: 'procedureCode: no procedure 1.002820 in the catalogue' }]);
  });

  describe('centre administrators, through the graph', () => {
    const UPSERT = `mutation($input: ProcedureInput!) { upsertProcedure(input: $input) { code name workingDays fee retiredAt department { code } } }`;
    const audited = (action: string) =>
      system.subgraphs.intake.server.db.query(
        `SELECT subject, role, dossier_code, fields, operation, allowed FROM audit_record WHERE action = $1 ORDER BY id`, [action]);

    it('when CENTRE_ADMIN upserts a procedure, then it is in the catalogue and the change is in the audit chain; CENTRE_STAFF is FORBIDDEN', async () => {
      const input = { code: '1.666666', name: 'Cấp giấy phép tổ chức lễ hội', departmentCode: 'SDL', workingDays: 7, fee: 0 };
      const staff = await system.query(UPSERT, { input }, STAFF);
      expect(staff.errors[0].extensions.code).toBe('FORBIDDEN');
      expect((await tables(system)).procedures.map((p: any) => p.code)).not.toContain('1.666666');

      const res = await system.query(UPSERT, { input }, ADMIN);
      expect(res.errors).toBeUndefined();
      expect(res.data.upsertProcedure).toEqual({ code: '1.666666', name: input.name, workingDays: 7, fee: 0, retiredAt: null, department: { code: 'SDL' } });
      await system.query(UPSERT, { input: { ...input, fee: 20000 } }, ADMIN);
      expect(await audited('upsertProcedure')).toEqual([
        { subject: 'staff-1', role: 'CENTRE_STAFF', dossier_code: '', fields: [], operation: 'WRITE', allowed: false },
        { subject: 'admin-1', role: 'CENTRE_ADMIN', dossier_code: 'procedure:1.666666', fields: ['code', 'departmentCode', 'fee', 'name', 'workingDays'], operation: 'WRITE', allowed: true },
        { subject: 'admin-1', role: 'CENTRE_ADMIN', dossier_code: 'procedure:1.666666', fields: ['fee'], operation: 'WRITE', allowed: true },
      ]);
    });

    it('when an upsert breaks the file rules, then it is BAD_USER_INPUT naming each problem', async () => {
      const res = await system.query(UPSERT, { input: { code: '1.77', name: 'Sai', departmentCode: 'XYZ', workingDays: 0, fee: -5 } }, ADMIN);
      expect(res.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors[0].message.split('; ').sort()).toEqual([
        'input: code "1.77" is not a procedure code in the national format d.dddddd, e.g. 1.002820',
        'input: departmentCode "XYZ" is not a department of the file or the catalogue',
        'input: fee -5 cannot be negative',
        'input: workingDays 0 must be a positive number of working days',
      ]);
    });

    it('when CENTRE_ADMIN adds a holiday, then open due dates move, the change is audited once; CENTRE_STAFF is FORBIDDEN', async () => {
      const ADD = `mutation($date: Date!) { addHoliday(date: $date, reason: "Lễ hội tỉnh Thử") { added recomputed } }`;
      let date = localDate(new Date(Date.now() + 2 * 86_400_000));
      while (!calendar.isWorkingDay(date)) date = localDate(new Date(localTime(date).getTime() + 86_400_000));
      const dueOf = async () => (await system.subgraphs.intake.server.db.query(
        `SELECT due_at FROM dossier WHERE procedure_code = '1.111111'`))[0].due_at as Date;
      const before = await dueOf();
      expect((await system.query(ADD, { date }, STAFF)).errors[0].extensions.code).toBe('FORBIDDEN');

      expect(await system.query(ADD, { date }, ADMIN)).toEqual({ data: { addHoliday: { added: 1, recomputed: 1 } } });
      expect(await system.query(ADD, { date }, ADMIN)).toEqual({ data: { addHoliday: { added: 0, recomputed: 0 } } });
      expect((await dueOf()).getTime() - before.getTime()).toBeGreaterThanOrEqual(86_400_000);
      expect((await audited('addHoliday')).filter((r: any) => r.allowed)).toEqual([
        { subject: 'admin-1', role: 'CENTRE_ADMIN', dossier_code: `holiday:${date}`, fields: ['holidays'], operation: 'WRITE', allowed: true },
      ]);
    });

    it('when CENTRE_ADMIN upserts a department, then it is added and audited; a system the registry gives another code is refused', async () => {
      const DEPT = `mutation($input: DepartmentInput!) { upsertDepartment(input: $input) { code name hasOwnSystem } }`;
      const input = { code: 'SYT', name: 'Sở Y tế tỉnh Thử', unitCode: '000.00.21.T99', system: null };
      expect((await system.query(DEPT, { input }, STAFF)).errors[0].extensions.code).toBe('FORBIDDEN');
      expect(await system.query(DEPT, { input }, ADMIN)).toEqual({ data: { upsertDepartment: { code: 'SYT', name: input.name, hasOwnSystem: false } } });
      const taken = await system.query(DEPT, { input: { ...input, code: 'SCA', unitCode: '000.00.41.T99', system: 'police' } }, ADMIN);
      expect(taken.errors[0]).toMatchObject({ message: 'input: system "police" serves department CAT (subgraphs/registry.ts), not SCA', extensions: { code: 'BAD_USER_INPUT' } });
      expect((await audited('upsertDepartment')).filter((r: any) => r.allowed)).toEqual([
        { subject: 'admin-1', role: 'CENTRE_ADMIN', dossier_code: 'department:SYT', fields: ['code', 'name', 'system', 'unitCode'], operation: 'WRITE', allowed: true },
      ]);
    });

    it('when a procedure is retired, then new dossiers are refused naming it, its dossiers stay listed, and the list hides it unless asked', async () => {
      const RETIRE = `mutation($code: String!) { retireProcedure(code: $code) { code retiredAt } }`;
      expect((await system.query(RETIRE, { code: '1.111111' }, STAFF)).errors[0].extensions.code).toBe('FORBIDDEN');
      const retired = await system.query(RETIRE, { code: '1.111111' }, ADMIN);
      expect(retired.errors).toBeUndefined();
      expect(retired.data.retireProcedure.retiredAt).not.toBeNull();

      const refused = await receive(system, '1.111111');
      expect(refused.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(refused.errors[0].message).toMatch(/^procedureCode: procedure 1\.111111 was retired on \d{4}-\d{2}-\d{2}: it takes no new dossiers$/);
      const listed = await system.query(`{ dossiers(first: 10) { edges { node { procedure { code retiredAt } } } } }`);
      expect(listed.data.dossiers.edges.filter((e: any) => e.node.procedure.code === '1.111111')).toHaveLength(1);
      const lists = await system.query(`{ active: procedures(departmentCode: "SDL") { code } all: procedures(departmentCode: "SDL", includeRetired: true) { code } }`);
      expect(lists.data).toEqual({ active: [{ code: '1.666666' }], all: [{ code: '1.111111' }, { code: '1.666666' }] });
      expect((await audited('retireProcedure')).filter((r: any) => r.allowed)).toEqual([
        { subject: 'admin-1', role: 'CENTRE_ADMIN', dossier_code: 'procedure:1.111111', fields: ['retiredAt'], operation: 'WRITE', allowed: true },
      ]);
    });
  });
});

describe('the catalogue file format', () => {
  it('when the JSON Schema reads the committed demo file, then it is valid and equals the demo catalogue', () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/catalogue.schema.json'), 'utf8')));
    const file = JSON.parse(readFileSync(join(ROOT, 'demo/catalogue.file.json'), 'utf8'));
    expect(validate(file) ? [] : validate.errors).toEqual([]);
    expect(file).toEqual(demoCatalogueFile());
  });

  it("when the schema names the department systems, then they are the registry's", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/catalogue.schema.json'), 'utf8'));
    expect(schema.properties.departments.items.properties.system.enum).toEqual([...DEPARTMENT_SYSTEMS.map((s) => s.name), null]);
  });
});
