import { Field, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';

@ObjectType({ description: 'The person who files a dossier. Personal data.' })
export class Applicant {
  @Field()
  @Column({ type: 'varchar', length: 120 })
  fullName: string;

  @Field({ description: 'The 12-digit citizen identity number (CCCD).' })
  @Column({ type: 'char', length: 12 })
  idNumber: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 15, nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 300, nullable: true })
  address: string | null;
}
