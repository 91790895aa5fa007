import { Directive, Field, ObjectType } from 'type-graphql';

/** The centre's dossier, as postal sees it: its code, to which postal adds the shipments. */
@ObjectType()
@Directive('@key(fields: "code")')
export class Dossier {
  @Field()
  code: string;
}
