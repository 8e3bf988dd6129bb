import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { normalizeName } from '../core/model';
import { toGraph, type DocumentGraph } from '../graph/model';
import type { GraphStore } from '../graph/store';
import { testNeo4j } from '../graph/testServices';
import { atomId, documentId } from '../persistence/ids';
import { documentRecords } from '../persistence/records';
import { table, type Tenant } from '../persistence/sql/tenant';
import { backends, useDatabase } from '../persistence/testing';
import { reflectLinks } from './reflect';
import { writeDocumentWithSource } from './sources';
import { graphBackends } from './testing';
import { drainSyncState } from './worker';

const RATES = 'file:///kb/domains/tax/rates.md';
const FORMS = 'file:///kb/domains/tax/forms.md';
const RATES_TEXT = `# Rates

- **Withholding Rate**: 10%
- **Jurisdiction**: one of Quebec, Ontario

Withdrawals are reported on [[Slip]].

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 15% {block}
  - UNLESS [[Exempt]] = yes
- [[Lump-Sum Withdrawal]] REQUIRES [[Withholding Rate]], [[SIN]]

| IF Region | IF Unused | THEN Bonus |
| --- | --- | --- |
| north | - | 5% |
| south | - | 7% |
`;
const FORMS_TEXT = '# Forms\n\n- [[Slip]] REQUIRES [[SIN]]\n';

interface Rows {
  molecules: { id: string; atom_ids: string[]; updated_at: Date }[];
  blocks: { id: string; atom_ids: string[] | null; molecule_ids: string[] | null; updated_at: Date }[];
  syncState: Record<string, unknown>[];
}

