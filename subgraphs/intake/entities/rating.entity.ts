import { Field, ObjectType, UseMiddleware } from 'type-graphql';
import { FreeText, type DossierScope } from '../../kit/access';
import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn, RelationId } from 'typeorm';
import { RatingLevel } from './channel';
import { Dossier } from './dossier.entity';

@Entity('rating')
@ObjectType({ description: "A citizen's rating of the centre's staff after service." })
export class Rating {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Index()
  @ManyToOne(() => Dossier, { nullable: true })
  dossier: Dossier | null;

  @RelationId((r: Rating) => r.dossier)
  dossierCode: string | null;

  @Field(() => RatingLevel)
  @Column({ type: 'varchar', length: 16 })
  level: RatingLevel;

  @Field(() => String, { nullable: true, description: 'Required when dissatisfied. Free text: null for callers who see persons masked.' })
  @UseMiddleware(FreeText())
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true, description: 'The staff member rated.' })
  @Column({ type: 'varchar', length: 120, nullable: true })
  officer: string | null;

  @Field(() => Date)
  @Index()
  @Column({ type: 'timestamptz' })
  ratedAt: Date;

  /** The dossier it belongs to, for access checks; set by the resolver, never stored. */
  scope?: DossierScope;
}
