import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn, RelationId } from 'typeorm';
import { Shipment } from './shipment.entity';
import { ShipmentStatus } from './shipment-status';

@Entity('shipment_event')
@Index(['shipment', 'at'])
@ObjectType({ description: 'A status event of a postal item.' })
export class ShipmentEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @ManyToOne(() => Shipment, { nullable: false, onDelete: 'CASCADE' })
  shipment: Shipment;

  @RelationId((e: ShipmentEvent) => e.shipment)
  shipmentTrackingNumber: string;

  @Field(() => ShipmentStatus)
  @Column({ type: 'varchar', length: 20 })
  status: ShipmentStatus;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field(() => String, { nullable: true, description: 'Post office where it happened.' })
  @Column({ type: 'varchar', length: 120, nullable: true })
  location: string | null;
}
