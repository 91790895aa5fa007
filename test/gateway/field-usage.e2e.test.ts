import { createGateway, committedSupergraph, GatewayServer } from '../../gateway/gateway';
import { MAX_CLIENTS } from '../../gateway/usage/field-usage.plugin';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import { createLogger } from '../../subgraphs/kit/logger';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { postGraphQL, STAFF, startSystem, TestSystem, tokenFor } from '../support/system';

interface Usage {
  type: string;
  field: string;
  client: string;
  value: number;
}

const METRIC = 'motcua_field_usage_total';
const SAMPLE = /^motcua_field_usage_total\{((?:[a-z_]+="[^"\\]*",)*[a-z_]+="[^"\\]*")\} (\d+)$/;

/** Every series of the field usage counter in a scrape; a line of the metric that is not a whole sample fails. */
function usage(text: string): Usage[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${METRIC}{`) || line.startsWith(`${METRIC} `))
    .map((line) => {
      const sample = SAMPLE.exec(line);
      if (!sample) throw new Error(`not a sample of ${METRIC}: ${line}`);
      const labels = Object.fromEntries(sample[1].split(/,(?=[a-z_]+=")/).map((pair) => {
        const [, name, value] = /^([a-z_]+)="(.*)"$/.exec(pair)!;
        return [name, value];
      }));
      expect(Object.keys(labels).sort()).toEqual(['client', 'field', 'service', 'type']);
      expect(labels.service).toBe('gateway');
      return { type: labels.type, field: labels.field, client: labels.client, value: Number(sample[2]) };
    });
}

const scrape = async (graphqlUrl: string) => usage(await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text());
const ofClient = (series: Usage[], client: string) => series.filter((s) => s.client === client).sort((a, b) => `${a.type}.${a.field}`.localeCompare(`${b.type}.${b.field}`));
const countOf = (series: Usage[], type: string, field: string, client: string) =>
  series.find((s) => s.type === type && s.field === field && s.client === client)?.value ?? 0;

/** `code` twice (once aliased), the licence through a named fragment's inline fragment on the interface. */
const DOSSIER = `query Usage($code: String!) {
  dossier(code: $code) { code again: code processing { __typename status ...Licence } }
}
fragment Licence on Processing { ... on TransportProcessing { transportLicence { number } } }`;

const DOSSIER_FIELDS = [
  ['Dossier', 'code'],
  ['Dossier', 'processing'],
  ['Processing', 'status'],
  ['Query', 'dossier'],
  ['TransportLicence', 'number'],
  ['TransportProcessing', 'transportLicence'],
];

const DEPARTMENTS = `{ departments { code } }`;

describe('field usage per client at the gateway', () => {
  let system: TestSystem;
  let token: string;
  let code: string;
  const ask = async (query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) => {
    const answer = await postGraphQL(system.gatewayUrl, query, variables, token, headers);
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };

  beforeAll(async () => {
    system = await startSystem();
    token = await tokenFor(STAFF);
    [{ code }] = await system.subgraphs.intake.server.db.query(`SELECT code FROM dossier WHERE processing_system = 'transport' ORDER BY code LIMIT 1`);
  });
  afterAll(() => system?.close());

  it('when the dashboard selects fields through an alias and fragments on an interface, then each field is counted once on the type it is selected on', async () => {
    const data = await ask(DOSSIER, { 'apollographql-client-name': 'dashboard' }, { code });
    expect(data.dossier.processing.__typename).toBe('TransportProcessing');

    const series = await scrape(system.gatewayUrl);
    expect(ofClient(series, 'dashboard')).toEqual(DOSSIER_FIELDS.map(([type, field]) => ({ type, field, client: 'dashboard', value: 1 })));
    expect(series.filter((s) => s.field === 'officer' || (s.type === 'TransportProcessing' && s.field === 'status'))).toEqual([]);
    expect(series.filter((s) => s.field.startsWith('__'))).toEqual([]);
  });

  it('when the dashboard names itself by x-graphql-client-name and another caller names no client, then they are counted apart', async () => {
    await ask(DOSSIER, { 'x-graphql-client-name': 'motcua-dashboard' }, { code });
    await ask(DOSSIER, { 'x-graphql-client-name': 'motcua-dashboard' }, { code });
    await ask(DOSSIER, {}, { code });

    const series = await scrape(system.gatewayUrl);
    expect(ofClient(series, 'motcua-dashboard')).toEqual(DOSSIER_FIELDS.map(([type, field]) => ({ type, field, client: 'motcua-dashboard', value: 2 })));
    expect(ofClient(series, 'unknown')).toEqual(DOSSIER_FIELDS.map(([type, field]) => ({ type, field, client: 'unknown', value: 1 })));
    expect(countOf(series, 'Dossier', 'code', 'dashboard')).toBe(1);
  });

  it('when a flood of client names arrives, then only the bound gets labels of its own, the rest and the malformed are counted as other, and the dashboard keeps its own', async () => {
    const known = new Set(['motcua-dashboard', 'gateway', 'other', 'unknown']);
    const selfNamed = (series: Usage[]) => new Set(series.map((s) => s.client).filter((c) => !known.has(c)));
    const before = await scrape(system.gatewayUrl);
    const free = MAX_CLIENTS - selfNamed(before).size;
    expect(free).toBeGreaterThan(0);
    const flood = Array.from({ length: MAX_CLIENTS + 5 }, (_, i) => `flood-${i}`);
    for (const client of flood) await ask(DEPARTMENTS, { 'x-graphql-client-name': client });
    const malformed = ['Nguyen-Van-A', 'a'.repeat(33), 'client name', '056190001235', 'app-0912345678', 'gateway', 'unknown'];
    for (const client of malformed) await ask(DEPARTMENTS, { 'x-graphql-client-name': client });
    await ask(DEPARTMENTS, { 'x-graphql-client-name': 'motcua-dashboard' });

    const after = await scrape(system.gatewayUrl);
    expect(selfNamed(after).size).toBe(MAX_CLIENTS);
    expect(flood.filter((c) => countOf(after, 'Query', 'departments', c) === 1)).toEqual(flood.slice(0, free));
    expect(countOf(after, 'Query', 'departments', 'other') - countOf(before, 'Query', 'departments', 'other')).toBe(flood.length - free + malformed.length);
    expect(countOf(after, 'Department', 'code', 'other') - countOf(before, 'Department', 'code', 'other')).toBe(flood.length - free + malformed.length);
    expect(countOf(after, 'Query', 'departments', 'motcua-dashboard')).toBe(1);
    expect(countOf(after, 'Query', 'departments', 'gateway')).toBe(0);
    expect(countOf(after, 'Query', 'departments', 'unknown')).toBe(0);
  });

  it('when the gateway runs an operation of its own (a report export), then its fields are counted under gateway', async () => {
    const before = countOf(await scrape(system.gatewayUrl), 'Query', 'report', 'gateway');
    const res = await fetch(system.gatewayUrl.replace(/\/graphql$/, '/reports/monthly.csv?from=2020-04-01&to=2020-04-30'), {
      headers: { authorization: `Bearer ${await tokenFor({ subject: 'rb', role: 'REPORT_BUILDER' })}`, 'x-graphql-client-name': 'motcua-dashboard' },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const series = await scrape(system.gatewayUrl);
    expect(countOf(series, 'Query', 'report', 'gateway')).toBe(before + 1);
    expect(countOf(series, 'Query', 'report', 'motcua-dashboard')).toBe(0);
  });

  describe('a field its department has deprecated', () => {
    const LICENCE = 'transportLicence: TransportLicence @join__field(graph: TRANSPORT)';
    let gateway: GatewayServer;
    let url: string;

    beforeAll(async () => {
      // The committed graph deprecates nothing yet: the same graph, with the licence deprecated as a department would.
      const committed = committedSupergraph();
      expect(committed.split(LICENCE)).toHaveLength(2);
      gateway = await createGateway({
        subgraphUrls: Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url])),
        signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
        auth: loadConfig({}).auth,
        log: createLogger('test', 'silent'),
        supergraphSdl: committed.replace(LICENCE, `${LICENCE} @deprecated(reason: "Use licences.")`),
      });
      ({ url } = await gateway.listen(0));
    });
    afterAll(() => gateway?.close());

    it('when a client still selects it, then it is counted under that client', async () => {
      const schema = await postGraphQL(url, `{ __type(name: "TransportProcessing") { fields(includeDeprecated: true) { name isDeprecated } } }`, {}, token);
      expect(schema.data.__type.fields.filter((f: { isDeprecated: boolean }) => f.isDeprecated).map((f: { name: string }) => f.name)).toEqual(['transportLicence']);

      const answer = await postGraphQL(url, DOSSIER, { code }, token, { 'x-graphql-client-name': 'motcua-dashboard' });
      expect(answer.errors).toBeUndefined();
      const series = await scrape(url);
      expect(countOf(series, 'TransportProcessing', 'transportLicence', 'motcua-dashboard')).toBe(1);
      expect(ofClient(series, 'unknown')).toEqual([]);
    });
  });
});
