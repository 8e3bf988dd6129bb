/**
 * What an index worker keeps of a snapshot for its domain's check
 * (`forChecks.ts`): the checks find exactly what they find on the parsed
 * snapshots, and equal parts are one object.
 */
import { describe, expect, it } from 'vitest';
import { section } from '../../../test/bench/generate';
import { parseDocument, type DocumentSnapshot } from '../core/document';
import type { ConditionMolecule, ConstraintMolecule, Molecule } from '../core/model';
import { exampleTexts } from '../core/testing/examples';
import { Workspace } from '../core/workspace';
import { CheckSnapshots } from './forChecks';
import { recordOf } from './indexWorkers';
import { deflateText } from './storedText';

function findings(docs: DocumentSnapshot[]): string {
  const workspace = new Workspace({ tenant: 't', keepState: () => false });
  for (const doc of docs) workspace.upsert(doc);
  return JSON.stringify(workspace.findings());
}

const texts = () => [
  ...exampleTexts(),
  // Two copies of a section in one domain: conflicts between them, values at the same places.
  `---\ndomain: bulk\n---\n# One\n\n${section(1)}`,
  `---\ndomain: bulk\n---\n# Two\n\n${section(1)}${section(2)}`,
  // A definition that breaks a constraint.
  '---\ndomain: caps\n---\n# Caps\n\n- **Cap Rate**: 40%\n- [[Cap Rate]] MUST BE <= 30%\n',
];
const parsed = () => texts().map((text, i) => parseDocument(`file:///kb/f${i}.md`, text));

describe('snapshots kept for the checks', () => {
  it('are checked to the same findings as the snapshots parsed', () => {
    const expected = findings(parsed());
    // Findings of every kind the examples and the copies hold: the comparison means something.
    for (const code of ['rule-conflict', 'redundant-rule', 'duplicate-atom', 'requires-missing', 'requires-cycle', 'unknown-atom', 'orphan-exception', 'constraint-violation', 'table-gap', 'parse-error']) {
      expect(expected).toContain(`"code":"${code}"`);
    }
    const kept = new CheckSnapshots();
    expect(findings(parsed().map((doc) => kept.keep(doc)))).toBe(expected);
    // Their texts kept deflated, read back for the findings' ranges.
    const deflated = parsed().map((doc) => kept.keep(doc, deflateText(doc.text)));
    expect(findings(deflated)).toBe(expected);
    expect(deflated.map((doc) => doc.text)).toEqual(texts());
  });

  it('are parsed with less extracted, to the same findings and records', () => {
    const full = parsed();
    const lean = texts().map((text, i) => parseDocument(`file:///kb/f${i}.md`, text, 0, 'checks'));
    expect(findings(lean)).toBe(findings(full));
    expect(lean.map(recordOf)).toEqual(full.map(recordOf));
    // No values read from prose, and a normalised form for constraints only.
    expect(full.flatMap((doc) => doc.extracted).length).toBeGreaterThan(0);
    expect(lean.flatMap((doc) => doc.extracted)).toEqual([]);
    const normalized = (docs: DocumentSnapshot[], constraints: boolean) =>
      docs.flatMap((doc) => doc.molecules.filter((m) => (m.type === 'ConstraintMolecule') === constraints).map((m) => m.normalized));
    expect(normalized(lean, false).every((n) => n === '')).toBe(true);
    expect(normalized(full, false).every((n) => n !== '')).toBe(true);
    expect(normalized(lean, true)).toEqual(normalized(full, true));
    expect(normalized(lean, true).length).toBeGreaterThan(0);
  });

  it('share equal spans, value operands and empty lists, and drop what the checks never read', () => {
    const kept = new CheckSnapshots();
    const [a, b] = [0, 1].map((i) => kept.keep(parseDocument(`file:///kb/s${i}.md`, `# S\n\n${section(3)}`)));
    const rules = (doc: DocumentSnapshot) => doc.molecules.filter((m): m is ConditionMolecule => m.type === 'ConditionMolecule' && !m.table);
    const [ra, rb] = [rules(a)[0], rules(b)[0]];
    // Two documents, one rule each at the same place in its block: equal parts are one object.
    expect(ra).not.toBe(rb);
    expect(ra.span).toBe(rb.span);
    expect(ra.results[0].operand).toBe(rb.results[0].operand);
    const first = ra.condition.kind === 'and' ? ra.condition.items[0] : ra.condition;
    const other = rb.condition.kind === 'and' ? rb.condition.items[0] : rb.condition;
    expect(first.kind === 'cmp' && other.kind === 'cmp' && first.operands === other.operands).toBe(true);
    // Rules without exceptions share one empty list.
    const plain = [...rules(a), ...rules(b)].filter((m) => m.exceptionIds.length === 0);
    expect(plain.length).toBeGreaterThan(1);
    expect(new Set(plain.map((m) => m.exceptionIds)).size).toBe(1);
    // Blocks keep their id and span; normalised forms stay for constraints only; no heuristic values.
    expect(Object.keys(a.blocks[0]).sort()).toEqual(['id', 'span']);
    const byType = (type: Molecule['type']) => a.molecules.filter((m) => m.type === type);
    expect(byType('ConstraintMolecule').map((m) => (m as ConstraintMolecule).normalized)).toEqual([expect.stringContaining('MUST BE')]);
    expect(new Set(a.molecules.filter((m) => m.type !== 'ConstraintMolecule').map((m) => m.normalized))).toEqual(new Set(['']));
    expect(a.extracted).toEqual([]);
  });

  it('keeps large spans as they are, and starts afresh when forgetting', () => {
    const kept = new CheckSnapshots();
    const docs = [0, 1, 2, 3, 4].map((i) => parseDocument(`file:///kb/l${i}.md`, `# L\n\n${section(4)}`));
    // Spans that one number per pair could not tell apart (1 · 65536 + 70000 = 2 · 65536 + 4464).
    docs[0].molecules[0].span = { start: 1, end: 70_000 };
    docs[1].molecules[0].span = { start: 2, end: 4464 };
    // Spans the parser does not share (it shares those near the start of their block).
    for (const doc of docs.slice(2)) doc.molecules[0].span = { start: 600, end: 650 };
    const [a, b, c, d] = docs.slice(0, 4).map((doc) => kept.keep(doc));
    expect(a.molecules[0].span).toEqual({ start: 1, end: 70_000 });
    expect(b.molecules[0].span).toEqual({ start: 2, end: 4464 });
    expect(c.molecules[0].span).toBe(d.molecules[0].span);
    kept.forget();
    const e = kept.keep(docs[4]);
    expect(e.molecules[0].span).toEqual(c.molecules[0].span);
    expect(e.molecules[0].span).not.toBe(c.molecules[0].span);
  });

  it('start afresh once they keep more objects than their limit', () => {
    const doc = (i: number) => {
      const parsed = parseDocument(`file:///kb/m${i}.md`, `# M\n\n${section(5)}`);
      parsed.molecules[0].span = { start: 600, end: 650 };
      return parsed;
    };
    const shared = new CheckSnapshots(1000);
    const [a, b] = [doc(0), doc(1)].map((d) => shared.keep(d));
    expect(a.molecules[0].span).toBe(b.molecules[0].span);
    // A document's spans and operands are more than none: each next document starts afresh.
    const afresh = new CheckSnapshots(0);
    const [c, d] = [doc(2), doc(3)].map((x) => afresh.keep(x));
    expect(c.molecules[0].span).toEqual(d.molecules[0].span);
    expect(c.molecules[0].span).not.toBe(d.molecules[0].span);
  });
});
