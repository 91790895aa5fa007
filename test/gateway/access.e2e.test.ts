import { DEV_JWT_SECRET } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { postGraphQL, signedCall, startSystem, TestSystem, tokenFor } from '../support/system';

const FULL = `query($code: String!) { dossier(code: $code) {
  code department { code }
  applicant { fullName idNumber phone address }
  processing { __typename status
    ... on TransportProcessing { transportLicence { number vehiclePlate } }
    ... on PoliceProcessing { policeCertificate { number vehiclePlate } } }
  shipments { recipientName address phone }
} }`;

describe('who may see what, through the gateway', () => {
  let system: TestSystem;
  const d: Record<string, { code: string; id: string; name: string; phone: string; licence?: string }> = {};
  const officer = (department: string): Identity => ({ subject: `officer-${department}`, role: 'DEPARTMENT_OFFICER', department });
  const citizen = (citizenId: string): Identity => ({ subject: `citizen-${citizenId}`, role: 'CITIZEN', citizenId });
  const REPORTS: Identity = { subject: 'rb-1', role: 'REPORT_BUILDER' };

  beforeAll(async () => {
    system = await startSystem();
    const row = async (sql: string) => (await system.subgraphs.intake.server.db.query(sql))[0];
    const pick = (where: string) =>
      row(`SELECT code, applicant_id_number AS id, applicant_full_name AS name, applicant_phone AS phone FROM dossier WHERE ${where} ORDER BY code LIMIT 1`);
    d.transport = await pick(`department_code = 'SGTVT' AND channel = 'POSTAL' AND return_channel = 'POSTAL'`);
    d.police = await pick(`department_code = 'CAT' AND decided_at IS NOT NULL AND decision = 'APPROVED'`);
    [{ n: d.transport.licence }] = await system.subgraphs.transport.server.db.query(
      `SELECT licence_number AS n FROM processing WHERE dossier_code = $1`, [d.transport.code]);
  });
  afterAll(() => system?.close());

  const leaks = (res: unknown, ...secrets: (string | undefined)[]) => {
    const text = JSON.stringify(res);
    return secrets.filter((s) => s && text.includes(s));
  };

  it('when centre staff read a dossier, then they see the person in full', async () => {
    const res = await system.query(FULL, { code: d.transport.code });
    expect(res.errors).toBeUndefined();
    expect(res.data.dossier.applicant.idNumber).toBe(d.transport.id);
    expect(res.data.dossier.shipments[0].recipientName).toBeTruthy();
  });

  it("when an officer of Transport reads a Police dossier through the root field, then it is NOT_FOUND, as an unknown one is, and nothing leaks", async () => {
    const res = await system.query(FULL, { code: d.police.code }, officer('SGTVT'));
    expect(res.data?.dossier ?? null).toBeNull();
    expect(res.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(leaks(res, d.police.id, d.police.name, d.police.phone)).toEqual([]);
  });

  it("when an officer of Transport reads a Police dossier through _entities on intake and on police, then both refuse with NOT_FOUND", async () => {
    const who = officer('SGTVT');
    const viaIntake = await signedCall(system.subgraphs.intake, 'intake',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dossier { code applicant { idNumber } } } }`,
      { r: [{ __typename: 'Dossier', code: d.police.code }] }, who);
    const viaPolice = await signedCall(system.subgraphs.police, 'police',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on PoliceProcessing { status policeCertificate { number } } } }`,
      { r: [{ __typename: 'PoliceProcessing', dossierCode: d.police.code }] }, who);
    for (const res of [viaIntake, viaPolice]) {
      expect(res.data._entities[0]).toBeNull();
      expect(res.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(leaks(res, d.police.id)).toEqual([]);
    }
  });

  it('when an officer lists dossiers, then only their department\'s come back, in full', async () => {
    const res = await system.query(`{ dossiers(first: 100) { edges { node { department { code } applicant { idNumber } } } } }`, {}, officer('CAT'));
    const nodes = res.data.dossiers.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(new Set(nodes.map((n: any) => n.department.code))).toEqual(new Set(['CAT']));
    expect(nodes[0].applicant.idNumber).toMatch(/^\d{12}$/);
  });

  it('when a report builder asks for an ID number, a name, a phone, a licence and an address, then each comes masked', async () => {
    const res = await system.query(FULL, { code: d.transport.code }, REPORTS);
    expect(res.errors).toBeUndefined();
    const a = res.data.dossier.applicant;
    expect(a.idNumber).toBe(`${d.transport.id.slice(0, 4)}******${d.transport.id.slice(-2)}`);
    expect(a.fullName).toMatch(/^(\S\. ?)+$/);
    expect(a.phone).toMatch(/^\d{4}\*+\d{2}$/);
    expect(a.address).toMatch(/^\*\*\* tỉnh /);
    expect(res.data.dossier.processing.transportLicence.number).toMatch(/^..\*+..$/);
    expect(res.data.dossier.shipments[0].recipientName).not.toBe(d.transport.name);
    expect(leaks(res, d.transport.id, d.transport.name, d.transport.phone, d.transport.licence)).toEqual([]);
  });

  it("when a citizen asks for someone else's dossier, then it is NOT_FOUND; their own they see in full", async () => {
    const other = await system.query(FULL, { code: d.police.code }, citizen(d.transport.id));
    expect(other.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(leaks(other, d.police.id, d.police.name)).toEqual([]);
    const own = await system.query(FULL, { code: d.transport.code }, citizen(d.transport.id));
    expect(own.errors).toBeUndefined();
    expect(own.data.dossier.applicant.idNumber).toBe(d.transport.id);
  });

  it('when a citizen lists dossiers, then only their own come back', async () => {
    const res = await system.query(`{ dossiers(first: 100) { edges { node { code } } } }`, {}, citizen(d.transport.id));
    expect(res.data.dossiers.edges.map((e: any) => e.node.code)).toContain(d.transport.code);
    const [{ n }] = await system.subgraphs.intake.server.db.query(`SELECT count(*)::int AS n FROM dossier WHERE applicant_id_number = $1`, [d.transport.id]);
    expect(res.data.dossiers.edges).toHaveLength(n);
  });

  it('when a caller has no token, then only public data answers: catalogue and the receipt lookup', async () => {
    const open = await system.query(`{ departments { code } procedures { code } }`, {}, null);
    expect(open.errors).toBeUndefined();
    const dossier = await system.query(FULL, { code: d.transport.code }, null);
    expect(dossier.errors[0].extensions.code).toBe('FORBIDDEN');
    const list = await system.query(`{ dossiers(first: 5) { edges { node { code } } } }`, {}, null);
    expect(list.errors[0].extensions.code).toBe('FORBIDDEN');
    const receipt = `query($c: String!, $id: String!) { receipt(code: $c, idNumber: $id) { code stage receivedAt procedure { name } } }`;
    const right = await system.query(receipt, { c: d.transport.code, id: d.transport.id }, null);
    expect(right.data.receipt).toMatchObject({ code: d.transport.code, stage: expect.any(String) });
    expect(leaks(right, d.transport.id, d.transport.name)).toEqual([]);
    const wrong = await system.query(receipt, { c: d.transport.code, id: '000000000000' }, null);
    expect(wrong.data.receipt).toBeNull();
  });

  it('when a client forges identity headers, then the gateway ignores them: no token is still no access', async () => {
    const res = await postGraphQL(system.gatewayUrl, FULL, { code: d.transport.code }, undefined, {
      'x-user-role': 'CENTRE_STAFF',
      'x-motcua-identity': Buffer.from(JSON.stringify({ subject: 'x', role: 'CENTRE_STAFF' })).toString('base64url'),
      cookie: 'role=CENTRE_STAFF',
    });
    expect(res.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(leaks(res, d.transport.id)).toEqual([]);
  });

  it('when a report builder forges headers beside a valid token, then they still see masked data', async () => {
    const res = await postGraphQL(system.gatewayUrl, FULL, { code: d.transport.code }, await tokenFor(REPORTS), {
      'x-motcua-identity': Buffer.from(JSON.stringify({ subject: 'x', role: 'CENTRE_STAFF' })).toString('base64url'),
      'x-user-role': 'CENTRE_STAFF',
    });
    expect(res.data.dossier.applicant.idNumber).not.toBe(d.transport.id);
  });

  it('when a token is forged, expired or for another audience, then the request is refused as UNAUTHENTICATED', async () => {
    const { SignJWT } = await import('jose');
    const sign = (secret: string, claims: Record<string, unknown>, exp: string | number = '1h', aud = 'motcua-graph') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('motcua-graph').setAudience(aud).setIssuedAt()
        .setExpirationTime(exp).sign(new TextEncoder().encode(secret));
    const dev = DEV_JWT_SECRET;
    const tokens = [
      await sign('an-attacker-secret-that-is-long-enough!!', { role: 'CENTRE_STAFF' }),
      await sign(dev, { role: 'CENTRE_STAFF' }, Math.floor(Date.now() / 1000) - 60),
      await sign(dev, { role: 'CENTRE_STAFF' }, '1h', 'another-system'),
      await sign(dev, { role: 'SUPERUSER' }),
      'not-a-jwt',
    ];
    for (const token of tokens) {
      const res = await postGraphQL(system.gatewayUrl, FULL, { code: d.transport.code }, token);
      expect(res.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.data ?? null).toBeNull();
    }
  });
});
