import { printSubgraphSchema } from '@apollo/subgraph';
import { compose, readCommittedSchema, schemaFiles } from '../../gateway/compose';
import { buildModuleSchema } from '../../subgraphs/kit/schema';
import { DEPARTMENT_SYSTEMS } from '../../subgraphs/registry';

describe('the committed schema', () => {
  let files: Record<string, string>;
  beforeAll(async () => {
    files = schemaFiles(await compose());
  });

  it('when the subgraphs are composed from their code, then schema/ holds exactly that (run npm run compose)', async () => {
    for (const [name, text] of Object.entries(files)) {
      expect({ name, text: await readCommittedSchema(name) }).toEqual({ name, text });
    }
  });

  it('when a department is in the registry, then its subgraph defines the processing type intake routes to', async () => {
    for (const s of DEPARTMENT_SYSTEMS) {
      const sdl = printSubgraphSchema(await buildModuleSchema(await s.load()));
      expect(sdl).toMatch(new RegExp(`type ${s.processingType} implements Processing\\s+@key\\(fields: "dossierCode"\\)`));
      expect(files['intake.graphql']).toContain(`type ${s.processingType} implements Processing`);
    }
  });

  it('when composed, then every subgraph links federation v2.3 and the supergraph uses no router-specific directive', () => {
    for (const [name, text] of Object.entries(files)) {
      if (name !== 'supergraph.graphql') expect(text).toContain('https://specs.apollo.dev/federation/v2.3');
    }
    expect(files['supergraph.graphql']).not.toMatch(/@apollo\/|@composeDirective|@context|@cost|@listSize/);
  });
});
