import type { Identity } from '../../subgraphs/kit/identity';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { countStatements, signedCall, STAFF, startPrivateSystem, startSubgraph, TestSystem } from '../support/system';
import { freePort, until } from '../support/waiting';

const OFFICER: Identity = { subject: 'officer-cat-1', role: 'DEPARTMENT_OFFICER', department: 'CAT' };
const QUEUE = `{ handoverQueue { __typename system lanes { destination pending dead oldestPendingSeconds oldestDeadSeconds nextAttemptAt } } }`;
const RETRY = `mutation($d: String!) { retryDeadHandovers(destination: $d) { system lanes { destination pending dead } } }`;

type Lane = { destination: string; pending: number; dead: number; oldestPendingSeconds: number | null; oldestDeadSeconds: number | null; nextAttemptAt: string | null };
type Outbox = { __typename: string; system: string; lanes: Lane[] | null };

const lane = (queue: Outbox[], system: string, destination: string) =>
  queue.find((o) => o.system === system)!.lanes!.find((l) => l.destination === destination)!;

/** A gauge's value for one destination, from a subgraph's Prometheus text. */
function gauge(text: string, name: string, destination: string): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && m[2].split(',').includes(`destination="${destination}"`)) return Number(m[3]);
  }
  return undefined;
}

