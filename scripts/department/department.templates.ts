/**
 * The files of a new department system, as `npm run department:new` writes them: the kit's processing record
 * with a detail type for the department to fill in, its initial migration, its subgraph and its test. Everything
 * else a service needs (ports, database, compose service, manifests, secrets, the gateway's list) is derived from
 * the registry line it adds.
 */
export interface DepartmentNames {
  /** kebab-case: construction, natural-resources. */
  name: string;
  /** ConstructionProcessing's prefix. */
  pascal: string;
  camel: string;
  /** The catalogue code of the department it serves (SXD), when known. */
  departmentCode?: string;
}

export const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function namesOf(name: string, departmentCode?: string): DepartmentNames {
  const pascal = name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return { name, pascal, camel: pascal[0].toLowerCase() + pascal.slice(1), departmentCode };
}

export const processingType = (n: DepartmentNames) => `${n.pascal}Processing`;

function documentEntity(n: DepartmentNames): string {
  return `import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column } from 'typeorm';

/** The kinds of document this department's decisions issue: rename and extend them as its procedures need. */
export enum ${n.pascal}DocumentKind {
  RESULT_DOCUMENT = 'RESULT_DOCUMENT',
}
registerEnumType(${n.pascal}DocumentKind, { name: '${n.pascal}DocumentKind' });

/** What a decision of the department issues; its own columns of the processing record (prefix document_). */
@ObjectType({ description: 'The document a decision of the department issued.' })
export class ${n.pascal}Document {
  @Field(() => ${n.pascal}DocumentKind)
  @Column({ type: 'varchar', length: 32, nullable: true })
  kind: ${n.pascal}DocumentKind;

  @Field({ description: 'Number of the document (số văn bản). Personal data: it names the applicant\\'s permit.' })
  @Column({ type: 'varchar', length: 40, nullable: true })
  number: string;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  issuedAt: Date | null;
}
`;
}

function processingEntity(n: DepartmentNames): string {
  return `import { Directive, Field, ObjectType, UseMiddleware } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { PersonalData } from '../../kit/access';
import { maskFields } from '../../kit/masking';
import { ProcessingFields, ProcessingRecord } from '../../kit/department/processing.record';
import { ${n.pascal}Document } from './${n.name}-document.entity';

@Entity('processing')
@ObjectType('${processingType(n)}', {
  implements: ProcessingFields,
  description: "A dossier processed in the department's own system (${n.name}).",
})
@Directive('@key(fields: "dossierCode")')
export class ${processingType(n)} extends ProcessingRecord {
  @Column(() => ${n.pascal}Document, { prefix: 'document' })
  documentColumns: ${n.pascal}Document;

  @Field(() => ${n.pascal}Document, { nullable: true, description: 'Issued on approval. Its number is masked for roles that may not see the person.' })
  @UseMiddleware(PersonalData(maskFields<${n.pascal}Document>(['number'])))
  get ${n.camel}Document(): ${n.pascal}Document | null {
    return this.documentColumns?.number ? this.documentColumns : null;
  }
}
`;
}

function migration(stamp: number): string {
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial${stamp} implements MigrationInterface {
  name = 'Initial${stamp}';

  async up(q: QueryRunner): Promise<void> {
    await q.query(\`ALTER TABLE "processing" ADD "document_kind" character varying(32)\`);
    await q.query(\`ALTER TABLE "processing" ADD "document_number" character varying(40)\`);
    await q.query(\`ALTER TABLE "processing" ADD "document_issued_at" TIMESTAMP WITH TIME ZONE\`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(\`ALTER TABLE "processing" DROP COLUMN "document_issued_at"\`);
    await q.query(\`ALTER TABLE "processing" DROP COLUMN "document_number"\`);
    await q.query(\`ALTER TABLE "processing" DROP COLUMN "document_kind"\`);
  }
}
`;
}

function subgraph(n: DepartmentNames): string {
  return `import { defineDepartment } from '../kit/department/department';
import { ${processingType(n)} } from './entities/${n.name}-processing.entity';
import { ${n.pascal}DocumentKind } from './entities/${n.name}-document.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: '${n.name}',
  entity: ${processingType(n)},
  typeName: '${processingType(n)}',
  migrations,
  detailKinds: Object.values(${n.pascal}DocumentKind),
  // A record moved from the one-stop system brings its result document's number (resultDocument).
  detail: (d) => ({
    documentColumns: {
      kind: (d.kind as ${n.pascal}DocumentKind) ?? ${n.pascal}DocumentKind.RESULT_DOCUMENT,
      number: ((d.number ?? d.resultDocument) as string) ?? null,
      issuedAt: (d.issuedAt as Date) ?? null,
    } as never,
  }),
});
`;
}

function test(n: DepartmentNames): string {
  const type = processingType(n);
  return `import { signedCall, startSubgraph, RunningSubgraph } from '../support/system';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';

/** The ${n.name} system on its own database, as the gateway sees it. */
describe('${n.name}', () => {
  const prefix = uniquePrefix('${n.name.replace(/-/g, '_')}');
  let running: RunningSubgraph;

  beforeAll(async () => {
    running = await startSubgraph('${n.name}', testDatabaseUrl(prefix, '${n.name}'));
  });
  afterAll(async () => {
    await running?.server.close();
    await dropDatabases(prefix);
  });

  it('when asked for its SDL, then ${type} implements Processing with its document', async () => {
    const res = await signedCall(running, '${n.name}', '{ _service { sdl } }');
    expect(res.data._service.sdl).toContain('type ${type} implements Processing');
    expect(res.data._service.sdl).toContain('${n.camel}Document: ${n.pascal}Document');
  });

  it('when asked for a dossier it does not hold, then it answers null', async () => {
    const res = await signedCall(running, '${n.name}', \`query($r: [_Any!]!) { _entities(representations: $r) { ... on ${type} { dossierCode status } } }\`,
      { r: [{ __typename: '${type}', dossierCode: '000.00.16.H56-200401-9999' }] });
    expect(res).toEqual({ data: { _entities: [null] } });
  });
});
`;
}

/** The new files, by path from the repository root. */
export function departmentFiles(n: DepartmentNames, stamp: number): Record<string, string> {
  const dir = `subgraphs/${n.name}`;
  return {
    [`${dir}/entities/${n.name}-document.entity.ts`]: documentEntity(n),
    [`${dir}/entities/${n.name}-processing.entity.ts`]: processingEntity(n),
    [`${dir}/migrations/${stamp}-initial.ts`]: migration(stamp),
    [`${dir}/migrations/index.ts`]: `import { Initial${stamp} } from './${stamp}-initial';\n\nexport const migrations: Function[] = [Initial${stamp}];\n`,
    [`${dir}/subgraph.ts`]: subgraph(n),
    [`test/subgraphs/${n.name}.e2e.test.ts`]: test(n),
  };
}

/** The registry line, on its own, as the existing department lines are written. */
export function registryLine(n: DepartmentNames, port: number): string {
  const code = n.departmentCode ? ` departmentCode: '${n.departmentCode}',` : '';
  return `  { name: '${n.name}', port: ${port}, processingType: '${processingType(n)}',${code} load: load('./${n.name}/subgraph') },\n`;
}
