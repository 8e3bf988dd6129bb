import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import type { Queryable, SqlClient } from './sql/client';
import { table, type Tenant } from './sql/tenant';
import { backends, useDatabase } from './testing';
import { knowledgeRows } from './testingState';
import { writeDocument } from './writer';

const URI = 'file:///kb/domains/tax/rates.md';
const V1 = '# Rates\n\n- **Top Rate**: 30%\n- **Floor**: 1%\n- IF [[Amount]] > 5000 THEN [[Top Rate]] = 20%\n\nA payment of $100 has 10% withheld.\n';
const V2 = '# Rates\n\n- **Top Rate**: 35%\n- [[Top Rate]] MUST BE <= 40%\n\nA payment of $200 has 12% withheld.\n';

/** A client whose transactions fail at their `n`-th statement (before running it). */
function failingAt(client: SqlClient, n: number): SqlClient {
  return {
    ...client,
    transaction(fn) {
      let count = 0;
      return client.transaction((tx) =>
        fn({
          query(sql, params) {
            if (++count === n) throw new Error(`injected failure at statement ${n}`);
            return tx.query(sql, params);
          },
        } satisfies Queryable),
      );
    },
  };
}

async function state(db: Queryable, t: Tenant): Promise<unknown> {
  const sync = await db.query(`SELECT entity_type, entity_id, postgres_version, postgres_checksum, sync_status FROM ${table(t, 'sync_state')} ORDER BY entity_id`);
  const atoms = await db.query(`SELECT id, version, previous_version, deleted_at FROM ${table(t, 'atoms')} ORDER BY id`);
  return { rows: await knowledgeRows(db, t), sync: sync.rows, atoms: atoms.rows };
}

describe.each(backends())('atomicity on $name', (backend) => {
  const db = useDatabase(backend);

  it('a write failing at any statement leaves the previous document intact', async () => {
    const t = await db.newTenant();
    await writeDocument(db.client, t, parseDocument(URI, V1));
    const before = await state(db.client, t);
    let n = 1;
    for (; ; n++) {
      const outcome = await writeDocument(failingAt(db.client, n), t, parseDocument(URI, V2)).catch((e: Error) => e);
      if (!(outcome instanceof Error)) break;
      expect(outcome.message).toBe(`injected failure at statement ${n}`);
      expect(await state(db.client, t)).toEqual(before);
    }
    expect(n).toBeGreaterThan(8); // every statement of the write was a failure point
    expect(await state(db.client, t)).not.toEqual(before);
  });

  // Only a server process holds a transaction another process can be killed in the middle of.
  if (backend.name === 'pg') describe('killed mid-transaction', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kos-crash-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a process killed mid-write leaves the previous document intact and releases its locks', async () => {
      const t = await db.newTenant();
      await writeDocument(db.client, t, parseDocument(URI, V1));
      const before = await state(db.client, t);
      const child = join(dir, 'crashChild.cjs');
      await build({ entryPoints: [join(__dirname, 'crashChild.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: child, external: ['pg'], logLevel: 'silent' });
      const url = process.env.KNOWLEDGE_TEST_POSTGRES_URL!;
      for (const stallAfter of [3, 6, 9]) {
        const proc = spawn(process.execPath, [child, JSON.stringify({ url, tenantId: t.id, uri: URI, text: V2, stallAfter })], {
          env: { ...process.env, NODE_PATH: join(__dirname, '../../../node_modules') },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const said = await new Promise<string>((resolve) => {
          proc.stdout.on('data', (d: Buffer) => resolve(d.toString().trim()));
          proc.on('exit', (code) => resolve(`exited with ${code}`));
        });
        expect(said).toBe('stalled');
        proc.kill('SIGKILL');
        await new Promise((resolve) => proc.on('exit', resolve));
        expect(await state(db.client, t)).toEqual(before);
      }
      // The dead writers' transactions and advisory locks are gone: the next write goes through.
      expect((await writeDocument(db.client, t, parseDocument(URI, V2))).changes.length).toBeGreaterThan(0);
      expect(await state(db.client, t)).not.toEqual(before);
    });
  });
});
