import { Directive, Field, ObjectType, UseMiddleware } from 'type-graphql';
import { PersonalData } from '../../kit/access';
import { maskAddress, maskName, maskPhone } from '../../kit/masking';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { ShipmentDirection, ShipmentStatus } from './shipment-status';

@Index('IDX_shipment_applicant_id_number', { synchronize: false })
@Entity('shipment')
@Index(['dossierCode', 'postedAt'])
@ObjectType({ description: 'An item carried by the public postal service (bưu chính công ích) for a dossier.' })
@Directive('@key(fields: "trackingNumber")')
export class Shipment {
  @Field({ description: 'UPU S10 item number, e.g. RE123456785VN.' })
  @PrimaryColumn({ type: 'char', length: 13 })
  trackingNumber: string;

  @Field()
  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Field(() => ShipmentDirection)
  @Column({ type: 'varchar', length: 8 })
  direction: ShipmentDirection;

  @Field(() => ShipmentStatus, { description: 'The latest status event.' })
  @Column({ type: 'varchar', length: 20 })
  status: ShipmentStatus;

  @Field({ description: 'Personal data.' })
  @UseMiddleware(PersonalData(maskName))
  @Column({ type: 'varchar', length: 120 })
  recipientName: string;

  @Field({ description: 'Personal data.' })
  @UseMiddleware(PersonalData(maskAddress))
  @Column({ type: 'varchar', length: 300 })
  address: string;

  @Field(() => String, { nullable: true, description: 'Personal data.' })
  @UseMiddleware(PersonalData(maskPhone))
  @Column({ type: 'varchar', length: 15, nullable: true })
  phone: string | null;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  postedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** Who may see the item: the department owning the dossier and the applicant. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  departmentCode: string | null;

  @Column({ type: 'char', length: 12, nullable: true })
  applicantIdNumber: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
