/** `requires-missing` and `requires-cycle`. */
import Graph from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { bidirectional } from 'graphology-shortest-path/unweighted';
import { enforcementSeverity, type Enforcement, type Finding, type Molecule } from '../model';
import { finding, findingAtEach, type DomainView, type Place } from './context';
import { forEachSubject } from './atoms';

export function checkRequiresMissing(view: DomainView): Finding[] {
  const available = new Set<string>();
  for (const { definition } of view.definitions) available.add(definition.key);
  for (const { molecule } of view.rules) for (const r of molecule.results) available.add(r.target.key);
  for (const { molecule } of view.requires) available.add(molecule.subject.key);
  const out: Finding[] = [];
  for (const { uri, molecule } of view.requires) {
    for (const ref of molecule.required) {
      if (available.has(ref.key)) continue;
      out.push(
        finding(
          view,
          'requires-missing',
          enforcementSeverity(molecule.enforcement),
          { uri, blockId: molecule.blockId, span: ref.span },
          `${molecule.subject.name} requires '${ref.name}', which is neither defined nor set by any rule in domain '${view.domain}'`,
          [],
          { name: ref.name },
        ),
      );
    }
  }
  return out;
}

interface Edge {
  place: Place;
  enforcement: Enforcement;
  /** How this rule makes `from` depend on `to`. */
  how: 'requires' | 'conditions';
}

/**
 * The dependency graph between atoms: `X REQUIRES A` gives X → A; a rule
 * `IF A … THEN T = …` gives T → A (its result depends on its inputs). A
 * cycle in it is a `requires-cycle`, reported at every rule on the cycle.
 */
export function checkRequiresCycles(view: DomainView): Finding[] {
  const graph = new Graph<{ name: string }, Edge>({ type: 'directed', multi: true, allowSelfLoops: true });
  const addEdge = (from: { key: string; name: string }, to: { key: string; name: string }, edge: Edge) => {
    graph.mergeNode(from.key, { name: from.name });
    graph.mergeNode(to.key, { name: to.name });
    graph.addDirectedEdge(from.key, to.key, edge);
  };
  const placeOf = (uri: string, m: Molecule): Place => ({ uri, blockId: m.blockId, span: m.span });
  for (const { uri, molecule } of view.requires) {
    for (const ref of molecule.required) addEdge(molecule.subject, ref, { place: placeOf(uri, molecule), enforcement: molecule.enforcement, how: 'requires' });
  }
  for (const { uri, molecule } of view.rules) {
    for (const result of molecule.results) {
      forEachSubject(molecule.condition, (input) =>
        addEdge(result.target, input, { place: placeOf(uri, molecule), enforcement: molecule.enforcement, how: 'conditions' }),
      );
    }
  }
  const out: Finding[] = [];
  for (const component of stronglyConnectedComponents(graph)) {
    const cycle = cycleIn(graph, component);
    if (!cycle) continue;
    const names = cycle.nodes.map((key) => graph.getNodeAttribute(key, 'name'));
    const path = [...names, names[0]].join(' → ');
    const steps = cycle.edges.map((e, i) => ({
      edge: e,
      message:
        e.how === 'requires'
          ? `${names[i]} requires ${names[(i + 1) % names.length]}`
          : `${names[i]} is set from ${names[(i + 1) % names.length]}`,
    }));
    const unique = steps.filter((s, i) => steps.findIndex((t) => samePlace(t.edge.place, s.edge.place)) === i);
    const severity = enforcementSeverity(strictest(unique.map((s) => s.edge.enforcement)));
    const places = unique.map((s) => ({ place: s.edge.place, message: s.message }));
    out.push(...findingAtEach(view, 'requires-cycle', severity, places, (i) => `Dependency cycle: ${path} (here: ${places[i].message})`));
  }
  return out;
}

/** One shortest cycle through the component, or null when it has none (a single node without a self-loop). */
function cycleIn(graph: Graph<{ name: string }, Edge>, component: string[]): { nodes: string[]; edges: Edge[] } | null {
  const start = [...component].sort()[0];
  if (component.length === 1) {
    const loop = graph.outEdges(start, start)[0];
    return loop === undefined ? null : { nodes: [start], edges: [graph.getEdgeAttributes(loop)] };
  }
  let best: string[] | null = null;
  for (const next of graph.outNeighbors(start).sort()) {
    if (!component.includes(next)) continue;
    const back = next === start ? [start] : bidirectional(graph, next, start);
    if (back && (!best || back.length + 1 < best.length)) best = [start, ...back];
  }
  if (!best) return null;
  const nodes = best.slice(0, -1);
  const edges = nodes.map((from, i) => graph.getEdgeAttributes(graph.outEdges(from, best![i + 1])[0]));
  return { nodes, edges };
}

function samePlace(a: Place, b: Place): boolean {
  return a.uri === b.uri && a.blockId === b.blockId && a.span.start === b.span.start;
}

const RANK: Record<Enforcement, number> = { block: 2, warn: 1, inform: 0 };

export function strictest(levels: Enforcement[]): Enforcement {
  return levels.reduce<Enforcement>((a, b) => (RANK[b] > RANK[a] ? b : a), 'inform');
}
