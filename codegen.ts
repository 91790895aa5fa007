import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the graph's front-ends, from the committed supergraph: the dashboard's operations become
 * TypedDocumentNodes in dashboard/src/gql/, and persisted-documents.json (SHA-256 → document) is the manifest the
 * gateway trusts (TRUSTED_DOCUMENTS_FILES). The dashboard sends only the hashes. `npm run codegen` regenerates;
 * a test runs it with --check.
 */
const config: CodegenConfig = {
  schema: 'schema/supergraph.graphql',
  documents: ['dashboard/src/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'dashboard/src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { mode: 'replaceDocumentWithHash', hashAlgorithm: 'sha256' },
      },
      config: {
        enumsAsTypes: true,
        scalars: { Date: 'string', DateTime: 'string' },
        useTypeImports: true,
      },
    },
  },
};

export default config;
