import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { editedSnapshots, knowledgeLine, knowledgeText, lineEdit } from './arbitraries';
import { repositories } from './repositories';
import { dropTenant, provisionTenant } from './sql/migrations';
import { table } from './sql/tenant';
import { backends, useDatabase } from './testing';
import { knowledgeRows } from './testingState';
import { writeDocument, writeDocuments } from './writer';

describe.each(backends())('writer properties on $name', (backend) => {
  const db = useDatabase(backend);

  it('write(a); write(b) leaves the rows write(b) gives an empty store, and a second write(b) writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(knowledgeLine, { maxLength: 8 }), fc.array(lineEdit, { minLength: 1, maxLength: 4 }), async (lines, edits) => {
        const t = db.tenant;
        const snapshots = editedSnapshots('file:///kb/domains/tax/doc.md', 'tax', lines, edits);
        const b = snapshots[snapshots.length - 1];
        await dropTenant(db.client, t);
        await provisionTenant(db.client, t);
        for (const s of snapshots) await writeDocument(db.client, t, s);
        const incremental = await knowledgeRows(db.client, t);
        expect((await writeDocument(db.client, t, b)).changes).toEqual([]);

        // Every row the store holds has an up-to-date sync_state checksum, so the graph can catch up.
        const sync = await repositories(db.client, t).syncState.pending(100_000);
        const live = new Set(Object.values(incremental).flatMap((rows) => rows.map((r) => (r as { id: string }).id)));
        for (const id of live) expect(sync.some((s) => s.entityId === id && s.postgresChecksum !== null)).toBe(true);

        await dropTenant(db.client, t);
        await provisionTenant(db.client, t);
        await writeDocument(db.client, t, b);
        expect(await knowledgeRows(db.client, t)).toEqual(incremental);
      }),
      { numRuns: 15 },
    );
  });

  // (A document listed twice is written once, as its last snapshot: not what writing both one by one gives.)
  it('writing documents in one batch leaves the rows (and sync checksums) that writing them one by one leaves', async () => {
    const uris = ['a', 'b', 'c'].map((n) => `file:///kb/domains/tax/${n}.md`);
    const version = fc.array(knowledgeLine, { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.tuple(version, version, version), fc.uniqueArray(fc.tuple(fc.nat(2), version), { minLength: 1, maxLength: 3, selector: ([i]) => i }), async (before, writes) => {
        const t = db.tenant;
        const initial = before.map((lines, i) => parseDocument(uris[i], knowledgeText('tax', lines)));
        const batch = writes.map(([i, lines]) => parseDocument(uris[i], knowledgeText('tax', lines)));
        const state = async (write: () => Promise<unknown>) => {
          await dropTenant(db.client, t);
          await provisionTenant(db.client, t);
          for (const s of initial) await writeDocument(db.client, t, s);
          await write();
          const { rows } = await db.client.query<{ entity_id: string; postgres_checksum: string | null }>(
            `SELECT entity_id, postgres_checksum FROM ${table(t, 'sync_state')} ORDER BY entity_id`,
          );
          // Deleted rows' tombstones (checksum NULL) may differ: one by one, a row a later snapshot drops was written first.
          return { rows: await knowledgeRows(db.client, t), sync: rows.filter((r) => r.postgres_checksum !== null) };
        };
        const oneByOne = await state(async () => {
          for (const s of batch) await writeDocument(db.client, t, s);
        });
        const together = await state(() => writeDocuments(db.client, t, batch));
        expect(together).toEqual(oneByOne);
        // …and writing the batch again changes nothing.
        expect((await writeDocuments(db.client, t, batch)).changes).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
