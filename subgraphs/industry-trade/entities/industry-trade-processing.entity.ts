import { Directive, Field, ObjectType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ProcessingFields, ProcessingRecord } from '../../kit/department/processing.record';
import { TradeLicence } from './trade-licence.entity';

@Entity('processing')
@ObjectType('IndustryTradeProcessing', {
  implements: ProcessingFields,
  description: "A dossier processed in the Department of Industry and Trade's own system (Sở Công Thương).",
})
@Directive('@key(fields: "dossierCode")')
export class IndustryTradeProcessing extends ProcessingRecord {
  @Column(() => TradeLicence, { prefix: 'licence' })
  licenceColumns: TradeLicence;

  @Field(() => TradeLicence, { nullable: true, description: 'Issued on approval.' })
  get tradeLicence(): TradeLicence | null {
    return this.licenceColumns?.number ? this.licenceColumns : null;
  }
}