describe('the hand-over queue', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let real: Record<string, string>;
  let transportCodes: string[];
  let policeCodes: string[];
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('handover_queue'));
    real = { ...system.peers.urls };
  });
  afterAll(() => close?.());

  const intakeDb = () => system.subgraphs.intake.server.db;
  const policeDb = () => system.subgraphs.police.server.db;
  const queue = async (): Promise<Outbox[]> => {
    const res = await system.query(QUEUE);
    expect(res.errors).toBeUndefined();
    return res.data.handoverQueue;
  };
  const undelivered = async () => {
    const count = `SELECT count(*)::int AS "all", count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead FROM outbox_message WHERE delivered_at IS NULL`;
    return { intake: (await intakeDb().query(count))[0], police: (await policeDb().query(count))[0] };
  };

  it('when hand-overs wait, pending and dead, in the outboxes of the centre and of the police, then handoverQueue shows each system\'s lanes with their counts and ages, and /metrics counts the dead', async () => {
    // Transport and the centre stop answering hand-overs (the gateway still reaches them).
    const closed = `http://127.0.0.1:${await freePort()}`;
    system.peers.urls.transport = closed;
    system.peers.urls.intake = closed;

    transportCodes = [];
    for (let i = 0; i < 3; i++) {
      const res = await system.query(
        `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`,
        { input: { procedureCode: '1.002820', channel: 'ONLINE', applicant: { fullName: 'Trần Thị Hàng', idNumber: `05608100000${i}` } } },
      );
      expect(res.errors).toBeUndefined();
      transportCodes.push(res.data.receiveDossier.code);
    }
    policeCodes = (await policeDb().query(`SELECT dossier_code AS code FROM processing WHERE status = 'NEW' AND department_code = 'CAT' ORDER BY dossier_code LIMIT 2`)).map(
      (r: { code: string }) => r.code,
    );
    for (const code of policeCodes) {
      const res = await system.query(`mutation($c: String!) { policeStartProcessing(dossierCode: $c) { status } }`, { c: code }, OFFICER);
      expect(res.errors).toBeUndefined();
    }

    // Ages and dead letters set on the rows, as hours of failed attempts would have left them (a dead message is
    // leased by no one: a delivery in flight now records its failure on nothing).
    const toTransport: string[] = (
      await intakeDb().query(`SELECT id FROM outbox_message WHERE destination = 'transport' AND dossier_code = ANY($1) ORDER BY id`, [transportCodes])
    ).map((r: { id: string }) => r.id);
    expect(toTransport).toHaveLength(3);
    await intakeDb().query(`UPDATE outbox_message SET dead_at = now(), lease_until = NULL, lease_token = NULL, created_at = now() - interval '1 hour' WHERE id = ANY($1)`, [toTransport.slice(0, 2)]);
    await intakeDb().query(`UPDATE outbox_message SET created_at = now() - interval '10 minutes' WHERE id = $1`, [toTransport[2]]);
    const toIntake: string[] = (
      await policeDb().query(`SELECT id FROM outbox_message WHERE destination = 'intake' AND dossier_code = ANY($1) ORDER BY id`, [policeCodes])
    ).map((r: { id: string }) => r.id);
    expect(toIntake).toHaveLength(2);
    await policeDb().query(`UPDATE outbox_message SET dead_at = now(), lease_until = NULL, lease_token = NULL, created_at = now() - interval '2 hours' WHERE id = $1`, [toIntake[0]]);
    await policeDb().query(`UPDATE outbox_message SET created_at = now() - interval '5 minutes' WHERE id = $1`, [toIntake[1]]);

    const outboxes = await queue();
    expect(outboxes.map((o) => [o.__typename, o.system])).toEqual([
      ['IntakeOutbox', 'intake'],
      ['PostalOutbox', 'postal'],
      ['TransportOutbox', 'transport'],
      ['PoliceOutbox', 'police'],
      ['IndustryTradeOutbox', 'industry-trade'],
    ]);
    for (const o of outboxes) expect(o.lanes!.map((l) => l.destination)).toEqual(SUBGRAPHS.map((s) => s.name).filter((n) => n !== o.system));

    const centre = lane(outboxes, 'intake', 'transport');
    expect(centre).toMatchObject({ pending: 1, dead: 2 });
    expect(centre.oldestPendingSeconds).toBeGreaterThanOrEqual(600);
    expect(centre.oldestPendingSeconds).toBeLessThan(900);
    expect(centre.oldestDeadSeconds).toBeGreaterThanOrEqual(3600);
    expect(centre.oldestDeadSeconds).toBeLessThan(3900);
    expect(centre.nextAttemptAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$/);
    const police = lane(outboxes, 'police', 'intake');
    expect(police).toMatchObject({ pending: 1, dead: 1 });
    expect(police.oldestPendingSeconds).toBeGreaterThanOrEqual(300);
    expect(police.oldestPendingSeconds).toBeLessThan(600);
    expect(police.oldestDeadSeconds).toBeGreaterThanOrEqual(7200);
    expect(police.oldestDeadSeconds).toBeLessThan(7500);
    const quiet = outboxes.flatMap((o) => o.lanes!.map((l) => ({ ...l, system: o.system }))).filter((l) => !(l.system === 'intake' && l.destination === 'transport') && !(l.system === 'police' && l.destination === 'intake'));
    expect(quiet).toHaveLength(18);
    for (const l of quiet) expect(l).toEqual({ system: l.system, destination: l.destination, pending: 0, dead: 0, oldestPendingSeconds: null, oldestDeadSeconds: null, nextAttemptAt: null });

    // Each system counts its own outbox in one statement, whatever it holds (and claims the call's nonce).
    expect(await countStatements(system, () => queue())).toEqual({ intake: 2, postal: 2, transport: 2, police: 2, 'industry-trade': 2 });

    const metrics = async (name: string) => (await fetch(`${real[name]}/metrics`)).text();
    const intakeMetrics = await metrics('intake');
    expect(gauge(intakeMetrics, 'motcua_outbox_dead', 'transport')).toBe(2);
    expect(gauge(intakeMetrics, 'motcua_outbox_pending', 'transport')).toBe(1);
    expect(gauge(intakeMetrics, 'motcua_outbox_oldest_pending_seconds', 'transport')).toBeGreaterThanOrEqual(600);
    expect(gauge(intakeMetrics, 'motcua_outbox_dead', 'postal')).toBe(0);
    const policeMetrics = await metrics('police');
    expect(gauge(policeMetrics, 'motcua_outbox_dead', 'intake')).toBe(1);
    expect(gauge(policeMetrics, 'motcua_outbox_pending', 'intake')).toBe(1);
  });

  it('when anyone but centre staff asks for the queue or a retry, or asks a system for its outbox directly, then it is FORBIDDEN and nothing changes', async () => {
    const before = await undelivered();
    const others: (Identity | null)[] = [OFFICER, { subject: 'rb', role: 'REPORT_BUILDER' }, { subject: 'portal', role: 'SERVICE' }, { subject: 'c', role: 'CITIZEN', citizenId: '056081000000' }, null];
    for (const who of others) {
      const read = await system.query(QUEUE, {}, who);
      expect(read.data).toBeNull();
      expect(read.errors.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
      const retry = await system.query(RETRY, { d: 'transport' }, who);
      expect(retry.data).toBeNull();
      expect(retry.errors.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
    }
    const direct = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PoliceOutbox { lanes { destination dead } } } }`;
    const refused = await signedCall(system.subgraphs.police, 'police', direct, { r: [{ __typename: 'PoliceOutbox', system: 'police' }] }, OFFICER);
    expect(refused.errors.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
    const allowed = await signedCall(system.subgraphs.police, 'police', direct, { r: [{ __typename: 'PoliceOutbox', system: 'police' }] }, STAFF);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data._entities[0].lanes.find((l: Lane) => l.destination === 'intake').dead).toBe(1);
    expect(await undelivered()).toEqual(before);
  });

  it('when the destination to retry is not a system, then it is BAD_USER_INPUT and nothing changes', async () => {
    const before = await undelivered();
    for (const d of ['nowhere', '', 'INTAKE', "transport' OR 1=1"]) {
      const res = await system.query(RETRY, { d });
      expect(res.data).toBeNull();
      expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'destination' }) })]);
    }
    expect(await undelivered()).toEqual(before);
    const [{ asks }] = await intakeDb().query(`SELECT count(*)::int AS asks FROM outbox_message WHERE type = 'REVIVE_DEAD'`);
    expect(asks).toBe(0);
  });

  it('when the systems answer again, then only the pending hand-overs go by themselves; retryDeadHandovers revives the dead in every sender and they are delivered', async () => {
    Object.assign(system.peers.urls, real);
    // Their back-off would make them wait up to 30 s: due now, they go in the next round.
    for (const db of [intakeDb(), policeDb()]) await db.query(`UPDATE outbox_message SET next_attempt_at = now() WHERE delivered_at IS NULL AND dead_at IS NULL`);
    await until('the pending hand-overs delivered', async () => {
      const q = await queue();
      return lane(q, 'intake', 'transport').pending === 0 && lane(q, 'police', 'intake').pending === 0 && q;
    }, 60_000);
    const waited = await queue();
    expect(lane(waited, 'intake', 'transport').dead).toBe(2);
    expect(lane(waited, 'police', 'intake').dead).toBe(1);
    const [{ held }] = await system.subgraphs.transport.server.db.query(`SELECT count(*)::int AS held FROM processing WHERE dossier_code = ANY($1)`, [transportCodes]);
    expect(held).toBe(1);

    const toTransport = await system.query(RETRY, { d: 'transport' });
    expect(toTransport.errors).toBeUndefined();
    expect(toTransport.data.retryDeadHandovers.map((o: Outbox) => o.system)).toEqual(SUBGRAPHS.map((s) => s.name));
    // The centre's own are revived in the mutation's transaction: the answer already shows them alive.
    expect(lane(toTransport.data.retryDeadHandovers, 'intake', 'transport').dead).toBe(0);
    await until('the dossiers revived for transport in its system', async () => {
      const [{ n }] = await system.subgraphs.transport.server.db.query(`SELECT count(*)::int AS n FROM processing WHERE dossier_code = ANY($1)`, [transportCodes]);
      return n === 3;
    }, 60_000);

    const toIntake = await system.query(RETRY, { d: 'intake' });
    expect(toIntake.errors).toBeUndefined();
    await until('the police reports revived and in the register', async () => {
      const rows = await intakeDb().query(`SELECT status FROM dossier WHERE code = ANY($1)`, [policeCodes]);
      return rows.length === 2 && rows.every((r: { status: string }) => r.status === 'PROCESSING');
    }, 60_000);
    await until('every lane empty and every request to revive delivered', async () => {
      const q = await queue();
      const [{ asks }] = await intakeDb().query(`SELECT count(*)::int AS asks FROM outbox_message WHERE type = 'REVIVE_DEAD' AND delivered_at IS NULL`);
      return asks === 0 && q.every((o) => o.lanes!.every((l) => l.pending === 0 && l.dead === 0));
    }, 60_000);
    // Retrying for transport asked the three systems besides the centre and transport; for the centre, the four others.
    const asked = await intakeDb().query(`SELECT destination, count(*)::int AS n FROM outbox_message WHERE type = 'REVIVE_DEAD' GROUP BY destination ORDER BY destination`);
    expect(asked).toEqual([
      { destination: 'industry-trade', n: 2 },
      { destination: 'police', n: 2 },
      { destination: 'postal', n: 2 },
      { destination: 'transport', n: 1 },
    ]);
    expect(gauge(await (await fetch(`${real.police}/metrics`)).text(), 'motcua_outbox_dead', 'intake')).toBe(0);
  }, 240_000);

  it('when a system does not answer, then its lanes are null with an error and the other systems\' still show', async () => {
    const postal = system.subgraphs.postal;
    const port = Number(new URL(postal.url).port);
    await postal.server.close();
    try {
      const res = await system.query(QUEUE);
      expect(res.errors?.length).toBeGreaterThan(0);
      const outboxes: Outbox[] = res.data.handoverQueue;
      expect(outboxes.find((o) => o.system === 'postal')!.lanes).toBeNull();
      for (const o of outboxes.filter((x) => x.system !== 'postal')) expect(o.lanes).toHaveLength(4);
    } finally {
      system.subgraphs.postal = await startSubgraph('postal', system.urls.postal, undefined, system.peers, port);
    }
  });
});
