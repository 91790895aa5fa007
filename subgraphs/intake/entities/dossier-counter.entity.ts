import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last dossier number given per unit and day; incremented in the transaction that registers. */
@Entity('dossier_counter')
export class DossierCounter {
  @PrimaryColumn({ type: 'varchar', length: 24 })
  unitCode: string;

  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'int' })
  last: number;
}
