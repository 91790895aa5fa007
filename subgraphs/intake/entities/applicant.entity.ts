import { Field, ObjectType, UseMiddleware } from 'type-graphql';
import { Column } from 'typeorm';
import { PersonalData, type DossierScope } from '../../kit/access';
import { maskAddress, maskIdNumber, maskName, maskPhone } from '../../kit/masking';

@ObjectType({ description: 'The person who files a dossier. Personal data: masked for roles that may not see the person.' })
export class Applicant {
  @Field()
  @UseMiddleware(PersonalData(maskName))
  @Column({ type: 'varchar', length: 120 })
  fullName: string;

  @Field({ description: 'The 12-digit citizen identity number (CCCD).' })
  @UseMiddleware(PersonalData(maskIdNumber))
  @Column({ type: 'char', length: 12 })
  idNumber: string;

  @Field(() => String, { nullable: true })
  @UseMiddleware(PersonalData(maskPhone))
  @Column({ type: 'varchar', length: 15, nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  @UseMiddleware(PersonalData(maskAddress))
  @Column({ type: 'varchar', length: 300, nullable: true })
  address: string | null;

  /** The dossier it belongs to, for access checks; set by the resolver, never stored. */
  scope?: DossierScope;
}
