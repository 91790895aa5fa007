import { Directive, Field, MiddlewareFn, ObjectType, UseMiddleware } from 'type-graphql';
import { dossierAccess, PersonalData, scopeOf } from '../../kit/access';
import { forbidden } from '../../kit/errors';
import type { RequestContext } from '../../kit/subgraph';
import { maskAddress, maskName, maskPhone } from '../../kit/masking';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { ShipmentDirection, ShipmentStatus } from './shipment-status';

/**
 * Anyone holding a tracking number may follow the item: its status and events. What ties it to a dossier or a
 * person is for those who may see the dossier.
 */
export const DossierFact: MiddlewareFn<RequestContext<unknown>> = ({ root, context }, next) => {
  if (dossierAccess(context.identity, scopeOf(root)) === 'NONE') throw forbidden('a tracking number shows the status and events only');
  return next();
};

@Entity('shipment')
@Index(['dossierCode', 'postedAt'])
@ObjectType({
  description:
    'An item carried by the public postal service (bưu chính công ích) for a dossier. Without access to the dossier ' +
    '(no token, another department), only trackingNumber, status and events answer; every other field is FORBIDDEN.',
})
@Directive('@key(fields: "trackingNumber")')
export class Shipment {
  @Field({ description: 'UPU S10 item number, e.g. RE123456785VN.' })
  @PrimaryColumn({ type: 'char', length: 13 })
  trackingNumber: string;

  @Field()
  @UseMiddleware(DossierFact)
  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Field(() => ShipmentDirection)
  @UseMiddleware(DossierFact)
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
  @UseMiddleware(DossierFact)
  @Column({ type: 'timestamptz' })
  postedAt: Date;

  @Field(() => Date, { nullable: true })
  @UseMiddleware(DossierFact)
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
