import { Directive, Field, ObjectType, UseMiddleware } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { PersonalData } from '../../kit/access';
import { maskFields } from '../../kit/masking';
import { ProcessingFields, ProcessingRecord } from '../../kit/department/processing.record';
import { TransportLicence } from './transport-licence.entity';

@Entity('processing')
@ObjectType('TransportProcessing', {
  implements: ProcessingFields,
  description: "A dossier processed in the Department of Transport's own system (Sở Giao thông vận tải).",
})
@Directive('@key(fields: "dossierCode")')
export class TransportProcessing extends ProcessingRecord {
  @Column(() => TransportLicence, { prefix: 'licence' })
  licenceColumns: TransportLicence;

  @Field(() => TransportLicence, { nullable: true, description: 'Issued on approval. Personal data: numbers and plates masked for roles that may not see the person.' })
  @UseMiddleware(PersonalData(maskFields<TransportLicence>(['number', 'vehiclePlate'])))
  get transportLicence(): TransportLicence | null {
    return this.licenceColumns?.number ? this.licenceColumns : null;
  }
}
