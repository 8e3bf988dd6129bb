import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends, useDatabase } from '../testing';
import { createPgliteClient } from './pglite';
import { table } from './tenant';

describe.each(backends())('SqlClient on $name', (backend) => {
  const db = useDatabase(backend);

  it('commits a transaction, and rolls back one that throws', async () => {
    const domains = table(db.tenant, 'domains');
    const insert = `INSERT INTO ${domains} (tenant_id, name, path) VALUES ($1, $2, $3)`;
    await db.client.transaction((tx) => tx.query(insert, [db.tenant.rowId, 'kept', '/kept/']));
    const failure = await db.client
      .transaction(async (tx) => {
        await tx.query(insert, [db.tenant.rowId, 'lost', '/lost/']);
        throw new Error('boom');
      })
      .catch((e: Error) => e.message);
    expect(failure).toBe('boom');
    const { rows } = await db.client.query<{ name: string }>(`SELECT name FROM ${domains} ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['kept']);
    // The connection is usable after a rollback, and SQL errors surface as errors.
    await expect(db.client.transaction((tx) => tx.query('SELECT * FROM no_such_table'))).rejects.toThrow(/no_such_table/);
    expect((await db.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('PGlite data directory', () => {
  it('persists across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kos-pglite-'));
    try {
      const first = await createPgliteClient(dir);
      await first.query('CREATE TABLE kept (v TEXT)');
      await first.query('INSERT INTO kept VALUES ($1)', ['hello']);
      await first.close();
      const second = await createPgliteClient(dir);
      expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'hello' }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
