import type { Identity } from '../../subgraphs/kit/identity';
import { HiveRouter, startHiveRouter } from '../support/hive-router';
import { postGraphQL, STAFF, startSystem, TestSystem, tokenFor } from '../support/system';

/** The report's totals each router withholds (UNAVAILABLE) because it cannot gather their @requires: the README's list. */
const ROUTERS = [
  { name: 'Hive Gateway', rust: false, withholds: ['carriedOver', 'resolved', 'withdrawn', 'inProcess', 'balanced'] },
  { name: 'Hive Gateway with the Rust query planner (@graphql-hive/router-runtime)', rust: true, withholds: [] },
];

/**
 * Rule 7: the committed supergraph is not for @apollo/gateway alone. Hive Gateway serves it here, with its own
 * planner and with the Rust one, in-flight dedupe on as HIVE_GATEWAY_OPTIONS configures it, and its answers are
 * compared with ours.
 */
describe.each(ROUTERS)('the committed supergraph served by another router: $name', ({ rust, withholds }) => {
  let system: TestSystem;
  let hive: HiveRouter;
  let hiveUrl: string;
  beforeAll(async () => {
    system = await startSystem();
    hive = await startHiveRouter(system, { rust });
    hiveUrl = hive.url;
  });
  afterAll(async () => {
    await hive?.close();
    await system?.close();
  });

  const both = async (query: string, variables: Record<string, unknown>, as: Identity) => {
    const token = await tokenFor(as);
    return Promise.all([postGraphQL(system.gatewayUrl, query, variables, token), postGraphQL(hiveUrl, query, variables, token)]);
  };

  it('when a page of dossiers with their processing in every system and their shipments is asked, then both routers answer the same', async () => {
    const query = `{ dossiers(first: 25, filter: { receivedFrom: "2020-04-01T00:00:00+07:00" }) { totalCount edges { node {
      code channel receivedAt dueAt department { code name } procedure { code workingDays } applicant { fullName idNumber }
      processing { __typename status officer decidedAt history { status at } }
      shipments { trackingNumber direction status events { status at } } } } } }`;
    const [apollo, other] = await both(query, {}, STAFF);
    expect(apollo.errors).toBeUndefined();
    expect(other.errors).toBeUndefined();
    expect(other.data).toEqual(apollo.data);
    const systems = new Set(apollo.data.dossiers.edges.map((e: any) => e.node.processing?.__typename));
    expect(systems.size).toBeGreaterThan(2);
  });

  it('when a citizen asks for someone else\'s dossier, then both routers refuse it alike', async () => {
    const query = `{ dossiers(first: 5) { edges { node { code applicant { fullName } } } } }`;
    const [apollo, other] = await both(query, {}, { subject: 'c', role: 'CITIZEN', citizenId: '000000000000' });
    expect(other.data).toEqual(apollo.data);
    expect(apollo.data.dossiers.edges).toEqual([]);
  });

  it('when department officers and centre staff ask the same page at the same time, then each gets only what their own role may see', async () => {
    // Identical subgraph calls in flight at once: Hive's dedupe, keyed without the identity signed in onFetch,
    // would hand the first caller's answer to all of them.
    const query = `{ dossiers(first: 50, filter: { receivedFrom: "2020-04-01T00:00:00+07:00" }) { edges { node { code department { code } } } } }`;
    const callers: Identity[] = [];
    for (let i = 0; i < 30; i++) {
      callers.push(STAFF, { subject: `cat-${i}`, role: 'DEPARTMENT_OFFICER', department: 'CAT' }, { subject: `sct-${i}`, role: 'DEPARTMENT_OFFICER', department: 'SCT' });
    }
    const tokens = await Promise.all(callers.map(tokenFor));
    const answers = await Promise.all(tokens.map((token) => postGraphQL(hiveUrl, query, {}, token)));
    const staffDepartments = new Set<string>();
    answers.forEach((answer, i) => {
      expect(answer.errors).toBeUndefined();
      const departments = answer.data.dossiers.edges.map((e: any) => e.node.department.code);
      const own = callers[i].department;
      if (own) expect(departments.filter((d: string) => d !== own)).toEqual([]);
      else departments.forEach((d: string) => staffDepartments.add(d));
    });
    expect(staffDepartments.size).toBeGreaterThan(2);
  });

  it(`when the monthly report is asked, then every figure is the same, but for ${withholds.join(', ') || 'none'}, withheld with UNAVAILABLE where this router cannot gather a system's figures — never another number`, async () => {
    const query = `query($from: Date!, $to: Date!) { report(from: $from, to: $to) {
      received { total online direct postal } returnedByPost ratings { total }
      byDepartment { __typename department { code } carriedOver received { total } resolved { total early onTime late } withdrawn inProcess { total overdue } }
      carriedOver resolved { total early onTime late } withdrawn inProcess { total overdue } balanced } }`;
    const [apollo, other] = await both(query, { from: '2020-04-01', to: '2020-04-30' }, { subject: 'rb', role: 'REPORT_BUILDER' });
    expect(apollo.errors).toBeUndefined();
    const ours = apollo.data.report;
    const theirs = other.data.report;
    for (const field of ['received', 'returnedByPost', 'ratings', 'byDepartment']) expect(theirs[field]).toEqual(ours[field]);
    const totals = ['carriedOver', 'resolved', 'withdrawn', 'inProcess', 'balanced'];
    for (const total of totals.filter((t) => !withholds.includes(t))) expect(theirs[total]).toEqual(ours[total]);
    for (const total of withholds) expect(theirs[total]).toBeNull();
    expect((other.errors ?? []).map((e: any) => [e.path?.at(-1), e.extensions?.code])).toEqual(withholds.map((t) => [t, 'UNAVAILABLE']));
  });
});
