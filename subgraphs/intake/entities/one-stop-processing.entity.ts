import { Directive, Field, ObjectType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ProcessingRecord } from '../../kit/department/processing.record';
import { ProcessingRef } from './processing.interface';

@Entity('processing')
@Directive('@key(fields: "dossierCode")')
@ObjectType('OneStopProcessing', {
  implements: ProcessingRef,
  description: "A dossier processed in the centre's one-stop system, for departments without a system of their own.",
})
export class OneStopProcessing extends ProcessingRecord {
  @Field(() => String, { nullable: true, description: 'Number of the result document (số văn bản kết quả).' })
  @Column({ type: 'varchar', length: 40, nullable: true })
  resultDocument: string | null;
}
