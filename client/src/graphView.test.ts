/** The impact graph's cytoscape model: nodes once, edges only between known nodes, conflicts red, a readable summary. */
import { describe, expect, it } from 'vitest';
import type { ImpactGraphNode } from '../../shared/src/protocol';
import { FALLBACK_COLORS, graphStylesheet, graphSummary, isWebviewMessage, shorten, toGraphElements, type ImpactGraph } from './graphView';

const at = (uri: string, line: number) => ({ uri, range: { start: { line, character: 2 }, end: { line, character: 40 } } });
const RATES = 'file:///ws/domains/tax/withholding-rates.md';
const DRAFT = 'file:///ws/domains/tax/review-draft.md';

function graph(nodes: ImpactGraphNode[], edges: ImpactGraph['edges'] = [], source: ImpactGraph['source'] = 'memory'): ImpactGraph {
  return { atom: 'Jurisdiction', nodes, edges, source };
}

const JURISDICTION: ImpactGraphNode = { id: 'a1', kind: 'atom', label: 'Jurisdiction', hops: 0, location: at(RATES, 31) };
const ROW: ImpactGraphNode = { id: 'r1', kind: 'rule', label: 'IF Jurisdiction = Quebec THEN Withholding Rate = 10%', hops: 1, location: at(RATES, 57), conflict: true };
const DRAFT_RULE: ImpactGraphNode = { id: 'r2', kind: 'rule', label: 'IF Jurisdiction = Quebec THEN Withholding Rate = 12%', hops: 1, location: at(DRAFT, 9), conflict: true };
const OTHER: ImpactGraphNode = { id: 'r3', kind: 'rule', label: 'Withholding Rate MUST BE <= 30%', hops: 2, location: at(RATES, 66) };
const DOC: ImpactGraphNode = { id: 'd1', kind: 'document', label: 'RRSP Lump-Sum Withholding — Rate Schedule', hops: 1, location: at(RATES, 0) };

describe('toGraphElements', () => {
  it('keeps one node per id and marks the root, conflicts and what can be opened', () => {
    const noPlace: ImpactGraphNode = { id: 'a2', kind: 'atom', label: 'Withholding Rate', hops: 2 };
    const { nodes } = toGraphElements(graph([JURISDICTION, ROW, { ...ROW, label: 'a duplicate id' }, noPlace]));
    expect(nodes.map((n) => n.data.id)).toEqual(['a1', 'r1', 'a2']);
    const [root, row, atom] = nodes.map((n) => n.data);
    expect(root).toMatchObject({ root: true, kind: 'atom', clickable: true, conflict: false });
    expect(row).toMatchObject({ root: false, kind: 'rule', conflict: true, hops: 1, title: ROW.label });
    expect(atom).toMatchObject({ root: false, clickable: false });
  });

  it('drops edges to unknown nodes and self-loops, and keeps each edge once', () => {
    const { edges } = toGraphElements(
      graph(
        [JURISDICTION, ROW, DRAFT_RULE],
        [
          { source: 'a1', target: 'r1', kind: 'part-of' },
          { source: 'a1', target: 'r1', kind: 'part-of' },
          { source: 'r1', target: 'r2', kind: 'conflicts-with' },
          { source: 'r1', target: 'gone', kind: 'sets' },
          { source: 'r2', target: 'r2', kind: 'requires' },
        ],
      ),
    );
    expect(edges.map((e) => e.data.id)).toEqual(['part-of:a1->r1', 'conflicts-with:r1->r2']);
  });

  it('shortens long labels for drawing and keeps the whole text as the title', () => {
    const long: ImpactGraphNode = { ...ROW, label: 'IF Jurisdiction = Quebec AND Withdrawal Amount > $5,000 AND Resident Status = resident THEN Withholding Rate = 10%' };
    const [node] = toGraphElements(graph([long])).nodes;
    expect(node.data.label.length).toBeLessThanOrEqual(48);
    expect(node.data.label.endsWith('…')).toBe(true);
    expect(node.data.title).toBe(long.label);
  });
});

describe('shorten', () => {
  it('cuts at a word boundary and flattens whitespace', () => {
    expect(shorten('a  b\nc')).toBe('a b c');
    expect(shorten('one two three four', 10)).toBe('one two…');
    expect(shorten('abcdefghijklmnop', 10)).toBe('abcdefghi…');
  });
});

describe('graphSummary', () => {
  it('counts rules, documents and conflicts, and says where the answer came from', () => {
    expect(graphSummary(graph([JURISDICTION, ROW, DRAFT_RULE, OTHER]))).toBe('3 rules in 2 documents · 2 in conflict · from the local index');
    expect(graphSummary(graph([JURISDICTION, OTHER, DOC], [], 'neo4j'))).toBe('1 rule in 1 document · from the shared graph (Neo4j)');
    expect(graphSummary(graph([JURISDICTION]))).toBe('no rule uses it · from the local index');
  });
});

describe('graphStylesheet', () => {
  it('draws conflicting rules and conflict edges in the conflict colour', () => {
    const sheet = graphStylesheet({ ...FALLBACK_COLORS, conflict: '#ff0000' });
    const rule = (selector: string) => sheet.find((s) => s.selector === selector)?.style;
    expect(rule('node[?conflict]')).toMatchObject({ 'background-color': '#ff0000' });
    expect(rule('edge[kind = "conflicts-with"]')).toMatchObject({ 'line-color': '#ff0000' });
    expect(rule('node[kind = "rule"]')).toMatchObject({ 'background-color': FALLBACK_COLORS.rule });
    // The conflict rule comes after the kind rules, so it wins.
    expect(sheet.findIndex((s) => s.selector === 'node[?conflict]')).toBeGreaterThan(sheet.findIndex((s) => s.selector === 'node[kind = "rule"]'));
  });
});

describe('isWebviewMessage', () => {
  it('accepts only the two messages the page sends', () => {
    expect(isWebviewMessage({ type: 'ready' })).toBe(true);
    expect(isWebviewMessage({ type: 'open', nodeId: 'r1' })).toBe(true);
    expect(isWebviewMessage({ type: 'open', nodeId: 3 })).toBe(false);
    expect(isWebviewMessage({ type: 'open', uri: 'file:///etc/passwd' })).toBe(false);
    expect(isWebviewMessage('ready')).toBe(false);
    expect(isWebviewMessage(null)).toBe(false);
  });
});
