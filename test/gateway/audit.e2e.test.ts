import { verifyAuditChain } from '../../subgraphs/kit/audit/audit-log';
import { DEV_AUDIT_KEY } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { capturingLogger, startPrivateSystem, TestSystem } from '../support/system';

const TRAIL = `query($c: String!) { auditTrail(dossierCode: $c) {
  intake { at subject role department fields operation allowed requestId }
  transport { subject fields allowed } postal { subject fields allowed } police { subject } industryTrade { subject } } }`;

describe('the audit trail of personal data', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  const captured = capturingLogger();
  let code: string;
  let id: string;
  const officer: Identity = { subject: 'officer-cat-7', role: 'DEPARTMENT_OFFICER', department: 'CAT' };

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('audit', { log: captured.log }));
    [{ code, id }] = await system.subgraphs.intake.server.db.query(
      `SELECT code, applicant_id_number AS id FROM dossier WHERE department_code = 'SGTVT' AND channel = 'POSTAL' AND decision = 'APPROVED' ORDER BY code LIMIT 1`,
    );
  });
  afterAll(() => close?.());

  it('when staff read a person\'s fields in three systems, then each system logs who read which fields of which dossier', async () => {
    const staff: Identity = { subject: 'staff-42', role: 'CENTRE_STAFF' };
    const read = await system.query(
      `query($c: String!) { dossier(code: $c) { applicant { idNumber fullName } processing { ... on TransportProcessing { transportLicence { number } } } shipments { address } } }`,
      { c: code }, staff,
    );
    expect(read.errors).toBeUndefined();
    const trail = (await system.query(TRAIL, { c: code }, staff)).data.auditTrail;
    const mine = (rows: any[]) => rows.filter((r) => r.subject === 'staff-42');
    expect(mine(trail.intake)).toEqual([
      expect.objectContaining({ role: 'CENTRE_STAFF', fields: ['fullName', 'idNumber'], operation: 'READ', allowed: true }),
    ]);
    expect(mine(trail.transport)).toEqual([expect.objectContaining({ fields: ['transportLicence'], allowed: true })]);
    expect(mine(trail.postal)).toEqual([expect.objectContaining({ fields: ['address'], allowed: true })]);
    expect(trail.police).toEqual([]);
  });

  it('when an officer of another department is refused, then the refusal is logged too', async () => {
    const res = await system.query(`query($c: String!) { dossier(code: $c) { applicant { idNumber } } }`, { c: code }, officer);
    expect(res.errors[0].extensions.code).toBe('NOT_FOUND');
    const trail = (await system.query(TRAIL, { c: code })).data.auditTrail;
    expect(trail.intake).toContainEqual(expect.objectContaining({ subject: 'officer-cat-7', department: 'CAT', allowed: false }));
  });

  it('when anyone but centre staff asks for the audit trail, then it is FORBIDDEN', async () => {
    const res = await system.query(TRAIL, { c: code }, officer);
    expect(res.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(res.data?.auditTrail ?? null).toBeNull();
  });

  it('when the chain is intact, then verification passes; an edited row and a deleted row are each found', async () => {
    const db = system.subgraphs.intake.server.db;
    expect(await verifyAuditChain(db, DEV_AUDIT_KEY)).toEqual({ rows: expect.any(Number) });
    const [{ id: first }] = await db.query(`SELECT id FROM audit_record ORDER BY id LIMIT 1`);
    await db.query(`UPDATE audit_record SET subject = 'someone-else' WHERE id = $1`, [first]);
    expect(await verifyAuditChain(db, DEV_AUDIT_KEY)).toMatchObject({ brokenAt: first, reason: expect.stringMatching(/edited/) });

    const transport = system.subgraphs.transport.server.db;
    await system.query(`query($c: String!) { dossier(code: $c) { processing { ... on TransportProcessing { transportLicence { number } } } } }`, { c: code });
    const rows = await transport.query(`SELECT id FROM audit_record ORDER BY id`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    await transport.query(`DELETE FROM audit_record WHERE id = $1`, [rows[0].id]);
    expect(await verifyAuditChain(transport, DEV_AUDIT_KEY)).toMatchObject({ brokenAt: rows[1].id, reason: expect.stringMatching(/deleted/) });
  });

  it('when the audit write fails, then the personal data is not sent', async () => {
    const postal = system.subgraphs.postal.server.db;
    await postal.query(`ALTER TABLE audit_record RENAME TO audit_record_away`);
    try {
      const res = await system.query(`query($c: String!) { dossier(code: $c) { code shipments { recipientName address phone } } }`, { c: code });
      expect(JSON.stringify(res.data ?? {})).not.toMatch(/recipientName":"[^"]/);
      expect(res.errors.map((e: any) => e.extensions.code)).toContain('INTERNAL_SERVER_ERROR');
    } finally {
      await postal.query(`ALTER TABLE audit_record_away RENAME TO audit_record`);
    }
  });

  it('when a subgraph fails with personal data in the error, then neither the client nor any log line gets it', async () => {
    const intake = system.subgraphs.intake.server.db;
    const [victim] = await intake.query(`SELECT code, applicant_id_number AS id FROM dossier WHERE department_code = 'STP' ORDER BY code LIMIT 1`);
    // A corrupt row: the channel column holds the applicant's ID number, which the enum cannot serialise.
    await intake.query(`UPDATE dossier SET channel = left(applicant_id_number, 8) WHERE code = $1`, [victim.code]);
    captured.lines.length = 0;
    const res = await system.query(`query($c: String!) { dossier(code: $c) { code channel } }`, { c: victim.code });
    expect(res.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors[0].extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const leaked = (text: string) => text.includes(victim.id.slice(0, 8));
    expect(leaked(JSON.stringify(res))).toBe(false);
    expect(captured.lines.length).toBeGreaterThan(0);
    expect(captured.lines.filter(leaked)).toEqual([]);
    expect(captured.lines.join('\n')).toMatch(/internal error in resolver/);
  });

  it('when personal data is read, then no log line holds it', async () => {
    captured.lines.length = 0;
    await system.query(`query($c: String!) { dossier(code: $c) { applicant { idNumber fullName phone } } }`, { c: code });
    expect(captured.lines.filter((l) => l.includes(id))).toEqual([]);
  });
});