describe.each(backends())('reflectLinks on $name', (backend) => {
  describe.each(graphBackends())('from the $name graph', (graphBackend) => {
    const db = useDatabase(backend, 0);
    let graph: GraphStore;
    let driver: Driver | undefined;
    beforeAll(async () => {
      graph = await graphBackend.open();
      const options = testNeo4j();
      if (graphBackend.name === 'neo4j' && options) {
        driver = neo4j.driver(options.url, options.user ? neo4j.auth.basic(options.user, options.password ?? '') : undefined);
      }
    });
    afterAll(async () => {
      for (const t of db.tenants) await graph?.clearTenant(t.id);
      await graph?.close();
      await driver?.close();
    });

    const write = (t: Tenant, uri: string, text: string) => writeDocumentWithSource(db.client, t, parseDocument(uri, text), text);
    /** A tenant with both documents written and pushed to the graph. */
    const synced = async (): Promise<Tenant> => {
      const t = await db.newTenant();
      await write(t, RATES, RATES_TEXT);
      await write(t, FORMS, FORMS_TEXT);
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ failed: 0, documents: 2 });
      return t;
    };
    const ids = (t: Tenant) => [documentId(t.id, RATES), documentId(t.id, FORMS)];
    const atom = (t: Tenant, name: string) => atomId(t.id, 'tax', normalizeName(name));
    const graphOf = (t: Tenant, uri = RATES, text = RATES_TEXT) => toGraph(t.id, parseDocument(uri, text));
    const ruleOf = (g: DocumentGraph, type: string, name: string) =>
      g.molecules.find((m) => m.type === type && g.partOf.some((r) => r.to === m.id && r.from === atomId(g.tenantId, 'tax', normalizeName(name))))!;
    /** Row id of the prose block referencing [[Slip]]. */
    const proseBlock = (t: Tenant) => graphOf(t).appearsIn.find((r) => r.atomId === atom(t, 'Slip'))!.blockId;

    const rows = async (t: Tenant): Promise<Rows> => ({
      molecules: (
        await db.client.query<Rows['molecules'][number]>(`SELECT id, atom_ids, updated_at FROM ${table(t, 'molecule_metadata')} ORDER BY id`)
      ).rows,
      blocks: (
        await db.client.query<Rows['blocks'][number]>(`SELECT id, atom_ids, molecule_ids, updated_at FROM ${table(t, 'blocks')} ORDER BY id`)
      ).rows,
      syncState: (await db.client.query(`SELECT * FROM ${table(t, 'sync_state')} ORDER BY entity_type, entity_id`)).rows,
    });
    const molecule = (r: Rows, id: string) => r.molecules.find((m) => m.id === id)!;
    const block = (r: Rows, id: string) => r.blocks.find((b) => b.id === id)!;
    /** The rows whose arrays or `updated_at` differ between two reads. */
    const changed = (before: Rows, after: Rows) => [
      ...after.molecules.filter((m) => JSON.stringify(m) !== JSON.stringify(molecule(before, m.id))).map((m) => m.id),
      ...after.blocks.filter((b) => JSON.stringify(b) !== JSON.stringify(block(before, b.id))).map((b) => b.id),
    ];
    /** The arrays records.ts writes for the text (molecules' atoms as sets). */
    const expectArraysOf = (t: Tenant, r: Rows, uri: string, text: string) => {
      const records = documentRecords(t, parseDocument(uri, text));
      for (const m of records.molecules) expect([...molecule(r, m.id).atom_ids].sort()).toEqual([...m.atom_ids].sort());
      for (const b of records.blocks) expect(block(r, b.id)).toMatchObject({ atom_ids: b.atom_ids, molecule_ids: b.molecule_ids });
    };

    it('changes nothing for documents just written and pushed', async () => {
      const t = await synced();
      const before = await rows(t);
      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 0, blocks: 0 });
      expect(await rows(t)).toEqual(before);
    });

    it('reflects PART_OF, REQUIRES and APPEARS_IN removed and added in the graph, once, leaving sync_state alone', async () => {
      const t = await synced();
      const g = graphOf(t);
      const rule = ruleOf(g, 'ConditionMolecule', 'Jurisdiction');
      const requires = ruleOf(g, 'RequiresMolecule', 'Lump-Sum Withdrawal');
      const prose = proseBlock(t);
      const before = await rows(t);
      expect(molecule(before, rule.id).atom_ids).toEqual([atom(t, 'Jurisdiction'), atom(t, 'Withholding Rate')]);

      // As another tool would change the graph: Jurisdiction out of the rule and Exempt in; SIN no longer required; Slip out of the prose, SIN in.
      await graph.replaceDocument(t.id, {
        ...g,
        partOf: [
          ...g.partOf.filter((r) => !(r.from === atom(t, 'Jurisdiction') && r.to === rule.id)),
          { from: atom(t, 'Exempt'), to: rule.id, role: 'condition', order: 5 },
        ],
        requires: g.requires.filter((r) => !(r.moleculeId === requires.id && r.atomId === atom(t, 'SIN'))),
        appearsIn: [
          ...g.appearsIn.filter((r) => r.blockId !== prose),
          { atomId: atom(t, 'SIN'), blockId: prose, spans: [], confidence: 1, source: 'manual' },
        ],
      });
      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 2, blocks: 1 });
      const after = await rows(t);
      // Kept ids keep their place, new ones go last.
      expect(molecule(after, rule.id).atom_ids).toEqual([atom(t, 'Withholding Rate'), atom(t, 'Exempt')]);
      expect(molecule(after, requires.id).atom_ids).toEqual([atom(t, 'Lump-Sum Withdrawal'), atom(t, 'Withholding Rate')]);
      expect(block(after, prose)).toMatchObject({ atom_ids: [atom(t, 'SIN')], molecule_ids: [] });
      expect(changed(before, after).sort()).toEqual([rule.id, requires.id, prose].sort());
      for (const id of [rule.id, requires.id]) {
        expect(molecule(after, id).updated_at.getTime()).toBeGreaterThan(molecule(before, id).updated_at.getTime());
      }
      expect(after.syncState).toEqual(before.syncState);

      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 0, blocks: 0 });
      expect(await rows(t)).toEqual(after);
    });

    it('converges when the document is written again: the same text keeps the graph’s arrays, a new one brings the text’s back', async () => {
      const t = await synced();
      const g = graphOf(t);
      const rule = ruleOf(g, 'ConditionMolecule', 'Jurisdiction');
      await graph.replaceDocument(t.id, { ...g, partOf: g.partOf.filter((r) => !(r.from === atom(t, 'Jurisdiction') && r.to === rule.id)) });
      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 1, blocks: 0 });
      const reflected = await rows(t);

      // Same text: nothing is written or pushed, the graph keeps its change, and so do the arrays.
      expect((await write(t, RATES, RATES_TEXT)).changes).toEqual([]);
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ rows: 0, documents: 0 });
      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 0, blocks: 0 });
      expect(await rows(t)).toEqual(reflected);

      // New text elsewhere in the document: the push puts the text's graph back, the reflection after it the text's arrays.
      const edited = RATES_TEXT.replace('Withdrawals are reported', 'Every withdrawal is reported');
      await write(t, RATES, edited);
      // (The worker reflects the documents it pushed.)
      expect(await drainSyncState(db.client, t, graph)).toMatchObject({ failed: 0, documents: 1, reflected: { molecules: 1, blocks: 0 } });
      expectArraysOf(t, await rows(t), RATES, edited);
      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 0, blocks: 0 });
      // And a later write of the text leaves them so.
      expect((await write(t, RATES, edited)).changes).toEqual([]);
      expectArraysOf(t, await rows(t), RATES, edited);
    });

    it('never touches another tenant’s rows', async () => {
      const [a, b] = [await synced(), await synced()];
      const g = graphOf(a);
      const rule = ruleOf(g, 'ConditionMolecule', 'Jurisdiction');
      await graph.replaceDocument(a.id, { ...g, partOf: g.partOf.filter((r) => r.to !== rule.id) });
      const before = await rows(b);
      expect(await reflectLinks(db.client, a, graph, [...ids(a), ...ids(b)])).toEqual({ molecules: 1, blocks: 0 });
      expect(await reflectLinks(db.client, b, graph, ids(a))).toEqual({ molecules: 0, blocks: 0 });
      expect(await reflectLinks(db.client, b, graph, ids(b))).toEqual({ molecules: 0, blocks: 0 });
      expect(await rows(b)).toEqual(before);
      expect(molecule(await rows(a), rule.id).atom_ids).toEqual([]);
    });

    it('leaves alone documents the graph does not have, or holds an older version of', async () => {
      const t = await db.newTenant();
      await write(t, FORMS, FORMS_TEXT); // never pushed
      const unknown = documentId(t.id, 'file:///kb/domains/tax/nowhere.md');
      const before = await rows(t);
      expect(await reflectLinks(db.client, t, graph, [documentId(t.id, FORMS), unknown])).toEqual({ molecules: 0, blocks: 0 });
      expect(await rows(t)).toEqual(before);

      // Pushed, then written again and not pushed yet: the graph's arrays are the old text's and must not come back.
      // (A new domain keeps the rule's block and molecule ids and changes every atom id in them.)
      await drainSyncState(db.client, t, graph);
      const edited = `---\ndomain: forms\n---\n\n${FORMS_TEXT}`;
      await write(t, FORMS, edited);
      const rule = graphOf(t, FORMS, edited).molecules[0].id;
      expect(rule).toBe(graphOf(t, FORMS, FORMS_TEXT).molecules[0].id);
      expect(await reflectLinks(db.client, t, graph, [documentId(t.id, FORMS)])).toEqual({ molecules: 0, blocks: 0 });
      expectArraysOf(t, await rows(t), FORMS, edited);
    });

    // Registered for Neo4j only (CI fails on skipped tests): the memory graph has no Cypher.
    if (graphBackend.name === 'neo4j') it('reflects relationships deleted and created by Cypher in Neo4j', async () => {
      const t = await synced();
      const g = graphOf(t);
      const rule = ruleOf(g, 'ConditionMolecule', 'Jurisdiction');
      const prose = proseBlock(t);
      await driver!.executeQuery(
        `MATCH (:Atom {tenantId: $tenantId, id: $atomId})-[r:PART_OF]->(:Molecule {tenantId: $tenantId, id: $moleculeId}) DELETE r`,
        { tenantId: t.id, atomId: atom(t, 'Withholding Rate'), moleculeId: rule.id },
      );
      await driver!.executeQuery(
        `MATCH (a:Atom {tenantId: $tenantId, id: $atomId}), (d:Document {tenantId: $tenantId, id: $documentId})
         CREATE (a)-[:APPEARS_IN {blockId: $blockId, spans: '[]', confidence: 1.0, source: 'manual'}]->(d)`,
        { tenantId: t.id, atomId: atom(t, 'Exempt'), documentId: documentId(t.id, RATES), blockId: prose },
      );
      expect(await reflectLinks(db.client, t, graph, ids(t))).toEqual({ molecules: 1, blocks: 1 });
      const after = await rows(t);
      expect(molecule(after, rule.id).atom_ids).toEqual([atom(t, 'Jurisdiction')]);
      expect(block(after, prose).atom_ids).toEqual([atom(t, 'Exempt'), atom(t, 'Slip')].sort());
    });
  });
});
