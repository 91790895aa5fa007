import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The code given to an imported dossier that came without one, by the line's content: a re-run reuses it. */
@Entity('imported_line')
export class ImportedLine {
  @PrimaryColumn({ type: 'char', length: 64 })
  lineHash: string;

  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  importedAt: Date;
}
