import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { sortGraph, toGraph, type DocumentGraph } from '../graph/model';
import { Neo4jGraphStore } from '../graph/neo4j';
import type { GraphStore } from '../graph/store';
import { atomId, documentId } from '../persistence/ids';
import { repositories } from '../persistence/repositories';
import type { SqlClient } from '../persistence/sql/client';
import { table, type Tenant } from '../persistence/sql/tenant';
import { backends, useDatabase } from '../persistence/testing';
import { removeDocument, writeDocument } from '../persistence/writer';
import { sourceChecksum, writeDocumentWithSource } from './sources';
import { closedPort, graphBackends } from './testing';
import { drainSyncState } from './worker';

const RATES = 'file:///kb/domains/tax/rates.md';
const FORMS = 'file:///kb/domains/tax/forms.md';
const RATES_TEXT = `# Rates

- **Withholding Rate**: 10%
- **Jurisdiction**: one of Quebec, Ontario

Some prose.

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 15% {block}
- [[Withholding Rate]] MUST BE <= 30%
`;
const FORMS_TEXT = `# Forms

- [[Lump-Sum Withdrawal]] REQUIRES [[Withholding Rate]], [[SIN]]
`;

async function write(db: { client: Parameters<typeof writeDocumentWithSource>[0] }, t: Tenant, uri: string, text: string) {
  return writeDocumentWithSource(db.client, t, parseDocument(uri, text), text);
}

describe.each(backends())('sync worker on $name', (backend) => {
  describe.each(graphBackends())('into $name', (graphBackend) => {
    const db = useDatabase(backend);
    let graph: GraphStore;
    beforeAll(async () => void (graph = await graphBackend.open()));
    afterAll(async () => {
      await graph?.clearTenant(db.tenant.id);
      await graph?.close();
    });
    const status = async (t: Tenant) =>
      (
        await db.client.query<{ sync_status: string; n: number }>(
          `SELECT sync_status, count(*)::int AS n FROM ${table(t, 'sync_state')} GROUP BY sync_status ORDER BY sync_status`,
        )
      ).rows;
    /** Atoms are compared by id: a shared atom carries the value its defining document gives it. */
    const expectGraphHolds = async (t: Tenant, uri: string, text: string) => {
      const shape = (g: DocumentGraph | null) => g && { ...g, atoms: g.atoms.map((a) => a.id) };
      expect(shape(await graph.readDocument(t.id, documentId(t.id, uri)))).toEqual(shape(sortGraph(toGraph(t.id, parseDocument(uri, text)))));
    };

    it('drains pending rows into the graph and marks them synced', async () => {
      const t = db.tenant;
      const written = [await write(db, t, RATES, RATES_TEXT), await write(db, t, FORMS, FORMS_TEXT)];
      const rows = written.flatMap((w) => w.changes).length;
      const result = await drainSyncState(db.client, t, graph);
      // The arrays PostgreSQL wrote agree with the graph built from the same source: nothing to reflect.
      expect(result).toMatchObject({ rows, synced: rows, failed: 0, documents: 2, errors: [], reflected: { molecules: 0, blocks: 0 } });
      await expectGraphHolds(t, RATES, RATES_TEXT);
      await expectGraphHolds(t, FORMS, FORMS_TEXT);
      expect(await status(t)).toEqual([{ sync_status: 'synced', n: rows }]);
      const row = await repositories(db.client, t).syncState.find('document', documentId(t.id, RATES));
      expect(row).toMatchObject({ syncStatus: 'synced', neo4jVersion: row!.postgresVersion, neo4jChecksum: row!.postgresChecksum, syncError: null });
      expect(row!.lastSyncAttempt).toBeInstanceOf(Date);
      const impact = await graph.impact(t.id, atomId(t.id, 'tax', 'withholding rate'), 3);
      expect(impact!.documents.map((d) => d.uri).sort()).toEqual([FORMS, RATES]);
    });

    it('is idempotent: draining again, or rewriting the same text, changes nothing', async () => {
      const t = db.tenant;
      const before = await graph.stats(t.id);
      expect(await drainSyncState(db.client, t, graph)).toEqual({ rows: 0, synced: 0, failed: 0, documents: 0, errors: [], reflected: { molecules: 0, blocks: 0 } });
      expect((await write(db, t, RATES, RATES_TEXT)).changes).toEqual([]);
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ rows: 0, documents: 0 });
      expect(await graph.stats(t.id)).toEqual(before);
    });

    it('follows edits and removed documents', async () => {
      const t = db.tenant;
      const edited = RATES_TEXT.replace('Some prose.\n\n', '');
      expect((await write(db, t, RATES, edited)).changes.some((c) => c.op === 'delete')).toBe(true);
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ failed: 0, documents: 1 });
      await expectGraphHolds(t, RATES, edited);
      await removeDocument(db.client, t, FORMS);
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ failed: 0, documents: 1 });
      expect(await graph.readDocument(t.id, documentId(t.id, FORMS))).toBeNull();
      expect(await status(t)).toEqual([{ sync_status: 'synced', n: expect.any(Number) }]);
    });

    it('takes over rows a crashed worker left syncing', async () => {
      const t = db.tenant;
      await write(db, t, FORMS, FORMS_TEXT);
      await db.client.query(`UPDATE ${table(t, 'sync_state')} SET sync_status = 'syncing', last_sync_attempt = NOW() WHERE sync_status = 'pending'`);
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ rows: 0 });
      const later = () => new Date(Date.now() + 3_600_000);
      expect(await drainSyncState(db.client, t, graph, { now: later })).toMatchObject({ failed: 0, documents: 1 });
      await expectGraphHolds(t, FORMS, FORMS_TEXT);
      expect((await status(t)).map((s) => s.sync_status)).toEqual(['synced']);
    });
  });
});

