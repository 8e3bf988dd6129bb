/**
 * Documents of domains nobody edits let go of their snapshots once checked
 * (`KnowledgeBase`, `Workspace`'s `documents`): every answer stays what it
 * is when every snapshot is kept.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument, type DocumentSnapshot } from '../../core/document';
import { exampleTexts } from '../../core/testing/examples';
import { KnowledgeBase } from '../knowledge';
import { answers } from './answers';

const docs = (): DocumentSnapshot[] =>
  exampleTexts().map((text, i) => parseDocument(`file:///kb/domains/${i % 2 ? 'tax' : 'pay'}/doc${String(i).padStart(2, '0')}.md`, text));

describe('documents at rest', () => {
  it('let go of their snapshots once their domain is checked, and answer as before', () => {
    const all = docs();
    const resting = new KnowledgeBase('t');
    const kept = new KnowledgeBase('t');
    for (const doc of all) {
      resting.upsert(doc, 'disk');
      kept.upsert(doc, 'open');
    }
    resting.workspace.findings();
    expect(resting.resting()).toEqual(all.map((d) => d.uri).sort());
    expect(kept.resting()).toEqual([]);
    for (const doc of all) expect(resting.get(doc.uri)).toEqual(doc);
    expect(answers(resting)).toEqual(answers(kept));
  });

  it('come back when a document of their domain is opened, and rest again when it is closed', () => {
    const all = docs();
    const kb = new KnowledgeBase('t');
    for (const doc of all) kb.upsert(doc, 'disk');
    kb.workspace.findings();
    const tax = all.filter((d) => d.domain === 'tax').map((d) => d.uri);
    expect(tax.length).toBeGreaterThan(1);
    kb.upsert(kb.get(tax[0])!, 'open');
    kb.workspace.findings();
    expect(kb.resting().filter((uri) => tax.includes(uri))).toEqual([]);
    // While tax is edited, its snapshots stay the same objects.
    const held = tax.map((uri) => kb.get(uri));
    kb.upsert(parseDocument(tax[0], `${kb.get(tax[0])!.text}\n- IF [[Jurisdiction]] = Quebec THEN [[Fee]] = 1%\n`), 'open');
    kb.workspace.findings();
    expect(tax.slice(1).map((uri) => kb.get(uri))).toEqual(held.slice(1));
    for (const [i, uri] of tax.slice(1).entries()) expect(kb.get(uri)).toBe(held[i + 1]);
    kb.setOrigin(tax[0], 'disk');
    expect(kb.resting()).toEqual(all.map((d) => d.uri).sort());
  });

  it('rest domain by domain while a workspace is indexed: a domain settles once others have had enough changes', () => {
    const kb = new KnowledgeBase('t');
    const doc = (domain: string, i: number) => parseDocument(`file:///kb/domains/${domain}/f${i}.md`, `# F${i}\n\n- IF [[A]] = ${i} THEN [[B]] = 1\n`);
    for (let i = 0; i < 5; i++) kb.upsert(doc('first', i), 'disk');
    for (let i = 0; i < 3; i++) kb.upsert(doc('second', i), 'disk');
    kb.checkSettled(3);
    expect(kb.resting()).toEqual([0, 1, 2, 3, 4].map((i) => `file:///kb/domains/first/f${i}.md`));
    // A straggler: the domain is checked again (its documents come back for it) and rests again.
    kb.upsert(doc('first', 9), 'disk');
    kb.checkSettled(3);
    expect(kb.resting().filter((uri) => uri.includes('/second/'))).toEqual([]);
    for (let i = 3; i < 6; i++) kb.upsert(doc('second', i), 'disk');
    kb.checkSettled(3);
    expect(kb.resting().filter((uri) => uri.includes('/first/'))).toHaveLength(6);
    const fresh = new KnowledgeBase('t');
    for (const uri of [...kb.uris()]) fresh.upsert(kb.get(uri)!, 'open');
    expect(kb.workspace.findings()).toEqual(fresh.workspace.findings());
  });

  it('keep a large document’s snapshot (parsing it again would hold up the server)', () => {
    const kb = new KnowledgeBase('t');
    const large = parseDocument('file:///kb/large.md', `# Large\n\n${'Some prose about [[A]] and its history.\n\n'.repeat(8_000)}`);
    const small = parseDocument('file:///kb/small.md', '# Small\n\n- **A**: 1\n');
    kb.upsert(large, 'disk');
    kb.upsert(small, 'disk');
    kb.workspace.findings();
    expect(kb.resting()).toEqual([small.uri]);
    expect(kb.get(large.uri)).toBe(large);
  });
});
