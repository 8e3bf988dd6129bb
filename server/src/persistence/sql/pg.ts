/** `SqlClient` over a `pg.Pool` (real PostgreSQL). */
import pg from 'pg';
import { copyData, isCopyFrom, redactError, redactSecrets, type Queryable, type SqlClient, type SqlResult } from './client';

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
      const result = isCopyFrom(sql) ? await copyFrom(db, sql, copyData(sql, params)) : await db.query(sql, params as unknown[]);
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

/**
 * `COPY … FROM STDIN` of `data`, as one query that writes the statement, the
 * data and the end of the data at once (a simple-protocol query, one
 * CopyData message, CopyDone). It can do so before the server answers
 * because the server reads them in order: a COPY that fails before it starts
 * is answered with an error, and the server ignores the CopyData and
 * CopyDone messages that follow (outside COPY it accepts and drops them:
 * protocol docs, "COPY Operations"; `PostgresMain` in postgres.c). Written in
 * one piece, a COPY also has its place in pg's pipeline mode, where the
 * statements after it are written right behind it. (pg's own Query answers
 * the server's CopyInResponse with a CopyFail; this one has sent its data.)
 * The data goes to the socket as a string: Node encodes it there, without a
 * Buffer of it on the heap.
 */
async function copyFrom(db: pg.Pool | pg.PoolClient, sql: string, data: string): Promise<pg.QueryResult> {
  if (db instanceof pg.Pool) {
    // The pool releases a connection through the query's callback, which this query has already.
    const connection = await db.connect();
    try {
      return await copyFrom(connection, sql, data);
    } finally {
      connection.release();
    }
  }
  const length = Buffer.byteLength(data, 'utf8');
  if (length > MAX_COPY_DATA) throw new RangeError(`COPY data of ${length} bytes is more than one message holds`);
  return new Promise((resolve, reject) => {
    const query = new pg.Query(sql, (error: Error | undefined, result: unknown) => (error ? reject(error) : resolve(result as pg.QueryResult)));
    query.submit = (connection) => {
      const wire = connection as unknown as WireConnection;
      const header = Buffer.allocUnsafe(5);
      header.writeUInt8(COPY_DATA, 0);
      header.writeUInt32BE(length + 4, 1);
      wire.stream.cork();
      try {
        wire.query(sql);
        wire.stream.write(header);
        wire.stream.write(data, 'utf8');
        wire.endCopyFrom();
      } finally {
        wire.stream.uncork();
      }
    };
    (query as unknown as { handleCopyInResponse: () => void }).handleCopyInResponse = () => undefined;
    void db.query(query);
  });
}

/** The CopyData message's type byte ('d'); its length field counts itself, so one message holds less than 2³¹ bytes (and PostgreSQL takes at most 1 GB). */
const COPY_DATA = 0x64;
const MAX_COPY_DATA = 2 ** 30 - 5;

/** What of pg's connection a COPY writes through (pg/lib/connection.js). */
interface WireConnection {
  stream: { cork(): void; uncork(): void; write(chunk: Buffer | string, encoding?: BufferEncoding): boolean };
  query(text: string): void;
  endCopyFrom(): void;
}
