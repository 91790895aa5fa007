import { Directive, Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('department')
@ObjectType({ description: 'A department of the province (sở, ngành) that decides dossiers.' })
@Directive('@key(fields: "code")')
export class Department {
  @Field({ description: 'Short code, e.g. SGTVT for the Department of Transport.' })
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code: string;

  @Field({ description: 'Vietnamese name.' })
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field({ description: 'Unit code in the national system; the prefix of its dossier codes.' })
  @Column({ type: 'varchar', length: 24, unique: true })
  unitCode: string;

  /** The subgraph of the department's own system; null when it works in the centre's one-stop system. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  system: string | null;

  @Field({ description: 'Whether it processes dossiers in a system of its own.' })
  get hasOwnSystem(): boolean {
    return this.system !== null;
  }
}
