import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editedSnapshots, knowledgeLine, lineEdit } from './arbitraries';
import { repositories } from './repositories';
import { dropTenant, provisionTenant } from './sql/migrations';
import { backends, useDatabase } from './testing';
import { knowledgeRows } from './testingState';
import { writeDocument } from './writer';

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
});
