/**
 * The GraphStore contract: one suite, run against every store (memory always,
 * Neo4j when configured; see store.test.ts). Each test uses fresh tenants,
 * removed at the end.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atom, chain, cyclic, hostile, HOSTILE_NAMES, markdown, taxExample } from './fixtures';
import { sortGraph, type DocumentGraph } from './model';
import type { GraphStats, GraphStore } from './store';

export function graphStoreContract(name: string, open: () => Promise<GraphStore>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let store: GraphStore;
    const tenants: string[] = [];
    const tenant = () => {
      const t = `test-${randomUUID()}`;
      tenants.push(t);
      return t;
    };
    const write = async (t: string, graphs: DocumentGraph[]) => {
      for (const g of graphs) await store.replaceDocument(t, g);
    };
    const ruleOf = (g: DocumentGraph, summary: string) => g.molecules.find((m) => m.summary === summary)!.id;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      for (const t of tenants) await store.clearTenant(t);
      await store?.close();
    });

    it('reads back exactly what toGraph made of a parsed example document', async () => {
      const t = tenant();
      const [doc] = taxExample(t).filter((g) => g.document.uri.endsWith('withholding-rates.md'));
      await store.replaceDocument(t, doc);
      expect(await store.readDocument(t, doc.document.id)).toEqual(sortGraph(doc));
      const stats = await store.stats(t);
      expect(stats.nodes).toEqual({ Atom: doc.atoms.length, Molecule: doc.molecules.length, Document: 1, Block: doc.blocks.length, Domain: 1 });
      expect(stats.relationships.PART_OF).toBe(doc.partOf.length);
      expect(stats.relationships.APPEARS_IN).toBe(doc.appearsIn.length);
      expect(stats.relationships.PART_OF_DOCUMENT).toBe(doc.blocks.length);
      expect(stats.relationships.IN_DOMAIN).toBe(doc.atoms.length + 1);
    });

    it('is idempotent: writing the example twice gives the same graph', async () => {
      const t = tenant();
      const docs = taxExample(t);
      await write(t, docs);
      const once = await store.stats(t);
      const read = await Promise.all(docs.map((d) => store.readDocument(t, d.document.id)));
      await write(t, docs);
      expect(await store.stats(t)).toEqual(once);
      expect(await Promise.all(docs.map((d) => store.readDocument(t, d.document.id)))).toEqual(read);
      expect(once.relationships.REQUIRES).toBe(docs.reduce((n, d) => n + d.requires.length, 0));
    });

    it('replacing a document leaves what writing the new version fresh would', async () => {
      const v1 = '# Doc\n\n- **Rate**: 5%\n- IF [[Region]] = north THEN [[Rate]] = 7%\n  - UNLESS [[Exempt]] = yes\n- [[Rate]] REQUIRES [[Form]]\n';
      const v2 = '# Doc\n\n- IF [[Region]] = south THEN [[Tax]] = 3%\n';
      const [edited, fresh] = [tenant(), tenant()];
      await store.replaceDocument(edited, markdown(edited, 'doc', v1));
      await store.replaceDocument(edited, markdown(edited, 'doc', v2));
      await store.replaceDocument(fresh, markdown(fresh, 'doc', v2));
      expect(await store.stats(edited)).toEqual(await store.stats(fresh));
      const doc = markdown(edited, 'doc', v2);
      expect(await store.readDocument(edited, doc.document.id)).toEqual(sortGraph(doc));
    });

    it('removes a document; atoms other documents still use stay, with their values', async () => {
      const [t, without] = [tenant(), tenant()];
      const docs = taxExample(t);
      await write(t, docs);
      const quebec = docs.find((d) => d.document.uri.endsWith('/quebec.md'))!;
      await store.removeDocument(t, quebec.document.id);
      await write(without, taxExample(without).filter((d) => !d.document.uri.endsWith('/quebec.md')));
      expect(await store.stats(t)).toEqual(await store.stats(without));
      expect(await store.readDocument(t, quebec.document.id)).toBeNull();
      const shared = await store.impact(t, atom(t, 'Quebec Provincial Rate', 'tax'), 1);
      expect(shared?.atom).toMatchObject({ name: 'Quebec Provincial Rate', canonical: '14%', type: 'NumberAtom' });
      expect(await store.impact(t, atom(t, 'Quebec Withdrawal', 'tax'), 1)).toBeNull();
      for (const d of docs) await store.removeDocument(t, d.document.id);
      expect(await store.stats(t)).toEqual(empty());
    });

    it('clears a value when its defining document stops defining it, keeps the atom while used', async () => {
      const t = tenant();
      const user = markdown(t, 'user', '# User\n\n- IF [[Rate]] > 1% THEN [[Tax]] = 1%\n');
      await write(t, [markdown(t, 'definer', '# Definer\n\n- **Rate**: 5%\n'), user]);
      expect((await store.impact(t, atom(t, 'Rate'), 1))?.atom.canonical).toBe('5%');
      await store.replaceDocument(t, markdown(t, 'definer', '# Definer\n\nNothing here.\n'));
      expect((await store.impact(t, atom(t, 'Rate'), 1))?.atom).toMatchObject({ canonical: null, type: null, name: 'Rate' });
    });

    it('finds the molecules containing an atom, with its roles', async () => {
      const t = tenant();
      const docs = taxExample(t);
      await write(t, docs);
      const resident = atom(t, 'Resident Status', 'tax');
      const uses = await store.moleculesContainingAtom(t, resident);
      const expected = new Set(docs.flatMap((d) => d.partOf.filter((r) => r.from === resident).map((r) => r.to)));
      expect(uses.map((u) => u.molecule.id)).toEqual([...expected].sort());
      const kinds = uses.map((u) => `${u.molecule.moleculeType}:${u.molecule.ruleType}:${u.roles.join(',')}`);
      expect(kinds).toEqual(expect.arrayContaining(['ExceptionMolecule:exception:condition', 'ConditionMolecule:decision_table:condition']));
      const limit = await store.moleculesContainingAtom(t, atom(t, 'Withholding Rate', 'tax'));
      expect(limit.map((u) => u.roles.join(','))).toEqual(expect.arrayContaining(['result', 'subject']));
      expect(await store.moleculesContainingAtom(t, atom(t, 'Nothing', 'tax'))).toEqual([]);
    });

    it('impact follows PART_OF, results, exceptions and REQUIRES, hop by hop', async () => {
      const t = tenant();
      const [one, two] = chain(t);
      await write(t, [one, two]);
      const rule1 = ruleOf(one, 'IF A > 1 THEN B = 2');
      const rule2 = ruleOf(one, 'IF B > 1 THEN C = 3');
      const rule3 = ruleOf(two, 'IF C > 1 THEN D = 4');
      const requires = ruleOf(two, 'E REQUIRES D');
      const hits = async (start: string, depth: number) => {
        const impact = (await store.impact(t, atom(t, start), depth))!;
        return [...impact.molecules.map((m) => [m.id, m.hops]), ...impact.atoms.map((a) => [a.name, a.hops])];
      };
      expect(await hits('A', 1)).toEqual([[rule1, 1]]);
      expect(await hits('A', 3)).toEqual([
        [rule1, 1],
        [rule2, 3],
        ['B', 2],
      ]);
      expect(await hits('A', 8)).toEqual(
        expect.arrayContaining([
          [rule3, 5],
          [requires, 7],
          ['D', 6],
          ['E', 8],
        ]),
      );
      const exception = ruleOf(one, 'UNLESS F = yes');
      expect(await hits('F', 2)).toEqual([
        [exception, 1],
        [rule1, 2],
      ]);
      const far = (await store.impact(t, atom(t, 'A'), 5))!;
      expect([far.molecules.length, far.documents.length]).toEqual([3, 2]);
      expect(far.documents).toEqual([
        { id: one.document.id, uri: one.document.uri, title: 'Chain', rules: 2, hops: 1 },
        { id: two.document.id, uri: two.document.uri, title: 'Chain, part two', rules: 1, hops: 5 },
      ]);
      expect(await store.impact(t, atom(t, 'Unknown'), 2)).toBeNull();
      await expect(store.impact(t, atom(t, 'A'), 0)).rejects.toThrow(RangeError);
      await expect(store.impact(t, atom(t, 'A'), 1.5)).rejects.toThrow(RangeError);
    });

    it('finds dependency cycles, per domain', async () => {
      const t = tenant();
      const doc = cyclic(t);
      await write(t, [doc, chain(t)[0], cyclic(t, 'elsewhere')]);
      const cycles = await store.cycles(t, 'test');
      expect(cycles.map((c) => c.atoms.map((a) => a.name).sort().join()).sort()).toEqual(['P,Q', 'X,Y']);
      const xy = cycles.find((c) => c.atoms.some((a) => a.name === 'X'))!;
      expect(xy.molecules).toEqual([ruleOf(doc, 'IF X > 1 THEN Y = 1'), ruleOf(doc, 'IF Y > 1 THEN X = 2')].sort());
      expect(xy.domain).toBe('test');
      expect(await store.cycles(t)).toHaveLength(4);
      expect(await store.cycles(t, 'nowhere')).toEqual([]);
    });

    it('sets conflicts and relations per domain and answers related concepts by hops', async () => {
      const t = tenant();
      const doc = cyclic(t);
      await write(t, [doc]);
      const [r1, r2] = [ruleOf(doc, 'IF X > 1 THEN Y = 1'), ruleOf(doc, 'IF Y > 1 THEN X = 2')];
      await store.setConflicts(t, 'test', [{ from: r1, to: r2, reason: 'contradictory rates', severity: 'high' }]);
      expect((await store.conflictsOf(t, r2)).map((c) => [c.molecule.id, c.reason, c.severity])).toEqual([[r1, 'contradictory rates', 'high']]);
      await store.setConflicts(t, 'test', []);
      expect(await store.conflictsOf(t, r1)).toEqual([]);

      const [x, y, z, p] = ['X', 'Y', 'Z', 'P'].map((n) => atom(t, n));
      await store.setRelations(t, 'test', [
        { from: x, to: y, type: 'similar_to', strength: 0.9 },
        { from: z, to: y, type: 'synonym_of', strength: 0.5 },
        { from: p, to: 'missing', type: 'similar_to', strength: 0.1 },
      ]);
      const related = async (depth: number) => (await store.relatedConcepts(t, x, depth)).map((r) => [r.atom.name, r.hops]);
      expect(await related(1)).toEqual([['Y', 1]]);
      expect(await related(2)).toEqual([
        ['Y', 1],
        ['Z', 2],
      ]);
      await store.setRelations(t, 'test', []);
      expect(await related(3)).toEqual([]);
    });

    it('round-trips hostile names, titles and uris verbatim', async () => {
      const t = tenant();
      const doc = hostile(t);
      expect(doc.atoms.map((a) => a.name).sort()).toEqual([...HOSTILE_NAMES].sort());
      await store.replaceDocument(t, doc);
      const read = await store.readDocument(t, doc.document.id);
      expect(read).toEqual(sortGraph(doc));
      expect(read?.document.title).toBe(`'); MATCH (n) DETACH DELETE n //`);
      for (const name of HOSTILE_NAMES) {
        const uses = await store.moleculesContainingAtom(t, atom(t, name));
        expect(uses.map((u) => u.roles.join(',')).sort()).toEqual(['condition', 'result']);
        expect((await store.impact(t, atom(t, name), 1))?.atom.name).toBe(name);
      }
      const renamed = { ...doc, document: { ...doc.document, title: '}) DETACH DELETE n // \u{1F600}' } };
      await store.replaceDocument(t, renamed);
      expect((await store.readDocument(t, doc.document.id))?.document.title).toBe(renamed.document.title);
      expect((await store.stats(t)).nodes.Atom).toBe(HOSTILE_NAMES.length);
    });

    it('refuses to write a graph under another tenant', async () => {
      const [a, b] = [tenant(), tenant()];
      await expect(store.replaceDocument(b, cyclic(a))).rejects.toThrow(/another tenant/);
      expect(await store.stats(b)).toEqual(empty());
    });

    describe('replaceDocuments', () => {
      /** Stats and what the store reads back for each document. */
      const state = async (t: string, graphs: DocumentGraph[]) => ({
        stats: await store.stats(t),
        documents: await Promise.all([...new Set(graphs.map((g) => g.document.id))].map((id) => store.readDocument(t, id))),
      });
      /** The tenant's state after `batch` on top of `initial`: written one by one, then (tenant cleared) as one batch. */
      const bothWays = async (t: string, initial: DocumentGraph[], batch: DocumentGraph[]) => {
        await write(t, initial);
        await write(t, batch);
        const sequential = await state(t, [...initial, ...batch]);
        await store.clearTenant(t);
        await write(t, initial);
        await store.replaceDocuments(t, batch);
        return { sequential, batched: await state(t, [...initial, ...batch]) };
      };

      it('leaves what replaceDocument one document after the other does', async () => {
        const t = tenant();
        const doc = (name: string, text: string, domain?: string) => markdown(t, name, `# ${name}\n\n${text}\n`, domain);
        const initial = [
          doc('a', '- **Rate**: 5%\n- **Limit**: 10%\n- IF [[Region]] = north THEN [[Rate]] = 7%'),
          doc('b', '- IF [[Rate]] > 1% THEN [[Tax]] = 1%\n- [[Tax]] REQUIRES [[Form]]'),
        ];
        const batch = [
          doc('a', '- **Limit**: 10%\n- IF [[Region]] = south THEN [[Rate]] = 7%\n  - UNLESS [[Exempt]] = yes'),
          doc('c', '- **Rate**: 9%\n- **Form**: T4'),
          doc('b', '- [[Limit]] MUST BE <= 30%'),
          doc('a', '- **Rate**: 6%'),
          doc('d', '- **Rate**: 1%', 'other'),
        ];
        const { sequential, batched } = await bothWays(t, initial, batch);
        expect(batched).toEqual(sequential);
        expect((await store.impact(t, atom(t, 'Rate'), 1))?.atom.canonical).toBe('6%');
      });

      it('leaves what replaceDocument one document after the other does (property)', async () => {
        const name = fc.constantFrom('Rate', 'Region', 'Amount', 'Limit');
        const line = fc.oneof(
          fc.tuple(name, name).map(([a, b]) => `- IF [[${a}]] > 1 THEN [[${b}]] = 2`),
          fc.tuple(name, name).map(([a, b]) => `- [[${a}]] REQUIRES [[${b}]]`),
          fc.tuple(name, fc.integer({ min: 1, max: 9 })).map(([a, n]) => `- **${a}**: ${n}%`),
          name.map((a) => `- [[${a}]] MUST BE <= 30%`),
        );
        const docs = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.array(line, { maxLength: 4 })), { maxLength: 5 });
        await fc.assert(
          fc.asyncProperty(docs, docs, async (before, after) => {
            const t = tenant();
            const graphs = (list: [string, string[]][]) => list.map(([doc, lines]) => markdown(t, doc, `# ${doc}\n\n${lines.join('\n')}\n`));
            const { sequential, batched } = await bothWays(t, graphs(before), graphs(after));
            expect(batched).toEqual(sequential);
            await store.clearTenant(t);
          }),
          { numRuns: 10 },
        );
      });

      it('gives an atom two documents of the batch define the later value', async () => {
        const [t, reversed] = [tenant(), tenant()];
        const definer = (tn: string, name: string, rate: string) => markdown(tn, name, `# ${name}\n\n- **Rate**: ${rate}\n`);
        await store.replaceDocuments(t, [definer(t, 'first', '5%'), definer(t, 'second', '7%')]);
        await store.replaceDocuments(reversed, [definer(reversed, 'second', '7%'), definer(reversed, 'first', '5%')]);
        expect((await store.impact(t, atom(t, 'Rate'), 1))?.atom.canonical).toBe('7%');
        expect((await store.impact(reversed, atom(reversed, 'Rate'), 1))?.atom.canonical).toBe('5%');
        const second = definer(t, 'second', '7%');
        expect(await store.readDocument(t, second.document.id)).toEqual(sortGraph(second));
        expect((await store.stats(t)).nodes).toMatchObject({ Atom: 1, Document: 2 });
      });

      it('writes a document listed twice as its last version', async () => {
        const [t, fresh] = [tenant(), tenant()];
        const v1 = '# Doc\n\n- **Rate**: 5%\n- IF [[Region]] = north THEN [[Rate]] = 7%\n  - UNLESS [[Exempt]] = yes\n';
        const v2 = '# Doc\n\n- IF [[Region]] = south THEN [[Tax]] = 3%\n';
        await store.replaceDocuments(t, [markdown(t, 'doc', v1), markdown(t, 'doc', v2)]);
        await store.replaceDocument(fresh, markdown(fresh, 'doc', v2));
        const last = markdown(t, 'doc', v2);
        expect(await store.readDocument(t, last.document.id)).toEqual(sortGraph(last));
        expect(await store.stats(t)).toEqual(await store.stats(fresh));
      });

      it('is idempotent: the same batch twice gives what it gives once', async () => {
        const t = tenant();
        const docs = [...taxExample(t), ...chain(t)];
        await store.replaceDocuments(t, docs);
        const once = await state(t, docs);
        await store.replaceDocuments(t, docs);
        expect(await state(t, docs)).toEqual(once);
        // Atoms are left out: a shared atom carries the value of whichever document defined it last.
        expect(once.documents.map((d) => ({ ...d, atoms: [] }))).toEqual(docs.map((d) => ({ ...sortGraph(d), atoms: [] })));
      });

      it('writes only its own tenant, and nothing when a graph belongs to another', async () => {
        const [a, b] = [tenant(), tenant()];
        await store.replaceDocuments(b, chain(b));
        const untouched = await state(b, chain(b));
        await store.replaceDocuments(a, [...chain(a), cyclic(a)]);
        expect(await state(b, chain(b))).toEqual(untouched);
        await expect(store.replaceDocuments(b, [cyclic(b), cyclic(a)])).rejects.toThrow(/another tenant/);
        expect(await state(b, [...chain(b), cyclic(b)])).toEqual({ ...untouched, documents: [...untouched.documents, null] });
      });

      it('does nothing for an empty list', async () => {
        const t = tenant();
        await store.replaceDocuments(t, []);
        expect(await store.stats(t)).toEqual(empty());
        await write(t, chain(t));
        const before = await state(t, chain(t));
        await store.replaceDocuments(t, []);
        expect(await state(t, chain(t))).toEqual(before);
      });
    });

    it('never answers one tenant with the nodes of another (property)', async () => {
      const name = fc.constantFrom('Rate', 'Region', 'Amount', 'Status', 'Limit', HOSTILE_NAMES[2]);
      const line = fc.oneof(
        fc.tuple(name, name).map(([a, b]) => `- IF [[${a}]] > 1 THEN [[${b}]] = 2`),
        fc.tuple(name, name).map(([a, b]) => `- [[${a}]] REQUIRES [[${b}]]`),
        name.map((a) => `- **${a}**: 5%`),
        name.map((a) => `- [[${a}]] MUST BE <= 30%`),
      );
      const docs = fc.array(fc.array(line, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(docs, docs, async (left, right) => {
          const [a, b] = [tenant(), tenant()];
          const graphs = (t: string, texts: string[][]) => texts.map((lines, i) => markdown(t, `doc-${i}`, `# Doc\n\n${lines.join('\n')}\n`));
          const knowledge = { [a]: graphs(a, left), [b]: graphs(b, right) };
          for (const t of [a, b]) {
            await write(t, knowledge[t]);
            const atoms = knowledge[t].flatMap((g) => g.atoms.map((x) => x.id));
            const molecules = knowledge[t].flatMap((g) => g.molecules.map((m) => m.id));
            await store.setRelations(t, 'test', atoms.slice(1).map((to, i) => ({ from: atoms[i], to, type: 'similar_to', strength: 1 })));
            await store.setConflicts(t, 'test', molecules.slice(1).map((to, i) => ({ from: molecules[i], to, reason: 'r', severity: 'low' })));
          }
          for (const [mine, other] of [
            [a, b],
            [b, a],
          ]) {
            const own = new Set(knowledge[mine].flatMap((g) => [...g.atoms.map((x) => x.id), ...g.molecules.map((m) => m.id), g.document.id]));
            const seen: string[] = [];
            for (const start of knowledge[mine].flatMap((g) => g.atoms.map((x) => x.id))) {
              const impact = (await store.impact(mine, start, 3))!;
              seen.push(impact.atom.id, ...impact.atoms.map((x) => x.id), ...impact.molecules.map((m) => m.id), ...impact.documents.map((d) => d.id));
              seen.push(...(await store.moleculesContainingAtom(mine, start)).map((u) => u.molecule.id));
              seen.push(...(await store.relatedConcepts(mine, start, 3)).map((r) => r.atom.id));
              expect(await store.impact(other, start, 3)).toBeNull();
              expect(await store.moleculesContainingAtom(other, start)).toEqual([]);
              expect(await store.relatedConcepts(other, start, 3)).toEqual([]);
            }
            for (const m of knowledge[mine].flatMap((g) => g.molecules.map((x) => x.id))) {
              seen.push(...(await store.conflictsOf(mine, m)).map((c) => c.molecule.id));
              expect(await store.conflictsOf(other, m)).toEqual([]);
            }
            for (const cycle of await store.cycles(mine)) seen.push(...cycle.atoms.map((x) => x.id), ...cycle.molecules);
            expect(seen.filter((id) => !own.has(id))).toEqual([]);
            for (const g of knowledge[mine]) expect(await store.readDocument(other, g.document.id)).toBeNull();
          }
          for (const t of [a, b]) await store.clearTenant(t);
        }),
        { numRuns: 12 },
      );
    });
  });
}

function empty(): GraphStats {
  return {
    nodes: { Atom: 0, Molecule: 0, Document: 0, Block: 0, Domain: 0 },
    relationships: { PART_OF: 0, APPEARS_IN: 0, REQUIRES: 0, CONFLICTS_WITH: 0, RELATED_TO: 0, PART_OF_DOCUMENT: 0, IN_DOMAIN: 0 },
  };
}
