import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits, parseDocument } from '../core/document';
import { atomId, blockRowId, documentId, domainId, rootBlockId } from './ids';
import { repositories } from './repositories';
import { table } from './sql/tenant';
import { backends, useDatabase } from './testing';
import { removeDocument, writeDocument } from './writer';

const EXAMPLE = join(__dirname, '../../../examples/rrsp/domains/tax/withholding-rates.md');
const EXAMPLE_URI = 'file:///kb/domains/tax/withholding-rates.md';

describe.each(backends())('writer on $name', (backend) => {
  const db = useDatabase(backend);

  it('round-trips the parsed example', async () => {
    const t = db.tenant;
    const doc = parseDocument(EXAMPLE_URI, readFileSync(EXAMPLE, 'utf8'));
    const result = await writeDocument(db.client, t, doc);
    const repo = repositories(db.client, t);

    const stored = await repo.documents.findByUri(EXAMPLE_URI);
    expect(stored).toMatchObject({
      id: documentId(t.id, EXAMPLE_URI),
      tenantId: t.rowId,
      domainId: domainId(t.id, 'tax'),
      title: 'RRSP Lump-Sum Withholding — Rate Schedule',
      properties: { domain: 'tax', title: 'RRSP Lump-Sum Withholding — Rate Schedule' },
      rootBlockId: rootBlockId(t.id, EXAMPLE_URI),
    });
    expect(await repo.domains.findByName('tax')).toMatchObject({ name: 'tax', path: '/domains/tax/' });

    const blocks = await repo.blocks.listByDocument(stored!.id);
    expect(blocks).toHaveLength(doc.blocks.length + 1);
    expect(blocks[0]).toMatchObject({ blockType: 'page', parentType: 'document', parentId: null, hasChildren: true });
    doc.blocks.forEach((b, i) => {
      const row = blocks[i + 1];
      expect(row.id).toBe(blockRowId(t.id, EXAMPLE_URI, b.id));
      expect(row.blockType).toBe(b.type);
      expect(row.content).toEqual(b.content);
      expect(row.parentId).toBe(b.parentId === null ? stored!.rootBlockId : blockRowId(t.id, EXAMPLE_URI, b.parentId));
    });

    // Values: typed columns, queryable.
    expect(await repo.atoms.findByName('tax', 'lower threshold')).toMatchObject({ atomType: 'NumberAtom', numberValue: 5000, unit: '$', source: 'manual', confidence: 1, version: 1 });
    expect(await repo.atoms.findByName('tax', 'Quebec Provincial Rate')).toMatchObject({ numberValue: 0.14, unit: 'percent' });
    expect((await repo.atoms.findByName('tax', 'Rates Effective'))!.dateValue!.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(await repo.atoms.findByName('tax', 'Rates Include Provincial Tax Outside Quebec')).toMatchObject({ atomType: 'BooleanAtom', booleanValue: true });
    expect(await repo.atoms.findByName('tax', 'Jurisdiction')).toMatchObject({ atomType: 'TextAtom', textValue: null });
    expect(((await repo.atoms.findByName('tax', 'Jurisdiction'))!.oneOf as { value: string }[]).map((v) => v.value)).toEqual([
      'Quebec',
      'Ontario',
      'Alberta',
      'British Columbia',
    ]);
    const rates = await repo.atoms.whereNumber('>', 0.2, 'percent');
    expect(rates.filter((a) => a.source === 'manual').map((a) => a.name)).toEqual(['Non-Resident Rate']);
    expect(rates.filter((a) => a.source === 'heuristic').every((a) => a.numberValue! > 0.2)).toBe(true);
    const heuristic = (await repo.atoms.listByDocument(stored!.id)).filter((a) => a.source === 'heuristic');
    expect(heuristic.length).toBe(doc.extracted.length);
    expect(heuristic.every((a) => a.confidence < 1 && a.name === null)).toBe(true);

    // Molecules: one per rule and table row, linked to their atoms and blocks.
    const molecules = await repo.molecules.listByDocument(stored!.id);
    expect(molecules).toHaveLength(doc.molecules.length);
    const rate = atomId(t.id, 'tax', 'withholding rate');
    const usingRate = await repo.molecules.containingAtom(rate);
    expect(usingRate.filter((m) => m.moleculeType === 'ConditionMolecule')).toHaveLength(7);
    const limits = usingRate.filter((m) => m.moleculeType === 'ConstraintMolecule');
    expect(limits.map((m) => m.enforcementLevel).sort()).toEqual(['block', 'warn']);
    const limit = limits.find((m) => m.enforcementLevel === 'block');
    expect(limit!.configuration).toMatchObject({ rule_type: 'constraint', normalized: expect.stringMatching(/Withholding Rate.*30%/) });
    expect(await repo.blocks.containingMolecule(limit!.id)).toHaveLength(1);
    expect(JSON.stringify(molecules.map((m) => m.configuration))).not.toMatch(/"span"/);

    // Every row written is pending for the graph.
    const pending = await repo.syncState.pending();
    expect(pending).toHaveLength(result.changes.length);
    expect(new Set(pending.map((p) => p.entityType))).toEqual(new Set(['domain', 'document', 'block', 'atom', 'molecule']));
    expect(pending.every((p) => p.postgresVersion === 1 && /^[0-9a-f]{64}$/.test(p.postgresChecksum!))).toBe(true);

    // Writing the same snapshot again writes nothing.
    expect((await writeDocument(db.client, t, doc)).changes).toEqual([]);
    expect(await writeDocument(db.client, t, parseDocument(EXAMPLE_URI, doc.text))).toMatchObject({ changes: [], versioned: [] });
  });

  it('versions an atom whose value changes, keeping its id', async () => {
    const t = await db.newTenant();
    const repo = repositories(db.client, t);
    const uri = 'file:///kb/domains/tax/rates.md';
    const v1 = parseDocument(uri, '# Rates\n\n- **Top Rate**: 30%\n- **Floor**: 1%\n');
    await writeDocument(db.client, t, v1);
    const id = atomId(t.id, 'tax', 'top rate');
    await db.client.query(`UPDATE ${table(t, 'sync_state')} SET sync_status = 'synced', neo4j_version = postgres_version`);

    const v2 = applyEdits(v1, [{ span: { start: v1.text.indexOf('30%'), end: v1.text.indexOf('30%') + 3 }, newText: '35%' }]);
    const r2 = await writeDocument(db.client, t, v2);
    expect(r2.versioned).toEqual([id]);
    // Only the edited block, the atom and nothing else: the floor's block and atom are untouched.
    expect(r2.changes.map((c) => c.entity).sort()).toEqual(['atom', 'block']);

    const v3 = applyEdits(v2, [{ span: { start: v2.text.indexOf('35%'), end: v2.text.indexOf('35%') + 3 }, newText: '40%' }]);
    await writeDocument(db.client, t, v3);
    const history = await repo.atoms.history(id);
    expect(history.map((a) => [a.version, a.numberValue, a.deletedAt === null])).toEqual([
      [3, 0.4, true],
      [2, 0.35, false],
      [1, 0.3, false],
    ]);
    expect(history[0].id).toBe(id);
    expect(history[0].previousVersion).toBe(history[1].id);
    expect(history[1].previousVersion).toBe(history[2].id);
    expect(history[2].previousVersion).toBeNull();
    // History rows are not current atoms.
    expect((await repo.atoms.whereNumber('>=', 0)).map((a) => a.name).sort()).toEqual(['Floor', 'Top Rate']);
    expect(await repo.atoms.findById(history[1].id)).toBeNull();
    expect(await repo.atoms.findById(history[1].id, { includeDeleted: true })).toBeNull();

    const sync = await repo.syncState.find('atom', id);
    expect(sync).toMatchObject({ postgresVersion: 3, neo4jVersion: 1, syncStatus: 'pending' });
    expect(await repo.syncState.find('atom', history[1].id)).toBeNull();
    // The unchanged atom's sync row was not touched.
    expect(await repo.syncState.find('atom', atomId(t.id, 'tax', 'floor'))).toMatchObject({ postgresVersion: 1, syncStatus: 'synced' });
  });

  it('keeps an atom defined in two documents until neither defines it, then soft-deletes it', async () => {
    const t = await db.newTenant();
    const repo = repositories(db.client, t);
    const a = parseDocument('file:///kb/domains/pay/a.md', '- **Cap**: 10%\n- **Only A**: 1\n');
    const b = parseDocument('file:///kb/domains/pay/b.md', 'Intro.\n\n- **Cap**: 10%\n');
    await writeDocument(db.client, t, a);
    await writeDocument(db.client, t, b);
    const cap = atomId(t.id, 'pay', 'cap');
    expect((await repo.atoms.findById(cap))!.definedIn).toHaveLength(2);
    expect(await repo.blocks.containingAtom(cap)).toHaveLength(2);

    const removed = await removeDocument(db.client, t, a.uri);
    expect(removed.changes).toContainEqual({ entity: 'document', id: documentId(t.id, a.uri), op: 'delete' });
    expect(removed.changes).toContainEqual({ entity: 'atom', id: atomId(t.id, 'pay', 'only a'), op: 'delete' });
    expect(await repo.documents.findByUri(a.uri)).toBeNull();
    expect(await repo.blocks.listByDocument(documentId(t.id, a.uri))).toEqual([]);
    expect((await repo.atoms.findById(cap))!.definedIn).toHaveLength(1);
    expect(await repo.atoms.findByName('pay', 'only a')).toBeNull();
    expect(await repo.atoms.findByName('pay', 'only a', { includeDeleted: true })).toMatchObject({ deletedAt: expect.any(Date), definedIn: [] });
    const gone = await repo.syncState.find('block', blockRowId(t.id, a.uri, a.blocks[0].id));
    expect(gone).toMatchObject({ syncStatus: 'pending', postgresChecksum: null, postgresVersion: 2 });
    expect((await removeDocument(db.client, t, a.uri)).changes).toEqual([]);

    await removeDocument(db.client, t, b.uri);
    expect(await repo.atoms.findById(cap)).toBeNull();
    // Defining it again revives the same row, at the same version (its value did not change).
    await writeDocument(db.client, t, b);
    expect(await repo.atoms.findById(cap)).toMatchObject({ deletedAt: null, version: 1 });
    expect(await repo.documents.list()).toHaveLength(1);
  });

  it('serialises concurrent writers of one domain (no lost update of a shared atom)', async () => {
    const t = await db.newTenant();
    const docs = [1, 2, 3, 4].map((i) => parseDocument(`file:///kb/domains/pay/d${i}.md`, `Doc ${i}.\n\n- **Shared**: 10%\n`));
    await Promise.all(docs.map((d) => writeDocument(db.client, t, d)));
    expect((await repositories(db.client, t).atoms.findByName('pay', 'shared'))!.definedIn).toHaveLength(4);
  });

  it('updates rows whose sync_state rows are gone (they are not taken for new rows)', async () => {
    const t = await db.newTenant();
    const repo = repositories(db.client, t);
    const uri = 'file:///kb/domains/tax/lost.md';
    const v1 = parseDocument(uri, '# Lost\n\n- **Top Rate**: 30%\n');
    await writeDocument(db.client, t, v1);
    await db.client.query(`DELETE FROM ${table(t, 'sync_state')}`);

    const v2 = applyEdits(v1, [{ span: { start: v1.text.indexOf('30%'), end: v1.text.indexOf('30%') + 3 }, newText: '35%' }]);
    const r2 = await writeDocument(db.client, t, v2);
    expect(await repo.atoms.findByName('tax', 'top rate')).toMatchObject({ numberValue: 0.35, version: 2 });
    expect(await repo.blocks.listByDocument(documentId(t.id, uri))).toHaveLength(v2.blocks.length + 1);
    // Every row was written again, and owes the graph a sync.
    const { rows } = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table(t, 'sync_state')} WHERE sync_status = 'pending'`);
    expect(rows[0].n).toBe(r2.changes.length);
    expect(r2.changes.length).toBe(2 + v2.blocks.length + 1 + 1);
  });

  it('writes a removed document again over the sync_state rows its removal left, one version on', async () => {
    const t = await db.newTenant();
    const repo = repositories(db.client, t);
    const uri = 'file:///kb/domains/tax/back.md';
    const doc = parseDocument(uri, '# Back\n\n- **Cap**: 30%\n- IF [[Amount]] > 5000 THEN [[Cap]] = 20%\n\nA payment of $100 has 10% withheld.\n');
    const first = await writeDocument(db.client, t, doc);
    await removeDocument(db.client, t, uri);
    const syncState = async () =>
      new Map(
        (
          await db.client.query<{ entity_id: string; postgres_version: number; postgres_checksum: string | null }>(
            `SELECT entity_id, postgres_version, postgres_checksum FROM ${table(t, 'sync_state')}`,
          )
        ).rows.map((r) => [r.entity_id, r] as const),
      );
    const removed = await syncState();
    // The document's rows are gone, their sync_state rows say so (and the row of an entity the document does not own stays).
    for (const c of first.changes) if (c.entity !== 'domain') expect(removed.get(c.id)).toMatchObject({ postgres_version: 2, postgres_checksum: null });

    const again = await writeDocument(db.client, t, doc);
    expect(again.changes.map((c) => c.id).sort()).toEqual(first.changes.filter((c) => c.entity !== 'domain').map((c) => c.id).sort());
    const back = await syncState();
    expect(back.size).toBe(removed.size);
    for (const c of again.changes) expect(back.get(c.id)).toMatchObject({ postgres_version: 3, postgres_checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await repo.blocks.listByDocument(documentId(t.id, uri))).toHaveLength(doc.blocks.length + 1);
    expect(await repo.atoms.findByName('tax', 'cap')).toMatchObject({ numberValue: 0.3, deletedAt: null });
  });
});
