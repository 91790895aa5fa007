import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { committedSupergraph } from '../../gateway/gateway';
import { HIVE_GATEWAY_OPTIONS } from '../../gateway/other-router/hive-options';
import { createAuthenticator } from '../../gateway/auth';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { signRequest } from '../../subgraphs/kit/signing';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { postGraphQL, STAFF, startSystem, TestSystem, tokenFor } from '../support/system';

/**
 * Rule 7: the committed supergraph is not for @apollo/gateway alone. Hive Gateway serves it here, signing each
 * subgraph call as our gateway does, and its answers are compared with ours.
 */
describe('the committed supergraph served by another router (Hive Gateway)', () => {
  let system: TestSystem;
  let hive: Server;
  let hiveUrl: string;
  beforeAll(async () => {
    system = await startSystem();
    const authenticate = await createAuthenticator(loadConfig({}).auth);
    // The supergraph names the subgraphs' standard ports; the test's subgraphs listen elsewhere.
    const target = new Map(SUBGRAPHS.map((s) => [`http://127.0.0.1:${s.port}/graphql`, { name: s.name, url: system.subgraphs[s.name].url }]));
    const runtime = createGatewayRuntime({
      ...HIVE_GATEWAY_OPTIONS,
      supergraph: committedSupergraph(),
      logging: false,
      plugins: () => [
        {
          async onFetch({ url, options, setURL, setOptions, context }) {
            const to = target.get(url);
            if (!to) throw new Error(`unexpected subgraph URL ${url}`);
            const request = (context as { request: Request }).request;
            const identity = await authenticate(request.headers.get('authorization') ?? undefined);
            const signed = signRequest(devSigningSecret(to.name), {
              method: 'POST',
              path: new URL(to.url).pathname,
              body: String(options.body),
              identity,
              requestId: randomUUID(),
            });
            setURL(to.url);
            setOptions({ ...options, headers: { ...(options.headers as Record<string, string>), ...signed } });
          },
        },
      ],
    });
    hive = createServer(runtime);
    await new Promise<void>((resolve) => hive.listen(0, '127.0.0.1', resolve));
    hiveUrl = `http://127.0.0.1:${(hive.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((resolve) => hive?.close(resolve));
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

  it('when the monthly report is asked, then every figure is the same or, where that router cannot gather a system\'s figures, withheld with UNAVAILABLE — never another number', async () => {
    const query = `query($from: Date!, $to: Date!) { report(from: $from, to: $to) {
      received { total online direct postal } returnedByPost ratings { total }
      byDepartment { __typename department { code } carriedOver received { total } resolved { total early onTime late } withdrawn inProcess { total overdue } }
      carriedOver resolved { total early onTime late } withdrawn inProcess { total overdue } balanced } }`;
    const [apollo, other] = await both(query, { from: '2020-04-01', to: '2020-04-30' }, { subject: 'rb', role: 'REPORT_BUILDER' });
    expect(apollo.errors).toBeUndefined();
    const ours = apollo.data.report;
    const theirs = other.data.report;
    for (const field of ['received', 'returnedByPost', 'ratings', 'byDepartment']) expect(theirs[field]).toEqual(ours[field]);
    for (const total of ['carriedOver', 'resolved', 'withdrawn', 'inProcess', 'balanced']) {
      if (theirs[total] === null) {
        const error = other.errors.find((e: any) => e.path?.at(-1) === total);
        expect(error?.extensions?.code).toBe('UNAVAILABLE');
      } else {
        expect(theirs[total]).toEqual(ours[total]);
      }
    }
  });
});
