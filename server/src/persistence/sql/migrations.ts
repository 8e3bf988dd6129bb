/**
 * Versioned migrations, applied per schema: each schema records what it has
 * in its own migrations table, so tenants migrate independently and running
 * twice does nothing. Every run holds a transaction-scoped advisory lock per
 * schema, so two processes migrating at once apply each version once (the
 * second waits, then finds nothing to do). PGlite has one connection: the
 * lock is trivially held. DDL is transactional: a failed migration leaves
 * the schema as it was.
 */
import type { SqlClient } from './client';
import { PUBLIC_MIGRATIONS, TENANT_MIGRATIONS, type Migration } from './schema';
import type { Tenant } from './tenant';

/** First key of the advisory locks taken here (the second is the schema's hash). */
const MIGRATION_LOCK = 0x6b6f_0001;

/** In `public` the table is `kos_schema_migrations`: another tool may own a `public.schema_migrations`. */
export async function migratePublic(client: SqlClient): Promise<number[]> {
  return migrate(client, 'public', '"public"."kos_schema_migrations"', PUBLIC_MIGRATIONS);
}

export async function migrateTenant(client: SqlClient, t: Tenant): Promise<number[]> {
  return migrate(client, t.schema, `"${t.schema}"."schema_migrations"`, TENANT_MIGRATIONS);
}

/** Registers the tenant in `public.tenants` (seed §6.2) and brings its schema up to date. Idempotent. */
export async function provisionTenant(client: SqlClient, t: Tenant, name: string = t.id): Promise<void> {
  await migratePublic(client);
  await client.query(
    `INSERT INTO "public"."tenants" (id, name, subdomain, schema_name) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    [t.rowId, name, t.id, t.schema],
  );
  await migrateTenant(client, t);
}

/** Removes the tenant's schema with everything in it, and its directory row. */
export async function dropTenant(client: SqlClient, t: Tenant): Promise<void> {
  await migratePublic(client);
  await client.transaction(async (tx) => {
    await tx.query(`DROP SCHEMA IF EXISTS "${t.schema}" CASCADE`);
    await tx.query(`DELETE FROM "public"."tenants" WHERE id = $1`, [t.rowId]);
  });
}

/** Applies the missing migrations in order; returns the versions it applied. */
async function migrate(client: SqlClient, schema: string, ledger: string, migrations: Migration[]): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, schema]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${ledger} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())`,
    );
    const { rows } = await tx.query<{ version: number }>(`SELECT version FROM ${ledger}`);
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      for (const statement of m.statements(`"${schema}"`)) await tx.query(statement);
      await tx.query(`INSERT INTO ${ledger} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      done.push(m.version);
    }
    return done;
  });
}
