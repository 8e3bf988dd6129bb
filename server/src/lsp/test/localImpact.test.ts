/**
 * Impact answered from the knowledge base (`localImpact.ts`) must equal the
 * graph stores' answer: the in-memory GraphStore holding `toGraph` of every
 * document, written in URI order, is the reference.
 */
import { describe, expect, it } from 'vitest';
import { applyEdits, parseDocument, type DocumentSnapshot } from '../../core/document';
import { exampleTexts } from '../../core/testing/examples';
import { MemoryGraphStore } from '../../graph/memory';
import { toGraph } from '../../graph/model';
import { atomId } from '../../persistence/ids';
import { KnowledgeBase } from '../knowledge';
import { keysOfAtoms, localImpact, localUses } from '../localImpact';

const T = 't';

async function reference(docs: DocumentSnapshot[]): Promise<MemoryGraphStore> {
  const store = new MemoryGraphStore();
  for (const doc of [...docs].sort((a, b) => (a.uri < b.uri ? -1 : 1))) await store.replaceDocument(T, toGraph(T, doc));
  return store;
}

/** Every named atom of the documents, with its domain and key. */
function atomsOf(docs: DocumentSnapshot[]): { domain: string; key: string }[] {
  const seen = new Map<string, { domain: string; key: string }>();
  for (const doc of docs) {
    for (const a of toGraph(T, doc).atoms) if (a.key !== null) seen.set(a.id, { domain: a.domain, key: a.key });
  }
  return [...seen.values()];
}

async function expectSameAnswers(kb: KnowledgeBase, docs: DocumentSnapshot[]): Promise<{ hops: Set<number>; types: Set<string> }> {
  const store = await reference(docs);
  const hops = new Set<number>();
  const types = new Set<string>();
  const atoms = atomsOf(docs);
  expect(atoms.length).toBeGreaterThan(20);
  for (const { domain, key } of atoms) {
    const id = atomId(T, domain, key);
    for (const depth of [1, 3]) {
      const expected = await store.impact(T, id, depth);
      expect(localImpact(kb, domain, key, depth), `${domain}/${key} at ${depth}`).toEqual(expected);
      for (const m of expected?.molecules ?? []) {
        hops.add(m.hops);
        types.add(m.moleculeType);
      }
    }
    expect(localUses(kb, domain, key), `${domain}/${key}`).toEqual(await store.moleculesContainingAtom(T, id));
  }
  return { hops, types };
}

describe('impact from the local index', () => {
  const docs = () => exampleTexts().map((text, i) => parseDocument(`file:///kb/doc${String(i).padStart(2, '0')}.md`, text));

  it('answers impact and molecule questions as the graph does, for every atom of the examples', async () => {
    const all = docs();
    const kb = new KnowledgeBase(T);
    for (const doc of all) kb.upsert(doc, 'disk');
    const { hops, types } = await expectSameAnswers(kb, all);
    // The answers went through every kind of step: rules, the atoms they set, exceptions, REQUIRES.
    expect([...hops].sort()).toEqual([1, 2, 3]);
    expect([...types].sort()).toEqual(['ConditionMolecule', 'ConstraintMolecule', 'ExceptionMolecule', 'RequiresMolecule']);
    expect(localImpact(kb, 'tax', 'no such atom', 3)).toBeNull();
    expect(() => localImpact(kb, 'tax', 'a', 0)).toThrow(RangeError);
  });

  it('follows edits and removals', async () => {
    let all = docs();
    const kb = new KnowledgeBase(T);
    for (const doc of all) kb.upsert(doc, 'open');
    // Every rule line of the first document with rules loses its first character, one document goes away.
    const edited = all.findIndex((d) => d.molecules.length > 3);
    let doc = all[edited];
    for (const m of doc.molecules.slice(0, 3)) {
      const at = doc.text.indexOf(doc.text.slice(doc.blocks.find((b) => b.id === m.blockId)!.ownSpan.start).split('\n')[0]);
      doc = applyEdits(doc, [{ span: { start: at, end: at + 3 }, newText: '' }]);
    }
    doc = applyEdits(doc, [{ span: { start: doc.text.length, end: doc.text.length }, newText: '\n- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 99%\n' }]);
    kb.upsert(doc, 'open');
    all[edited] = doc;
    const removed = all.findIndex((d, i) => i !== edited && d.molecules.length > 0);
    kb.remove(all[removed].uri);
    all = all.filter((_, i) => i !== removed);
    await expectSameAnswers(kb, all);
  });

  it('maps atom ids of a domain back to their keys', () => {
    const kb = new KnowledgeBase(T);
    kb.upsert(parseDocument('file:///kb/domains/tax/a.md', '# A\n\n- IF [[Jurisdiction]] = Quebec THEN [[Rate]] = 1%\n'), 'disk');
    const ids = [atomId(T, 'tax', 'rate'), atomId(T, 'tax', 'jurisdiction'), atomId(T, 'pay', 'rate'), 'unknown'];
    expect(keysOfAtoms(kb, 'tax', ids)).toEqual(new Map([[ids[0], 'rate'], [ids[1], 'jurisdiction']]));
  });
});
