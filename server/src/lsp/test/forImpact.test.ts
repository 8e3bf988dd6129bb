/**
 * The language server's in-memory graph leaves out what impact questions do
 * not read (`toGraph`'s `forImpact`): it must answer them exactly as the full
 * graph does.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../core/document';
import { exampleTexts } from '../../core/testing/examples';
import { MemoryGraphStore } from '../../graph/memory';
import { toGraph } from '../../graph/model';

describe('the impact graph', () => {
  it('answers impact and molecule questions like the full graph, for every atom of the examples', async () => {
    const full = new MemoryGraphStore();
    const lean = new MemoryGraphStore();
    const docs = exampleTexts().map((text, i) => parseDocument(`file:///kb/doc${i}.md`, text));
    const graphs = docs.map((doc) => toGraph('t', doc));
    const brief = docs.map((doc) => toGraph('t', doc, { forImpact: true }));
    expect(brief.every((g) => g.blocks.length === 0 && g.molecules.every((m) => m.configuration === ''))).toBe(true);
    for (const g of graphs) await full.replaceDocument('t', g);
    // Written twice: the second write replaces what the first left.
    for (const g of [...brief, ...brief]) await lean.replaceDocument('t', g);
    const atoms = [...new Set(graphs.flatMap((g) => g.atoms.map((a) => a.id)))];
    expect(atoms.length).toBeGreaterThan(20);
    let affected = 0;
    for (const id of atoms) {
      const impact = await full.impact('t', id, 3);
      expect(await lean.impact('t', id, 3)).toEqual(impact);
      expect(await lean.moleculesContainingAtom('t', id)).toEqual(await full.moleculesContainingAtom('t', id));
      affected += impact?.molecules.length ?? 0;
    }
    expect(affected).toBeGreaterThan(0);
    // And it lets go of what it no longer needs: removing every document leaves no atom behind.
    for (const g of graphs) await lean.removeDocument('t', g.document.id);
    for (const id of atoms) expect(await lean.impact('t', id, 1)).toBeNull();
  });
});
