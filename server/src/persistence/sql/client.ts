/**
 * The one SQL interface the persistence layer talks to, implemented by
 * `pg.ts` (a pooled connection to a real server) and `pglite.ts` (PostgreSQL
 * compiled to WebAssembly, in-process). Parameters are always passed
 * separately from the SQL text (`$1`, `$2`…): no value is ever spliced in.
 */

export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

export interface Queryable {
  /**
   * Runs one statement. A `COPY <table> (<columns>) FROM STDIN` statement
   * (`isCopyFrom`) takes its rows, in COPY's text format (lines of `copyLine`), as its
   * one parameter; its `rowCount` is the rows copied.
   */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

const COPY_FROM_STDIN = /^\s*COPY\s[\s\S]*\sFROM\s+STDIN\s*$/i;

/** Whether `sql` is a `COPY … FROM STDIN` statement, whose data is its one parameter. */
export function isCopyFrom(sql: string): boolean {
  return COPY_FROM_STDIN.test(sql);
}

/** The data parameter of a `COPY … FROM STDIN` statement (a string, COPY's text format). */
export function copyData(sql: string, params: readonly unknown[] | undefined): string {
  const data = params?.[0];
  if (params?.length !== 1 || typeof data !== 'string') throw new TypeError(`COPY … FROM STDIN takes its rows as one text parameter: ${sql.slice(0, 80)}`);
  return data;
}

export interface SqlClient extends Queryable {
  readonly backend: 'pg' | 'pglite';
  /**
   * Runs `fn` between BEGIN and COMMIT on one connection; ROLLBACK when it
   * throws (the error is rethrown). Statements issued through `client`
   * itself meanwhile run outside the transaction (pg) or wait for it (PGlite).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `scheme://user:password@host` → `scheme://user:***@host`, anywhere in a text. */
export function redactSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, '$1:***@').replace(/(password=)[^&\s]*/gi, '$1***');
}

/** The same error with credentials removed from its message and stack (driver errors may quote the connection string). */
export function redactError(error: unknown): unknown {
  if (!(error instanceof Error)) return new Error(redactSecrets(String(error)));
  error.message = redactSecrets(error.message);
  if (error.stack) error.stack = redactSecrets(error.stack);
  // Node's invalid-URL errors carry the whole input.
  if ('input' in error) (error as { input?: unknown }).input = redactSecrets(String((error as { input?: unknown }).input));
  return error;
}