describe.each(backends())('sync worker on $name with the graph down', (backend) => {
  const db = useDatabase(backend);
  const password = 'pa55-w0rd-s3cret';

  it('leaves rows failed with a redacted error, retrying with backoff, and drains them once a store works', async () => {
    const t = db.tenant;
    await write(db, t, RATES, RATES_TEXT);
    await writeDocument(db.client, t, parseDocument(FORMS, FORMS_TEXT)); // without its source: can never be pushed
    const url = `bolt://neo4j:${password}@127.0.0.1:${await closedPort()}`;
    const driver = neo4j.driver(url, neo4j.auth.basic('neo4j', password), { maxTransactionRetryTime: 0, logging: { level: 'error', logger: () => {} } });
    const down = new Neo4jGraphStore(driver);
    const delays: number[] = [];
    const failing = await drainSyncState(db.client, t, down, { attempts: 3, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms), secrets: [password] });
    await down.close();
    expect(delays).toEqual([100, 200]);
    expect(failing).toMatchObject({ synced: 0, documents: 0 });
    expect(failing.failed).toBe(failing.rows);
    const rows = await repositories(db.client, t).syncState.pending();
    expect(rows.length).toBe(failing.rows);
    for (const row of rows) {
      expect(row.syncStatus).toBe('failed');
      expect(row.syncError).toBeTruthy();
      expect(row.syncError).not.toContain(password);
    }
    const formsRow = rows.find((r) => r.entityType === 'document' && r.entityId === documentId(t.id, FORMS));
    expect(formsRow!.syncError).toMatch(/without its source text/);

    // A new worker (as after a restart: the state is in PostgreSQL) with a working store.
    const { MemoryGraphStore } = await import('../graph/memory');
    const working = new MemoryGraphStore();
    await write(db, t, FORMS, FORMS_TEXT);
    const drained = await drainSyncState(db.client, t, working);
    expect(drained).toMatchObject({ failed: 0, documents: 2, errors: [] });
    expect(await repositories(db.client, t).syncState.pending()).toEqual([]);
    expect(await working.readDocument(t.id, documentId(t.id, RATES))).toEqual(sortGraph(toGraph(t.id, parseDocument(RATES, RATES_TEXT))));
  });
});

