/** `requires-missing` and `requires-cycle`. */
import Graph from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { bidirectional } from 'graphology-shortest-path/unweighted';
import { enforcementSeverity, type Enforcement, type Finding, type Molecule, type Severity } from '../model';
import { finding, findingAtEach, type DomainView, type Place, type PlaceMessage } from './context';
import { forEachSubject } from './atoms';
import { namesOf } from './cached';

export function checkRequiresMissing(view: DomainView): Finding[] {
  // The view's lists stay the same arrays while their documents' knowledge does.
  const deps = [view.definitions, view.rules, view.requires];
  const available = view.memo('requires-available', deps, () => {
    const keys = new Set<string>();
    for (const { definition } of view.definitions) keys.add(definition.key);
    for (const { molecule } of view.rules) for (const r of molecule.results) keys.add(r.target.key);
    for (const { molecule } of view.requires) keys.add(molecule.subject.key);
    return keys;
  }, () => {
    const structure: unknown[] = [];
    for (const { definition } of view.definitions) structure.push(definition);
    structure.push(null);
    for (const { molecule } of view.rules) structure.push(namesOf(molecule));
    for (const { molecule } of view.requires) structure.push(namesOf(molecule));
    return structure;
  });
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

type Named = { key: string; name: string };

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
  // Position-free (places are block-relative), so memoised while no REQUIRES or rule changed.
  const deps = [view.requires, view.rules];
  // Whether any atom lies on a cycle depends on names only: a rule whose value is edited keeps the answer.
  const cyclic = view.memo('requires-cyclic', deps, () => onCycles(dependencyEdges(view)).size > 0, () => {
    const structure: unknown[] = [];
    for (const { molecule } of view.requires) structure.push(namesOf(molecule));
    structure.push(null);
    for (const { molecule } of view.rules) structure.push(namesOf(molecule));
    return structure;
  });
  if (!cyclic) return [];
  const cycles = view.memo('requires-cycles', deps, () => findCycles(view), () => [...view.requires, null, ...view.rules]);
  return cycles.flatMap(({ path, severity, places }) =>
    findingAtEach(view, 'requires-cycle', severity, places, (i) => `Dependency cycle: ${path} (here: ${places[i].message})`),
  );
}

interface Cycle {
  /** `A → B → A` */
  path: string;
  severity: Severity;
  /** Each rule on the cycle, with what it contributes. */
  places: PlaceMessage[];
}

/** The edges of the dependency graph, without places (see `findCycles`). */
function dependencyEdges(view: DomainView): { from: Named; to: Named }[] {
  const edges: { from: Named; to: Named }[] = [];
  for (const { molecule } of view.requires) for (const ref of molecule.required) edges.push({ from: molecule.subject, to: ref });
  for (const { molecule } of view.rules) {
    for (const result of molecule.results) forEachSubject(molecule.condition, (input) => edges.push({ from: result.target, to: input }));
  }
  return edges;
}

function findCycles(view: DomainView): Cycle[] {
  const edges: { from: Named; to: Named; edge: Edge }[] = [];
  const addEdge = (from: Named, to: Named, edge: Edge) => edges.push({ from, to, edge });
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
  const cyclic = onCycles(edges);
  if (cyclic.size === 0) return [];
  const graph = new Graph<{ name: string }, Edge>({ type: 'directed', multi: true, allowSelfLoops: true });
  for (const { from, to, edge } of edges) {
    if (!cyclic.has(from.key) || !cyclic.has(to.key)) continue;
    graph.mergeNode(from.key, { name: from.name });
    graph.mergeNode(to.key, { name: to.name });
    graph.addDirectedEdge(from.key, to.key, edge);
  }
  const out: Cycle[] = [];
  for (const component of stronglyConnectedComponents(graph)) {
    const cycle = cycleIn(graph, component);
    if (!cycle) continue;
    const names = cycle.nodes.map((key) => graph.getNodeAttribute(key, 'name'));
    const steps = cycle.edges.map((e, i) => ({
      edge: e,
      message:
        e.how === 'requires'
          ? `${names[i]} requires ${names[(i + 1) % names.length]}`
          : `${names[i]} is set from ${names[(i + 1) % names.length]}`,
    }));
    const unique = steps.filter((s, i) => steps.findIndex((t) => samePlace(t.edge.place, s.edge.place)) === i);
    out.push({
      path: [...names, names[0]].join(' → '),
      severity: enforcementSeverity(strictest(unique.map((s) => s.edge.enforcement))),
      places: unique.map((s) => ({ place: s.edge.place, message: s.message })),
    });
  }
  return out;
}

/**
 * The atoms that can lie on a cycle: what remains after repeatedly removing
 * atoms with no incoming or no outgoing dependency. Knowledge is mostly
 * acyclic, so this leaves little or nothing for the graph library.
 */
function onCycles(edges: { from: Named; to: Named }[]): Set<string> {
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const { from, to } of edges) {
    (out.get(from.key) ?? out.set(from.key, []).get(from.key)!).push(to.key);
    (inn.get(to.key) ?? inn.set(to.key, []).get(to.key)!).push(from.key);
  }
  const alive = new Set([...out.keys(), ...inn.keys()]);
  const outDegree = new Map([...alive].map((k) => [k, out.get(k)?.length ?? 0]));
  const inDegree = new Map([...alive].map((k) => [k, inn.get(k)?.length ?? 0]));
  const queue = [...alive].filter((k) => outDegree.get(k) === 0 || inDegree.get(k) === 0);
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (!alive.delete(key)) continue;
    for (const to of out.get(key) ?? []) {
      inDegree.set(to, inDegree.get(to)! - 1);
      if (alive.has(to) && inDegree.get(to) === 0) queue.push(to);
    }
    for (const from of inn.get(key) ?? []) {
      outDegree.set(from, outDegree.get(from)! - 1);
      if (alive.has(from) && outDegree.get(from) === 0) queue.push(from);
    }
  }
  return alive;
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
