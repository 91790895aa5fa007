import { Directive, Field, InterfaceType, ObjectType } from 'type-graphql';
import { DEPARTMENT_SYSTEMS } from '../../registry';

/**
 * The centre knows only which system processes a dossier, so here Processing carries just the key;
 * each system contributes the other fields of the interface for its own type.
 */
@InterfaceType('Processing', {
  resolveType: (value: { __typename?: string }) => value.__typename ?? 'OneStopProcessing',
})
export abstract class ProcessingRef {
  @Field()
  dossierCode: string;
}

function processingStub(typeName: string): Function {
  @ObjectType(typeName, { implements: ProcessingRef })
  @Directive('@key(fields: "dossierCode", resolvable: false)')
  class ProcessingStub {
    @Field()
    dossierCode: string;
  }
  return ProcessingStub;
}

/** One reference type per department system in the registry: a new department needs no change here. */
export const PROCESSING_STUBS = DEPARTMENT_SYSTEMS.map((s) => processingStub(s.processingType!));
