/** `SqlClient` over PGlite: PostgreSQL in-process (WebAssembly), in memory or in a data directory. */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { copyData, isCopyFrom, type Queryable, type SqlClient, type SqlResult } from './client';

/** `dataDir`: a directory to persist to; omitted → in memory. */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  const db = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  const run = async <Row>(target: PGlite | Transaction, sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> => {
    // PGlite reads a COPY's data from the blob given with the query, named `/dev/blob`.
    const result = isCopyFrom(sql)
      ? await target.query<Row>(sql.replace(/STDIN\s*$/i, "'/dev/blob'"), [], { blob: new Blob([copyData(sql, params)]) })
      : await target.query<Row>(sql, params as unknown[]);
    return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
  };
  return {
    backend: 'pglite',
    query: (sql, params) => run(db, sql, params),
    // PGlite's own transaction issues BEGIN / COMMIT / ROLLBACK and holds its single connection meanwhile.
    transaction: (fn) => db.transaction((t) => fn({ query: (sql, params) => run(t, sql, params) } satisfies Queryable)),
    close: () => db.close(),
  };
}
