import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A department's move from the one-stop system to a system of its own (npm run department:move): where its copy
 * has got to, so that a move interrupted resumes there, and when the register switched its dossiers over.
 */
export class DepartmentMove1797400000101 implements MigrationInterface {
  name = 'DepartmentMove1797400000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE department_move (
      department_code varchar(16) PRIMARY KEY REFERENCES department (code),
      to_system varchar(32) NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      copied_through varchar(40),
      cut_over_at timestamptz,
      dossiers integer)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE department_move`);
  }
}
