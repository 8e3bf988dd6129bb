/**
 * `GraphStore.documentLinks`, run against every store (memory always, Neo4j
 * when configured), as store.test.ts runs the main contract. The reference is
 * what `persistence/records.ts` writes into the arrays for the same text.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type DocumentSnapshot } from '../core/document';
import { documentId } from '../persistence/ids';
import { documentRecords } from '../persistence/records';
import { tenant as tenantOf } from '../persistence/sql/tenant';
import type { DocumentLinks } from './links';
import { MemoryGraphStore } from './memory';
import { toGraph, type DocumentGraph } from './model';
import { openNeo4jGraphStore } from './neo4j';
import type { GraphStore } from './store';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from './testServices';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** Every example document, plus what the examples lack: a table column no row uses, REQUIRES, UNLESS, an atom-less rule. */
function texts(): [string, string][] {
  const out: [string, string][] = [];
  for (const kb of readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const domain of readdirSync(`${EXAMPLES}${kb.name}/domains`)) {
      for (const f of readdirSync(`${EXAMPLES}${kb.name}/domains/${domain}`).filter((f) => f.endsWith('.md'))) {
        out.push([`file:///${kb.name}/domains/${domain}/${f}`, readFileSync(`${EXAMPLES}${kb.name}/domains/${domain}/${f}`, 'utf8')]);
      }
    }
  }
  out.push([
    'file:///kb/domains/test/edges.md',
    `# Edges

| IF Region | IF Unused | THEN Rate | THEN Never |
| --- | --- | --- | --- |
| north | - | 5% | - |
| south | - | 7% | - |

- IF [[Region]] = west THEN [[Rate]] = [[Base Rate]]
  - UNLESS [[Exempt]] = yes
- [[Payout]] REQUIRES [[Form]], [[SIN]]
- **Base Rate**: 3%

Paid 4% in 2024, see [[Rate]].
`,
  ]);
  return out;
}

