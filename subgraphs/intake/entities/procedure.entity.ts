import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, ManyToOne, PrimaryColumn, RelationId } from 'typeorm';
import { Department } from './department.entity';

@Entity('procedure')
@ObjectType({ description: 'An administrative procedure (thủ tục hành chính) of the national catalogue.' })
@Directive('@key(fields: "code")')
export class Procedure {
  @Field({ description: 'National catalogue code, e.g. 1.002820.' })
  @PrimaryColumn({ type: 'varchar', length: 20 })
  code: string;

  @Field({ description: 'Vietnamese name.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => Int, { description: 'Statutory time in working days of 8 working hours.' })
  @Column({ type: 'int' })
  workingDays: number;

  @Field(() => Int, { description: 'Fee in Vietnamese đồng.' })
  @Column({ type: 'int', default: 0 })
  fee: number;

  @Field(() => Date, { nullable: true, description: 'When it was retired: it keeps its dossiers and figures, and takes no new dossiers.' })
  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @Index()
  @ManyToOne(() => Department, { nullable: false })
  department: Department;

  @RelationId((p: Procedure) => p.department)
  departmentCode: string;
}