describe('sync worker batches', () => {
  const db = useDatabase(backends()[0]);
  const uris = Array.from({ length: 5 }, (_, i) => `file:///kb/domains/tax/doc${i}.md`);
  const text = (i: number) => `# Doc ${i}\n\n- **Rate ${i}**: ${i}%\n- [[Rate ${i}]] MUST BE <= 30%\n`;

  it('pushes a failed batch again one document at a time: the others land, the bad one alone stays failed', async () => {
    const t = db.tenant;
    for (const [i, uri] of uris.entries()) await write(db, t, uri, text(i));
    const { MemoryGraphStore } = await import('../graph/memory');
    const inner = new MemoryGraphStore();
    const bad = documentId(t.id, uris[2]);
    const calls: number[] = [];
    const rejecting: GraphStore = Object.assign(Object.create(inner) as GraphStore, {
      replaceDocuments: async (tenant: string, graphs: DocumentGraph[]) => {
        calls.push(graphs.length);
        if (graphs.some((g) => g.document.id === bad)) throw new Error('rejected');
        return inner.replaceDocuments(tenant, graphs);
      },
    });
    const result = await drainSyncState(db.client, t, rejecting, { batchSize: 5, attempts: 2, sleep: async () => {} });
    expect(calls).toEqual([5, 1, 1, 1, 1, 1]);
    expect(result).toMatchObject({ documents: 4, errors: [{ documentId: bad, error: 'rejected' }] });
    for (const [i, uri] of uris.entries()) {
      const held = await inner.readDocument(t.id, documentId(t.id, uri));
      expect(held === null).toBe(i === 2);
    }
    const failed = await repositories(db.client, t).syncState.pending();
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.syncStatus === 'failed')).toBe(true);
    expect(await drainSyncState(db.client, t, inner)).toMatchObject({ failed: 0, documents: 1 });
  });

  it("claims a batch's rows as it pushes it and marks them synced right after, pushing again a batch whose rows could not be marked", async () => {
    const t = db.tenant;
    const marks = Array.from({ length: 6 }, (_, i) => `file:///kb/domains/marks/m${i}.md`);
    for (const [i, uri] of marks.entries()) await write(db, t, uri, text(10 + i));
    const statusOf = async (uri: string) =>
      (
        await db.client.query<{ sync_status: string }>(`SELECT sync_status FROM ${table(t, 'sync_state')} WHERE entity_type = 'document' AND entity_id = $1`, [
          documentId(t.id, uri),
        ])
      ).rows[0]?.sync_status;
    const { MemoryGraphStore } = await import('../graph/memory');
    const inner = new MemoryGraphStore();
    const seen: string[][] = [];
    const watching: GraphStore = Object.assign(Object.create(inner) as GraphStore, {
      replaceDocuments: async (tenant: string, graphs: DocumentGraph[]) => {
        seen.push(await Promise.all(marks.map(statusOf)));
        return inner.replaceDocuments(tenant, graphs);
      },
    });
    // The first UPDATE to 'synced' fails, as when the connection drops right after the graph took the batch.
    let failOnce = true;
    const flaky: SqlClient = Object.assign(Object.create(db.client) as SqlClient, {
      query: (sql: string, params?: unknown[]) => {
        if (failOnce && sql.includes("sync_status = 'synced'")) {
          failOnce = false;
          return Promise.reject(new Error('connection lost'));
        }
        return db.client.query(sql, params);
      },
    });
    const result = await drainSyncState(flaky, t, watching, { batchSize: 3, attempts: 2, sleep: async () => {} });
    expect(failOnce).toBe(false);
    expect(result).toMatchObject({ failed: 0, documents: 6, errors: [] });
    // Batches [0-2] (its rows unmarked), [3-5], then 0, 1 and 2 again one at a time; each claims its rows first.
    expect(seen.map((s) => s.join(' '))).toEqual([
      'syncing syncing syncing pending pending pending',
      'syncing syncing syncing syncing syncing syncing',
      'syncing syncing syncing synced synced synced',
      'synced syncing syncing synced synced synced',
      'synced synced syncing synced synced synced',
    ]);
    expect(await repositories(db.client, t).syncState.pending()).toEqual([]);
    const statuses = await db.client.query<{ sync_status: string }>(`SELECT DISTINCT sync_status FROM ${table(t, 'sync_state')}`);
    expect(statuses.rows).toEqual([{ sync_status: 'synced' }]);
  });

  it('leaves rows written again between its read and its claim pending for the next drain, claiming the rest', async () => {
    const t = db.tenant;
    const uri = 'file:///kb/domains/race/doc.md';
    await write(db, t, uri, text(20));
    const { MemoryGraphStore } = await import('../graph/memory');
    const inner = new MemoryGraphStore();
    let rewritten = false;
    const racing: SqlClient = Object.assign(Object.create(db.client) as SqlClient, {
      query: async (sql: string, params?: unknown[]) => {
        if (!rewritten && sql.includes("SET sync_status = 'syncing'")) {
          rewritten = true;
          await write(db, t, uri, text(21)); // another editor saves the document while this drain has read its rows
        }
        return db.client.query(sql, params);
      },
    });
    const first = await drainSyncState(racing, t, inner);
    expect(rewritten).toBe(true);
    expect(first.failed).toBe(0);
    const statuses = async () =>
      (await db.client.query<{ sync_status: string }>(`SELECT DISTINCT sync_status FROM ${table(t, 'sync_state')} ORDER BY 1`)).rows.map((r) => r.sync_status);
    expect(await statuses()).toEqual(['pending', 'synced']);
    const second = await drainSyncState(db.client, t, inner);
    expect(second).toMatchObject({ failed: 0, documents: 1 });
    expect(await statuses()).toEqual(['synced']);
    expect(await inner.readDocument(t.id, documentId(t.id, uri))).toEqual(sortGraph(toGraph(t.id, parseDocument(uri, text(21)))));
  });

  it('takes the graphs the caller holds instead of parsing the stored source', async () => {
    const t = db.tenant;
    const { MemoryGraphStore } = await import('../graph/memory');
    const graph = new MemoryGraphStore();
    const edited = text(0).replace('0%', '5%');
    await write(db, t, uris[0], edited);
    // Not what parsing the source gives, so that the test sees which graph was pushed.
    const given = toGraph(t.id, parseDocument(uris[0], `${edited}\n- **Held By The Caller**: 1%\n`));
    const asked: [string, string][] = [];
    const result = await drainSyncState(db.client, t, graph, {
      graphOf: (uri, sum) => {
        asked.push([uri, sum]);
        return uri === uris[0] ? given : undefined;
      },
    });
    expect(result).toMatchObject({ failed: 0, errors: [] });
    expect(asked).toContainEqual([uris[0], sourceChecksum(edited)]);
    expect(await graph.readDocument(t.id, documentId(t.id, uris[0]))).toEqual(sortGraph(given));
  });
});
