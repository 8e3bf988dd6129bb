import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { blockRowId, documentId, domainId, moleculeRowId } from '../persistence/ids';
import { atom, markdown, taxExample } from './fixtures';
import { graphKeys, toGraph } from './model';

const T = 'tenant-a';
const quebec = () => taxExample(T).find((g) => g.document.uri.endsWith('/quebec.md'))!;
const rule = (g: ReturnType<typeof quebec>, prefix: string) => g.molecules.find((m) => m.summary.startsWith(prefix))!;

describe('toGraph', () => {
  it('maps the document, its domain and blocks with the shared stable ids', () => {
    const g = quebec();
    const uri = 'file:///kb/domains/tax/quebec.md';
    expect(g.document).toEqual({ id: documentId(T, uri), uri, title: 'Quebec: provincial withholding on RRSP withdrawals', type: 'document', domain: 'tax' });
    expect(g.domain).toEqual({ id: domainId(T, 'tax'), name: 'tax' });
    expect(g.blocks[0]).toMatchObject({ order: 0, blockType: 'heading_1', parentId: null });
    const nested = g.blocks.find((b) => b.parentId !== null)!;
    expect(g.blocks.map((b) => b.id)).toContain(nested.parentId);
  });

  it('gives atoms their identity, definitions their value, and rule atoms their roles', () => {
    const g = quebec();
    const rate = g.atoms.find((a) => a.name === 'Quebec Provincial Rate')!;
    expect(rate).toMatchObject({ id: atom(T, rate.name!, 'tax'), type: 'NumberAtom', value: 0.14, unit: 'percent', canonical: '14%', source: 'manual' });
    expect(rate.definedIn).toBe(g.document.id);
    const used = g.atoms.find((a) => a.name === 'Jurisdiction')!;
    expect(used).toMatchObject({ type: null, value: null, definedIn: null, key: 'jurisdiction' });

    const first = rule(g, 'IF Jurisdiction = Quebec');
    const roles = g.partOf.filter((r) => r.to === first.id && r.role !== 'exception').map((r) => [g.atoms.find((a) => a.id === r.from)?.name, r.role, r.order]);
    expect(roles).toEqual([
      ['Jurisdiction', 'condition', 0],
      ['Provincial Withholding Rate', 'result', 1],
      ['Quebec Provincial Rate', 'value', 2],
    ]);
    expect(first).toMatchObject({
      type: 'ConditionMolecule',
      moleculeType: 'ConditionMolecule',
      ruleType: 'if_then',
      condition: 'Jurisdiction = Quebec',
      result: 'Provincial Withholding Rate = [[Quebec Provincial Rate]]',
      enforcement: 'warn',
      domain: 'tax',
      documentId: g.document.id,
    });
  });

  it('links an exception to its rule with PART_OF role exception', () => {
    const g = quebec();
    const exception = rule(g, 'UNLESS');
    expect(exception).toMatchObject({ ruleType: 'exception', condition: 'Resident Status = non-resident', result: null });
    expect(g.partOf.filter((r) => r.from === exception.id)).toEqual([
      { from: exception.id, to: rule(g, 'IF Jurisdiction = Quebec').id, role: 'exception', order: 0 },
    ]);
    const uri = g.document.uri;
    const snapshot = parseDocument(uri, readFileSync(fileURLToPath(new URL('../../../examples/rrsp/domains/tax/quebec.md', import.meta.url)), 'utf8'));
    const core = snapshot.molecules.find((m) => m.type === 'ExceptionMolecule')!;
    expect(exception.id).toBe(moleculeRowId(T, uri, core.id));
    expect(exception.blockId).toBe(blockRowId(T, uri, core.blockId));
  });

  it('makes REQUIRES relationships to each required atom, the subject PART_OF as subject', () => {
    const g = quebec();
    const requires = rule(g, 'Quebec Withdrawal REQUIRES');
    const name = (id: string) => g.atoms.find((a) => a.id === id)?.name;
    expect(g.requires.filter((r) => r.moleculeId === requires.id).map((r) => [name(r.atomId), r.type, r.enforcement])).toEqual([
      ['Form T4RSP', 'prerequisite', 'warn'],
      ['Relevé 2', 'prerequisite', 'warn'],
    ]);
    expect(g.partOf.filter((r) => r.to === requires.id).map((r) => [name(r.from), r.role])).toEqual([['Quebec Withdrawal', 'subject']]);
  });

  it('keeps heuristic values as unnamed atoms appearing in their block', () => {
    const g = quebec();
    const heuristic = g.atoms.filter((a) => a.source === 'heuristic');
    expect(heuristic.length).toBeGreaterThan(0);
    for (const a of heuristic) {
      expect(a).toMatchObject({ name: null, key: null, definedIn: g.document.id });
      const [seen] = g.appearsIn.filter((r) => r.atomId === a.id);
      expect(seen.source).toBe('heuristic');
      expect(seen.confidence).toBeLessThan(1);
      expect(g.blocks.map((b) => b.id)).toContain(seen.blockId);
    }
    expect(heuristic.map((a) => a.canonical)).toEqual(expect.arrayContaining(['$10,000', '$1,000']));
  });

  it('records where named atoms appear: one relationship per block, spans relative to it', () => {
    const g = markdown(T, 'spans', '# S\n\n- IF [[Rate]] > 1 THEN [[Rate]] = 2\n\nSee [[Rate]] and [[Rate]].\n');
    const rate = atom(T, 'Rate');
    const seen = g.appearsIn.filter((r) => r.atomId === rate);
    expect(seen).toHaveLength(2);
    expect(seen.map((r) => r.spans.length).sort()).toEqual([2, 2]);
    expect(seen.map((r) => r.blockId).sort()).toEqual([g.blocks[1].id, g.blocks[2].id].sort());
    expect(seen.find((r) => r.blockId === g.blocks[2].id)!.spans).toEqual([
      { start: 6, end: 10 },
      { start: 19, end: 23 },
    ]);
  });

  it('stores configuration as JSON without spans or document-local ids, decision table rows as such', () => {
    const [rates] = taxExample(T).filter((g) => g.document.uri.endsWith('withholding-rates.md'));
    const rows = rates.molecules.filter((m) => m.ruleType === 'decision_table');
    expect(rows).toHaveLength(7);
    for (const m of rates.molecules) {
      expect(m.configuration).not.toMatch(/"(span|id|blockId|parentId|exceptionIds)":/);
      expect(JSON.parse(m.configuration)).toMatchObject({ type: m.moleculeType, normalized: m.summary });
    }
  });

  it('stores a JSON atom as its JSON text', () => {
    const g = markdown(T, 'json', '# J\n\n- **Schedule**:\n\n```json\n{"a": [1, 2]}\n```\n');
    expect(g.atoms.find((a) => a.name === 'Schedule')).toMatchObject({ type: 'JSONAtom', value: '{"a":[1,2]}' });
  });

  it('is deterministic, structured-cloneable, and its keys list what it holds', () => {
    const g = quebec();
    expect(quebec()).toEqual(g);
    expect(structuredClone(g)).toEqual(g);
    const keys = graphKeys(g);
    expect(keys.partOf).toHaveLength(new Set(keys.partOf).size);
    expect(keys.appearsIn).toHaveLength(new Set(keys.appearsIn).size);
    expect(keys.defined).toEqual(g.atoms.filter((a) => a.definedIn === g.document.id).map((a) => a.id));
    expect(toGraph('tenant-b', parseDocument(g.document.uri, '# x\n')).document.id).not.toBe(g.document.id);
  });
});
