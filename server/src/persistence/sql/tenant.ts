/**
 * Tenants (seed §6.2: schema-per-tenant). A tenant id is validated once,
 * here, and becomes the schema `tenant_<id>`; SQL names tables only through
 * `table()`, so no caller-provided text ever reaches an identifier.
 */
import { tenantRowId } from '../ids';

const TENANT_ID = /^[a-z][a-z0-9_]{0,39}$/;

export interface Tenant {
  /** The validated identifier (`acme`). */
  readonly id: string;
  /** `tenant_acme`. */
  readonly schema: string;
  /** The tenant's row in `public.tenants`, also the value of every `tenant_id` column. */
  readonly rowId: string;
}

export class InvalidTenantError extends Error {
  override name = 'InvalidTenantError';
}

export function tenant(id: string): Tenant {
  if (typeof id !== 'string' || !TENANT_ID.test(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}…` : id) : typeof id;
    throw new InvalidTenantError(`invalid tenant id ${shown}: expected a lower-case letter, then up to 39 lower-case letters, digits or underscores`);
  }
  return { id, schema: `tenant_${id}`, rowId: tenantRowId(id) };
}

export type TenantTable = 'domains' | 'documents' | 'blocks' | 'atoms' | 'molecule_metadata' | 'sync_state' | 'schema_migrations';

/** `"tenant_acme"."atoms"`: the schema name is validated, the table name a literal from code. */
export function table(t: Tenant, name: TenantTable): string {
  return `"${t.schema}"."${name}"`;
}
