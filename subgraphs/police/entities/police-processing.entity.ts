import { Directive, Field, ObjectType, UseMiddleware } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { PersonalData } from '../../kit/access';
import { maskFields } from '../../kit/masking';
import { ProcessingFields, ProcessingRecord } from '../../kit/department/processing.record';
import { PoliceCertificate } from './police-certificate.entity';

@Entity('processing')
@ObjectType('PoliceProcessing', {
  implements: ProcessingFields,
  description: "A dossier processed in the Provincial Police's own system (Công an tỉnh).",
})
@Directive('@key(fields: "dossierCode")')
export class PoliceProcessing extends ProcessingRecord {
  @Column(() => PoliceCertificate, { prefix: 'certificate' })
  certificateColumns: PoliceCertificate;

  @Field(() => PoliceCertificate, { nullable: true, description: 'Issued on approval. Personal data: numbers and plates masked for roles that may not see the person.' })
  @UseMiddleware(PersonalData(maskFields<PoliceCertificate>(['number', 'vehiclePlate'])))
  get policeCertificate(): PoliceCertificate | null {
    return this.certificateColumns?.number ? this.certificateColumns : null;
  }
}
