/**
 * `knowledge/impactGraph` over a real LSP connection: the nodes a change to
 * an atom reaches (with hops, locations and conflicts), the edges between
 * them, the depth asked or configured, and null off an atom.
 */
import { describe, expect, it } from 'vitest';
import { IMPACT_GRAPH_REQUEST, type ImpactGraphParams, type ImpactGraphResult } from '../../../../shared/src/protocol';
import { positionOf, type TestClient } from '../testing';
import { onCleanup, serve } from './serve';

/**
 * A feeds R1 (with an exception) and R1b, which conflict over B; B feeds R2
 * in beta.md, which sets C; D REQUIRES C.
 */
const ALPHA = `# Alpha

- **A**: 10%
- IF [[A]] > 5% THEN [[B]] = 1 {block}
  - UNLESS [[A]] > 50%
- IF [[A]] > 5% THEN [[B]] = 2
`;
const BETA = `# Beta

- IF [[B]] = 1 THEN [[C]] = yes
- [[D]] REQUIRES [[C]]
`;



function graphAt(client: TestClient, uri: string, text: string, needle: string, offset: number, depth?: number): Promise<ImpactGraphResult> {
  const params: ImpactGraphParams = { textDocument: { uri }, position: positionOf(text, needle, offset), ...(depth ? { depth } : {}) };
  return client.request<ImpactGraphResult>(IMPACT_GRAPH_REQUEST, params);
}

/** The graph as readable lines: `hops kind label [conflict]` per node, `label -kind-> label` per edge. */
function render(result: NonNullable<ImpactGraphResult>): { nodes: string[]; edges: string[] } {
  const label = new Map(result.nodes.map((n) => [n.id, n.label]));
  return {
    nodes: result.nodes.map((n) => `${n.hops} ${n.kind} ${n.label}${n.conflict ? ' [conflict]' : ''}`).sort(),
    edges: result.edges.map((e) => `${label.get(e.source)} -${e.kind}-> ${label.get(e.target)}`).sort(),
  };
}

describe('knowledge/impactGraph', () => {
  it('gives the atom, the rules and atoms it affects with their documents, and the relationships between them', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const alpha = ws.uri('domains/tax/alpha.md');
    const result = await graphAt(client, alpha, ALPHA, '[[A]]', 2, 5);
    expect(result).not.toBeNull();
    expect(result!.atom).toBe('A');
    expect(result!.source).toBe('memory');
    const { nodes, edges } = render(result!);
    expect(nodes).toEqual([
      '0 atom A',
      '1 document Alpha',
      '1 rule IF A > 5% THEN B = 1 {block} [conflict]',
      '1 rule IF A > 5% THEN B = 2 [conflict]',
      '1 rule UNLESS A > 50%',
      '2 atom B',
      '3 document Beta',
      '3 rule IF B = 1 THEN C = yes',
      '4 atom C',
      '5 rule D REQUIRES C',
    ]);
    expect(edges).toEqual(
      [
        'A -part-of-> IF A > 5% THEN B = 1 {block}',
        'A -part-of-> IF A > 5% THEN B = 2',
        'A -part-of-> UNLESS A > 50%',
        'B -part-of-> IF B = 1 THEN C = yes',
        'D REQUIRES C -in-document-> Beta',
        'D REQUIRES C -requires-> C',
        'IF A > 5% THEN B = 1 {block} -in-document-> Alpha',
        'IF A > 5% THEN B = 1 {block} -sets-> B',
        'IF A > 5% THEN B = 2 -in-document-> Alpha',
        'IF A > 5% THEN B = 2 -sets-> B',
        'IF B = 1 THEN C = yes -in-document-> Beta',
        'IF B = 1 THEN C = yes -sets-> C',
        'UNLESS A > 50% -in-document-> Alpha',
        'UNLESS A > 50% -part-of-> IF A > 5% THEN B = 1 {block}',
      ]
        .concat(conflictEdge(result!))
        .sort(),
    );
    // Where clicking goes: the atom's definition, each rule's line, the documents.
    const byLabel = new Map(result!.nodes.map((n) => [n.label, n]));
    expect(byLabel.get('A')!.location).toEqual({ uri: alpha, range: { start: positionOf(ALPHA, 'A**'), end: positionOf(ALPHA, 'A**', 1) } });
    expect(byLabel.get('IF B = 1 THEN C = yes')!.location?.uri).toBe(ws.uri('domains/tax/beta.md'));
    expect(byLabel.get('IF B = 1 THEN C = yes')!.location?.range.start.line).toBe(2);
    expect(byLabel.get('UNLESS A > 50%')!.location?.range.start.line).toBe(4);
    expect(byLabel.get('Beta')!.location).toEqual({ uri: ws.uri('domains/tax/beta.md'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  });

  it('follows knowledge.impact.depth when the request names none', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const result = await graphAt(client, ws.uri('domains/tax/beta.md'), BETA, '[[B]]', 2);
    // From B (3 hops by default): R2, C, the REQUIRES rule — not D (4 hops).
    expect(render(result!).nodes).toEqual(['0 atom B', '1 document Beta', '1 rule IF B = 1 THEN C = yes', '2 atom C', '3 rule D REQUIRES C']);
  });

  it('answers null off an atom, and the atom alone when nothing uses it', async () => {
    const text = '# Lone\n\n- **Lone**: 5\n\nSome prose.\n';
    const { ws, client } = await serve({ 'lone.md': text });
    expect(await graphAt(client, ws.uri('lone.md'), text, 'prose', 1)).toBeNull();
    const lone = await graphAt(client, ws.uri('lone.md'), text, 'Lone**', 1);
    expect(render(lone!)).toEqual({ nodes: ['0 atom Lone'], edges: [] });
  });
});

/** The one conflicts-with edge between R1 and R1b (its direction follows the ids, so it is read from the result). */
function conflictEdge(result: NonNullable<ImpactGraphResult>): string[] {
  const label = new Map(result.nodes.map((n) => [n.id, n.label]));
  const found = result.edges.filter((e) => e.kind === 'conflicts-with').map((e) => `${label.get(e.source)} -conflicts-with-> ${label.get(e.target)}`);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(/^IF A > 5% THEN B = [12].* -conflicts-with-> IF A > 5% THEN B = [12]/);
  return found;
}
