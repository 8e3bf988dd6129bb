/** Test helper: the current knowledge rows of a tenant, minus timestamps and version bookkeeping, for comparing stores. */
import type { Queryable } from './sql/client';
import { table, type Tenant, type TenantTable } from './sql/tenant';

const BOOKKEEPING = new Set(['created_at', 'updated_at', 'version', 'previous_version', 'deleted_at']);

export async function knowledgeRows(db: Queryable, t: Tenant): Promise<Record<string, unknown[]>> {
  const state: Record<string, unknown[]> = {};
  const tables: [TenantTable, string][] = [
    ['domains', ''],
    ['documents', ''],
    ['blocks', ''],
    ['atoms', 'WHERE deleted_at IS NULL'],
    ['molecule_metadata', ''],
  ];
  for (const [name, where] of tables) {
    const { rows } = await db.query<Record<string, unknown>>(`SELECT * FROM ${table(t, name)} ${where} ORDER BY id`);
    state[name] = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !BOOKKEEPING.has(k))));
  }
  return state;
}