/** What records.ts writes: molecules' atoms as sets (their order is the rule's), blocks' arrays as written (sorted). */
function expectedLinks(t: string, snapshot: DocumentSnapshot): DocumentLinks {
  const records = documentRecords(tenantOf(t), snapshot);
  const sorted = (ids: string[]) => [...new Set(ids)].sort();
  return {
    documentId: records.document.id,
    molecules: records.molecules.map((m) => ({ id: m.id, atomIds: sorted(m.atom_ids) })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    blocks: records.blocks
      .slice(1) // the root block is PostgreSQL's only
      .map((b) => ({ id: b.id, atomIds: b.atom_ids, moleculeIds: b.molecule_ids }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

function linksContract(name: string, open: () => Promise<GraphStore>): void {
  describe(`GraphStore.documentLinks: ${name}`, () => {
    let store: GraphStore;
    const tenants: string[] = [];
    /** Valid as a PostgreSQL tenant too: the reference is records.ts. */
    const tenant = () => {
      const t = `links_${randomBytes(6).toString('hex')}`;
      tenants.push(t);
      return t;
    };
    beforeAll(async () => void (store = await open()));
    afterAll(async () => {
      for (const t of tenants) await store.clearTenant(t);
      await store?.close();
    });

    it('answers, for every example document, exactly what records.ts writes into the arrays', async () => {
      const t = tenant();
      const snapshots = texts().map(([uri, text]) => parseDocument(uri, text));
      for (const s of snapshots) await store.replaceDocument(t, toGraph(t, s));
      const links = await store.documentLinks(t, snapshots.map((s) => documentId(t, s.uri)));
      const expected = snapshots.map((s) => expectedLinks(t, s)).sort((a, b) => (a.documentId < b.documentId ? -1 : 1));
      expect(links).toEqual(expected);
      // The reference is not trivial: requires, exceptions, table headers and empty lists all occur.
      const edges = links.find((l) => l.documentId === documentId(t, 'file:///kb/domains/test/edges.md'))!;
      expect(edges.molecules.map((m) => m.atomIds.length).sort()).toEqual([1, 2, 2, 3, 3]);
      expect(edges.blocks.some((b) => b.atomIds.length === 0 && b.moleculeIds.length === 0)).toBe(true);
      expect(edges.blocks.map((b) => b.atomIds.length)).toContain(4);
    });

    it('leaves out unknown documents and lists each document once, by id', async () => {
      const t = tenant();
      const [a, b] = [doc(t, 'a', '- IF [[X]] > 1 THEN [[Y]] = 2\n'), doc(t, 'b', '- **X**: 5%\n')];
      for (const g of [a, b]) await store.replaceDocument(t, g);
      const ids = [a.document.id, b.document.id].sort();
      const links = await store.documentLinks(t, [documentId(t, 'file:///nowhere.md'), ids[1], ids[0], ids[1]]);
      expect(links.map((l) => l.documentId)).toEqual(ids);
      expect(await store.documentLinks(t, [])).toEqual([]);
      await store.removeDocument(t, a.document.id);
      expect((await store.documentLinks(t, ids)).map((l) => l.documentId)).toEqual([b.document.id]);
    });

    it('follows PART_OF, REQUIRES and APPEARS_IN as the graph holds them, not as the text has them', async () => {
      const t = tenant();
      const text = '# Doc\n\n- IF [[A]] > 1 THEN [[B]] = 2\n- [[C]] REQUIRES [[D]]\n\nSee [[E]].\n';
      const g = doc(t, 'doc', text);
      const atom = (name: string) => g.atoms.find((a) => a.name === name)!.id;
      const rule = g.molecules.find((m) => m.type === 'ConditionMolecule')!;
      const requires = g.molecules.find((m) => m.type === 'RequiresMolecule')!;
      const prose = g.appearsIn.find((r) => r.atomId === atom('E'))!.blockId;
      // As another tool would leave it: A no longer in the rule, E in it; D no longer required; E out of the prose, A in it.
      const edited: DocumentGraph = {
        ...g,
        partOf: [...g.partOf.filter((r) => r.from !== atom('A')), { from: atom('E'), to: rule.id, role: 'condition', order: 9 }],
        requires: g.requires.filter((r) => r.atomId !== atom('D')),
        appearsIn: [
          ...g.appearsIn.filter((r) => r.atomId !== atom('E')),
          { atomId: atom('A'), blockId: prose, spans: [{ start: 4, end: 5 }], confidence: 1, source: 'manual' },
        ],
      };
      await store.replaceDocument(t, edited);
      const [links] = await store.documentLinks(t, [g.document.id]);
      const sorted = (...ids: string[]) => ids.sort();
      expect(links.molecules).toContainEqual({ id: rule.id, atomIds: sorted(atom('B'), atom('E')) });
      expect(links.molecules).toContainEqual({ id: requires.id, atomIds: [atom('C')] });
      expect(links.blocks.find((b) => b.id === prose)).toEqual({ id: prose, atomIds: [atom('A')], moleculeIds: [] });
      const ruleBlock = { id: rule.blockId, atomIds: sorted(atom('A'), atom('B')), moleculeIds: [rule.id] };
      expect(links.blocks.find((b) => b.id === rule.blockId)).toEqual(ruleBlock);
      // Writing the text again puts the graph, and so the answer, back.
      await store.replaceDocument(t, g);
      expect((await store.documentLinks(t, [g.document.id]))[0].molecules).toContainEqual({ id: rule.id, atomIds: sorted(atom('A'), atom('B')) });
    });

    it('never answers one tenant with another tenant’s documents', async () => {
      const [a, b] = [tenant(), tenant()];
      const text = '# Doc\n\n- IF [[A]] > 1 THEN [[B]] = 2\n';
      const [ga, gb] = [doc(a, 'doc', text), doc(b, 'doc', text)];
      await store.replaceDocument(a, ga);
      await store.replaceDocument(b, gb);
      expect(await store.documentLinks(b, [ga.document.id])).toEqual([]);
      const [la] = await store.documentLinks(a, [ga.document.id, gb.document.id]);
      const own = new Set([...ga.atoms.map((x) => x.id), ...ga.molecules.map((m) => m.id), ...ga.blocks.map((x) => x.id)]);
      const seen = [...la.molecules.flatMap((m) => [m.id, ...m.atomIds]), ...la.blocks.flatMap((x) => [x.id, ...x.atomIds, ...x.moleculeIds])];
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((id) => !own.has(id))).toEqual([]);
    });
  });
}

function doc(t: string, name: string, text: string): DocumentGraph {
  return toGraph(t, parseDocument(`file:///kb/domains/test/${name}.md`, text));
}

linksContract('memory', async () => new MemoryGraphStore());

const neo4j = testNeo4j();
if (neo4j) linksContract('neo4j', () => openNeo4jGraphStore(neo4j));
else if (servicesRequired) {
  it('GraphStore.documentLinks: neo4j', () => {
    throw new Error(MISSING_NEO4J);
  });
} else describe.skip('GraphStore.documentLinks: neo4j (KNOWLEDGE_TEST_NEO4J_URL not set)', () => {});
