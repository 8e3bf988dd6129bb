/** `SqlClient` over a `pg.Pool` (real PostgreSQL). */
import pg from 'pg';
import { redactError, redactSecrets, type Queryable, type SqlClient, type SqlResult } from './client';

export interface PgOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Errors of idle pooled connections (server restart…), already redacted; default: ignored, the next query fails instead. */
  onIdleError?: (error: Error) => void;
}

export function createPgClient(url: string, options: PgOptions = {}): SqlClient {
  try {
    new URL(url);
  } catch {
    throw new Error(`invalid PostgreSQL URL: ${redactSecrets(url)}`);
  }
  // Pipeline mode: queries issued without waiting (the writer's, inside one transaction) are written at once, each
  // run when the one before it ends, so the server never waits for the client between them.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, pipeline: true });
  pool.on('error', (error) => options.onIdleError?.(redactError(error) as Error));

  const run = async <Row>(db: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> => {
    try {
      const result = await db.query(sql, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      throw redactError(error);
    }
  };

  return {
    backend: 'pg',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      let connection: pg.PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw redactError(error);
      }
      const tx: Queryable = { query: (sql, params) => run(connection, sql, params) };
      try {
        await run(connection, 'BEGIN');
        const result = await fn(tx);
        await run(connection, 'COMMIT');
        connection.release();
        return result;
      } catch (error) {
        // A connection whose ROLLBACK fails is in an unknown state: destroy it rather than return it to the pool.
        const broken = await run(connection, 'ROLLBACK').then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        connection.release(broken);
        throw error;
      }
    },
    close: () => pool.end(),
  };
}
