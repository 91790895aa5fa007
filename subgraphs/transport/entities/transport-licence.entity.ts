import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column } from 'typeorm';

export enum TransportLicenceKind {
  DRIVING_LICENCE = 'DRIVING_LICENCE',
  TRANSPORT_BUSINESS_LICENCE = 'TRANSPORT_BUSINESS_LICENCE',
  VEHICLE_BADGE = 'VEHICLE_BADGE',
}
registerEnumType(TransportLicenceKind, { name: 'TransportLicenceKind' });

/** What a transport decision issues: a driving licence, a business licence or a vehicle badge. */
@ObjectType({ description: 'The licence or badge a transport decision issued. Personal data.' })
export class TransportLicence {
  @Field(() => TransportLicenceKind)
  @Column({ type: 'varchar', length: 32, nullable: true })
  kind: TransportLicenceKind;

  @Field()
  @Column({ type: 'varchar', length: 32, nullable: true })
  number: string;

  @Field(() => String, { nullable: true, description: 'Vehicle plate, for a badge.' })
  @Column({ type: 'varchar', length: 16, nullable: true })
  vehiclePlate: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;
}
