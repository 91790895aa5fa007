import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoCallers, EXAMPLE_DOSSIER } from '../../demo/callers';
import { curlSteps, fencedBlocks } from '../../gateway/schema-check/readme-examples';
import { isTrackingNumber } from '../../subgraphs/postal/tracking-number';
import { runShell } from '../support/shell';
import { answered, postGraphQL, settle, startPrivateSystem, TestSystem, tokenFor } from '../support/system';

/**
 * The README's examples as a new user runs them after `npm start`, on its demo data: every ```graphql block with
 * the printed STAFF_TOKEN, then the ```sh blocks holding curl, in order, with the variables `npm start` prints.
 */
const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

const GRAPHQL = fencedBlocks(README, 'graphql');
const STEPS = curlSteps(README);

/** The top-level fields of an answer that found nothing: null, an empty list, a page without edges. */
const emptyFields = (data: Record<string, unknown> | null | undefined) =>
  Object.entries(data ?? { data: null })
    .filter(([, v]) => v === null || (Array.isArray(v) && v.length === 0) || (Array.isArray((v as any)?.edges) && (v as any).edges.length === 0))
    .map(([k]) => k);

const title = (block: string) => block.split('\n')[0].replace(/^#\s*/, '').slice(0, 80);

describe('README.md', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  const vars: Record<string, string> = {};
  const staff = demoCallers().find((c) => c.variable === 'STAFF_TOKEN')!.identity;

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('readme'));
    const example = await answered(system, 'query($code: String!) { dossier(code: $code) { applicant { idNumber } } }', { code: EXAMPLE_DOSSIER }, staff);
    vars.GRAPHQL = system.gatewayUrl;
    for (const c of demoCallers({ idNumber: example.dossier.applicant.idNumber, dossierCode: EXAMPLE_DOSSIER })) {
      vars[c.variable] = await tokenFor(c.identity);
    }
  });
  afterAll(() => close?.());

  it('when it is read, then it has graphql examples and curl steps, and its first example reads the dossier whose applicant npm start prints a token for', () => {
    expect(GRAPHQL.length).toBeGreaterThan(3);
    expect(STEPS.length).toBeGreaterThan(3);
    expect(GRAPHQL[0]).toContain(`dossier(code: "${EXAMPLE_DOSSIER}")`);
  });

  for (const query of GRAPHQL) {
    it(`when "${query.replace(/\s+/g, ' ').slice(0, 70)}" is run as centre staff, then it answers without errors and finds something`, async () => {
      const res = await postGraphQL(system.gatewayUrl, query, undefined, vars.STAFF_TOKEN);
      expect(res.errors).toBeUndefined();
      expect(emptyFields(res.data)).toEqual([]);
    });
  }

  it('when the printed CITIZEN token asks for the example dossier, then it is theirs to read', async () => {
    const res = await postGraphQL(system.gatewayUrl, `{ dossier(code: "${EXAMPLE_DOSSIER}") { code applicant { fullName } } }`, undefined, vars.CITIZEN_TOKEN);
    expect(res).toEqual({ data: { dossier: { code: EXAMPLE_DOSSIER, applicant: { fullName: expect.any(String) } } } });
  });

  for (const step of STEPS) {
    it(`when step "${title(step)}" is pasted after the ones before, then each of its requests answers without errors and finds something`, async () => {
      // A person pastes the next step after the last one's hand-overs have gone; the test waits for them likewise.
      await settle(system);
      const calls = await runShell(step, vars);
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        const answer = JSON.parse(call.answer);
        expect({ status: call.status, errors: answer.errors }).toEqual({ status: 200, errors: undefined });
        expect(emptyFields(answer.data)).toEqual([]);
        const requestId = call.headers['x-request-id'];
        if (requestId) expect(call.responseHeaders.get('x-request-id')).toMatch(new RegExp(`^${requestId}-[0-9a-f]{12}$`));
      }
    });
  }

  it('when the steps have run, then the dossier and the postal item they kept are real, and every S10 number the README names passes its check digit', () => {
    expect(vars.DOSSIER).toMatch(/^000\.00\.16\.H56-\d{6}-\d{4}$/);
    const numbers = [...README.matchAll(/\b[A-Z]{2}\d{9}[A-Z]{2}\b/g)].map((m) => m[0]);
    expect(numbers).toContain(vars.TRACKING);
    expect(numbers.filter((n) => !isTrackingNumber(n))).toEqual([]);
  });
});
