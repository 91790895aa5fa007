import { Directive, Field, ObjectType, UseMiddleware } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { PersonalData } from '../../kit/access';
import { maskFields } from '../../kit/masking';
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

  @Field(() => TradeLicence, { nullable: true, description: 'Issued on approval. Personal data: numbers and plates masked for roles that may not see the person.' })
  @UseMiddleware(PersonalData(maskFields<TradeLicence>(['number'])))
  get tradeLicence(): TradeLicence | null {
    return this.licenceColumns?.number ? this.licenceColumns : null;
  }
}
