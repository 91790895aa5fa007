import type { DataSource } from 'typeorm';

/** A rollup and the recount that rebuilds it (a SQL function of the migrations), with its key and its counts. */
interface Rollup {
  table: string;
  recount: string;
  key: [string, string];
  columns: string[];
}

const ROLLUPS: Rollup[] = [
  { table: 'register_day', recount: 'register_day_recount()', key: ['department_code', 'day'],
    columns: ['online', 'direct', 'postal', 'decided', 'returned', 'returned_by_post', 'handed_digest', 'status_digest'] },
  { table: 'report_day', recount: 'report_day_recount()', key: ['department_code', 'day'],
    columns: ['received', 'early', 'on_time', 'late', 'withdrawn', 'received_digest', 'status_digest'] },
  { table: 'report_month', recount: 'report_month_recount()', key: ['department_code', 'month'],
    columns: ['received', 'finished'] },
];

export interface RollupMismatch {
  system: string;
  table: string;
  departmentCode: string;
  day: string;
  column: string;
  rollup: string;
  recount: string;
}

async function rollupsOf(db: DataSource): Promise<Rollup[]> {
  const rows: { name: string }[] = await db.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY($1)`,
    [ROLLUPS.map((r) => r.table)]);
  const present = new Set(rows.map((r) => r.name));
  return ROLLUPS.filter((r) => present.has(r.table));
}

/**
 * Recounts a system's figures from its own rows in SQL and names every difference with its rollups (a row one
 * side lacks counts as zeros there). In one snapshot, so a write in between cannot show as a mismatch.
 */
export async function verifyRollups(system: string, db: DataSource): Promise<RollupMismatch[]> {
  const found: RollupMismatch[] = [];
  await db.transaction('REPEATABLE READ', async (m) => {
    for (const r of await rollupsOf(db)) {
      const [k1, k2] = r.key;
      const cols = r.columns.map((c) => `coalesce(a.${c}, 0)::text AS "a_${c}", coalesce(b.${c}, 0)::text AS "b_${c}"`).join(', ');
      const differ = r.columns.map((c) => `coalesce(a.${c}, 0) <> coalesce(b.${c}, 0)`).join(' OR ');
      const rows: Record<string, string>[] = await m.query(
        `SELECT coalesce(a.${k1}, b.${k1}) AS k1, to_char(coalesce(a.${k2}, b.${k2}), 'YYYY-MM-DD') AS k2, ${cols}
           FROM ${r.table} a FULL JOIN ${r.recount} b ON a.${k1} = b.${k1} AND a.${k2} = b.${k2}
          WHERE ${differ} ORDER BY 1, 2`,
      );
      for (const row of rows) {
        for (const c of r.columns) {
          if (row[`a_${c}`] !== row[`b_${c}`]) {
            found.push({ system, table: r.table, departmentCode: row.k1, day: row.k2, column: c, rollup: row[`a_${c}`], recount: row[`b_${c}`] });
          }
        }
      }
    }
  });
  return found;
}

/**
 * Rebuilds a system's rollups from its rows in one transaction: the processing and dossier tables are locked
 * against writes (reads go on), so the system keeps serving and no step is counted twice or lost.
 */
export async function rebuildRollups(db: DataSource): Promise<void> {
  const present = new Set((await rollupsOf(db)).map((r) => r.table));
  await db.transaction(async (m) => {
    if (present.has('report_day')) await m.query('SELECT report_day_rebuild()');
    if (present.has('register_day')) {
      await m.query('LOCK TABLE dossier IN SHARE MODE');
      await m.query('SELECT register_day_rebuild()');
    }
  });
}
