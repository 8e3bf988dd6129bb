/** The code lenses' arguments, checked; and the "show impact" quick pick's items, nearest rules first. */
import { describe, expect, it } from 'vitest';
import type { ImpactGraphNode } from '../../shared/src/protocol';
import type { ImpactGraph } from './graphView';
import { impactPickItems, impactTitle, parseShowLocationsArgs } from './locations';

const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 10 } });
const A = 'file:///ws/domains/tax/a.md';
const B = 'file:///ws/domains/tax/b.md';

describe('parseShowLocationsArgs', () => {
  it('accepts (uri, position, locations) in LSP JSON form', () => {
    const args = [A, { line: 3, character: 4 }, [{ uri: B, range: range(7) }]];
    expect(parseShowLocationsArgs(args)).toEqual({ uri: A, position: { line: 3, character: 4 }, locations: [{ uri: B, range: range(7) }] });
    expect(parseShowLocationsArgs([A, { line: 0, character: 0 }, []])?.locations).toEqual([]);
  });

  it.each([
    ['no arguments', []],
    ['a uri that is not a string', [{ path: A }, { line: 0, character: 0 }, []]],
    ['a negative line', [A, { line: -1, character: 0 }, []]],
    ['a fractional character', [A, { line: 1, character: 0.5 }, []]],
    ['locations that are not a list', [A, { line: 1, character: 0 }, { uri: B, range: range(1) }]],
    ['a location without a range', [A, { line: 1, character: 0 }, [{ uri: B }]]],
  ])('rejects %s', (_, args) => {
    expect(parseShowLocationsArgs(args)).toBeNull();
  });
});

describe('impactPickItems', () => {
  const rule = (id: string, hops: number, uri: string, line: number, extra: Partial<ImpactGraphNode> = {}): ImpactGraphNode => ({
    id,
    kind: 'rule',
    label: `rule ${id}`,
    hops,
    location: { uri, range: range(line) },
    ...extra,
  });
  const graph: ImpactGraph = {
    atom: 'Withdrawal Amount',
    source: 'memory',
    nodes: [
      { id: 'atom', kind: 'atom', label: 'Withdrawal Amount', hops: 0, location: { uri: A, range: range(1) } },
      rule('far', 3, A, 2),
      rule('b9', 1, B, 9, { conflict: true }),
      rule('a20', 1, A, 20),
      rule('a5', 1, A, 5),
      rule('a5', 1, A, 5),
      { id: 'unplaced', kind: 'rule', label: 'team rule', hops: 1 },
      { id: 'doc', kind: 'document', label: 'a.md', hops: 1, location: { uri: A, range: range(0) } },
    ],
    edges: [],
  };
  const where = (uri: string, line: number) => `${uri.slice(uri.lastIndexOf('/') + 1)}:${line + 1}`;

  it('lists each placed rule once: nearest first, then by file and line', () => {
    const items = impactPickItems(graph, where);
    expect(items.map((i) => i.detail)).toEqual(['a.md:6', 'a.md:21', 'b.md:10', 'a.md:3']);
    expect(items.map((i) => i.description)).toEqual(['uses it directly', 'uses it directly', 'uses it directly · in conflict', '3 hops away']);
    expect(items[2].label).toBe('$(warning) rule b9');
    expect(items[2].location).toEqual({ uri: B, range: range(9) });
  });

  it('titles the pick with the counts', () => {
    expect(impactTitle(graph, impactPickItems(graph, where))).toBe('Impact of Withdrawal Amount: 4 rules in 2 documents');
    expect(impactTitle(graph, impactPickItems({ ...graph, nodes: [rule('x', 1, A, 1)] }, where))).toBe('Impact of Withdrawal Amount: 1 rule in 1 document');
  });
});
