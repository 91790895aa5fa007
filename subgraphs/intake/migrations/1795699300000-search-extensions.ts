import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Applicant-name search that ignores Vietnamese diacritics and case: unaccent folds "Bùi Đức Trung" to
 * "Bui Duc Trung", pg_trgm indexes substrings. unaccent() is only STABLE, so an IMMUTABLE wrapper with a
 * fixed dictionary lets a generated column and its index use it.
 */
export class SearchExtensions1795699300000 implements MigrationInterface {
  name = 'SearchExtensions1795699300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(
      `CREATE OR REPLACE FUNCTION motcua_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS motcua_fold(text)`);
  }
}
