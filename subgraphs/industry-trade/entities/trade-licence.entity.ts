import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column } from 'typeorm';

export enum TradeLicenceKind {
  PETROL_RETAIL_CERTIFICATE = 'PETROL_RETAIL_CERTIFICATE',
  LPG_BOTTLING_CERTIFICATE = 'LPG_BOTTLING_CERTIFICATE',
  TOBACCO_WHOLESALE_LICENCE = 'TOBACCO_WHOLESALE_LICENCE',
}
registerEnumType(TradeLicenceKind, { name: 'TradeLicenceKind' });

@ObjectType({ description: 'The licence or certificate an Industry & Trade decision issued.' })
export class TradeLicence {
  @Field(() => TradeLicenceKind)
  @Column({ type: 'varchar', length: 32, nullable: true })
  kind: TradeLicenceKind;

  @Field()
  @Column({ type: 'varchar', length: 40, nullable: true })
  number: string;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;
}
