import { describe, expect, it } from 'vitest';
import { backends, uniqueTenant, useDatabase } from '../testing';
import { dropTenant, migrateTenant, provisionTenant } from './migrations';
import { TENANT_MIGRATIONS } from './schema';
import { table } from './tenant';

describe.each(backends())('migrations on $name', (backend) => {
  const db = useDatabase(backend, 0);

  it('creates the seed tables in the tenant schema, once', async () => {
    const t = uniqueTenant();
    try {
      await provisionTenant(db.client, t);
      expect(await migrateTenant(db.client, t)).toEqual([]);
      await provisionTenant(db.client, t);
      const { rows } = await db.client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [t.schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual(['atoms', 'blocks', 'documents', 'domains', 'molecule_metadata', 'schema_migrations', 'sync_state']);
      const ledger = await db.client.query<{ version: number }>(`SELECT version FROM ${table(t, 'schema_migrations')}`);
      expect(ledger.rows.map((r) => r.version)).toEqual(TENANT_MIGRATIONS.map((m) => m.version));
      const registered = await db.client.query(`SELECT schema_name, subdomain, status, plan_type FROM public.tenants WHERE id = $1`, [t.rowId]);
      expect(registered.rows).toEqual([{ schema_name: t.schema, subdomain: t.id, status: 'active', plan_type: 'starter' }]);
    } finally {
      await dropTenant(db.client, t);
    }
    const gone = await db.client.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = $1`, [t.schema]);
    expect(gone.rows).toEqual([]);
  });

  it('applies each version once when several migrations race', async () => {
    const t = uniqueTenant();
    try {
      const runs = await Promise.all([1, 2, 3, 4].map(() => provisionTenant(db.client, t).then(() => migrateTenant(db.client, t))));
      expect(runs.flat()).toEqual([]);
      const ledger = await db.client.query(`SELECT version FROM ${table(t, 'schema_migrations')}`);
      expect(ledger.rows).toHaveLength(TENANT_MIGRATIONS.length);
    } finally {
      await dropTenant(db.client, t);
    }
  });
});
