/**
 * Tenant-scoped repositories (seed §5, §6.4). A repository is bound to a
 * validated tenant and a `Queryable` (a client, or a transaction), reads only
 * that tenant's schema, and passes every value as a parameter: the SQL texts
 * below are constants, the schema name comes from `table()`.
 */
import type { Queryable } from '../sql/client';
import { table, type Tenant, type TenantTable } from '../sql/tenant';

/** `a_b, c` → `a_b AS "aB", c AS "c"`: rows come back camel-cased. */
export function selectList(columns: string): string {
  return columns
    .split(',')
    .map((c) => c.trim())
    .map((c) => `${c} AS "${c.replace(/_([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())}"`)
    .join(', ');
}

/** The alias of the queried table in `select()` (for subqueries on the same table). */
export const ROW = 'r';

export interface ListOptions {
  /** Include soft-deleted rows (tables with `deleted_at`). */
  includeDeleted?: boolean;
}

export abstract class TenantRepository<Row> {
  protected abstract readonly tableName: TenantTable;
  protected abstract readonly columns: string;

  constructor(
    protected readonly db: Queryable,
    readonly tenant: Tenant,
  ) {}

  protected get from(): string {
    return table(this.tenant, this.tableName);
  }

  protected map(row: Record<string, unknown>): Row {
    return row as Row;
  }

  /** `SELECT <columns> FROM <this tenant's table> <rest>`; `rest` is SQL from code, values go in `params`. */
  protected async select(rest: string, params: readonly unknown[] = []): Promise<Row[]> {
    const sql = `SELECT ${selectList(this.columns)} FROM ${this.from} ${ROW} ${rest}`;
    const { rows } = await this.db.query<Record<string, unknown>>(sql, params);
    return rows.map((r) => this.map(r));
  }

  protected async selectOne(rest: string, params: readonly unknown[]): Promise<Row | null> {
    return (await this.select(rest, params))[0] ?? null;
  }

  findById(id: string): Promise<Row | null> {
    return this.selectOne('WHERE id = $1', [id]);
  }
}
