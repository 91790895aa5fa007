import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column } from 'typeorm';

export enum PoliceCertificateKind {
  SEAL_REGISTRATION = 'SEAL_REGISTRATION',
  SECURITY_ORDER = 'SECURITY_ORDER',
  VEHICLE_REGISTRATION = 'VEHICLE_REGISTRATION',
}
registerEnumType(PoliceCertificateKind, { name: 'PoliceCertificateKind' });

@ObjectType({ description: 'The seal registration, security-and-order or vehicle certificate a police decision issued.' })
export class PoliceCertificate {
  @Field(() => PoliceCertificateKind)
  @Column({ type: 'varchar', length: 32, nullable: true })
  kind: PoliceCertificateKind;

  @Field()
  @Column({ type: 'varchar', length: 40, nullable: true })
  number: string;

  @Field(() => String, { nullable: true, description: 'Vehicle plate, for a vehicle registration. Personal data.' })
  @Column({ type: 'varchar', length: 16, nullable: true })
  vehiclePlate: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  issuedAt: Date | null;
}
