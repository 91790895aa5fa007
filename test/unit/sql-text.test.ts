import { withoutLiterals } from '../../subgraphs/kit/telemetry/sql';

/** What of a statement a span may carry: its shape, never a value. */
describe('statement text without literals', () => {
  it('when a statement is parameterised, then its text is kept as it is', () => {
    const sql = 'SELECT "d"."code" AS "d_code", "d"."x1" FROM "dossier" "d" WHERE "d"."code" = $1 AND d.n IN ($2, $3) LIMIT $10';
    expect(withoutLiterals(sql)).toBe(sql);
  });

  it('when a statement holds string literals, then each becomes ? with its escaped quotes', () => {
    expect(withoutLiterals(`SELECT 1 FROM dossier WHERE name = 'Bùi Đức Trung' AND note = 'it''s' AND e = E'a\\'b'`)).toBe(
      `SELECT ? FROM dossier WHERE name = ? AND note = ? AND e = ?`,
    );
  });

  it('when a statement holds numbers, dollar-quoted text or comments, then none of it remains', () => {
    expect(withoutLiterals(`SELECT t2.a FROM t2 WHERE id_number = 056080001234 AND x > 1.5e3 -- 056080001234\nAND y = $$secret$$ AND z = $q$Bùi$q$ /* Bùi */`)).toBe(
      `SELECT t2.a FROM t2 WHERE id_number = ? AND x > ? \nAND y = ? AND z = ? `,
    );
  });

  it('when a double-quoted identifier holds a quote or digits, then it is kept', () => {
    expect(withoutLiterals(`SELECT "it's" , "col2" FROM "t" WHERE "a" = 'v'`)).toBe(`SELECT "it's" , "col2" FROM "t" WHERE "a" = ?`);
  });
});
