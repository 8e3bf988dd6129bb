/** `requires-missing` and `requires-cycle`. */
import Graph from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { bidirectional } from 'graphology-shortest-path/unweighted';
import { enforcementSeverity, type Enforcement, type Finding, type Molecule, type Severity } from '../model';
import { finding, findingAtEach, type DomainView, type Place, type PlaceMessage, type RequiresEntry, type RuleEntry } from './context';
import { forEachSubject } from './atoms';
import { carried, splice, Tally } from './cached';

export function checkRequiresMissing(view: DomainView): Finding[] {
  // Defined, set by a rule or required by something: counted, carried across refreshes.
  const available = carried(view, 'requires-available', () => new Tally());
  available.update('definitions', view.definitions, ({ definition }, add) => add(definition.key, ''));
  available.update('rules', view.rules, ({ molecule }, add) => {
    for (const r of molecule.results) add(r.target.key, '');
  });
  available.update('requires', view.requires, ({ molecule }, add) => add(molecule.subject.key, ''));
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
  if (!hasCycle(view)) return [];
  // Position-free (places are block-relative), so memoised while no REQUIRES or rule changed.
  const cycles = view.memo('requires-cycles', [view.requires, view.rules], () => findCycles(view), () => [...view.requires, null, ...view.rules]);
  return cycles.flatMap(({ path, severity, places }) =>
    findingAtEach(view, 'requires-cycle', severity, places, (i) => `Dependency cycle: ${path} (here: ${places[i].message})`),
  );
}

/** The dependency graph (from → to → how many molecules give the edge), the lists it was counted from, and whether it has a cycle. */
interface GraphState {
  out: Map<string, Map<string, number>>;
  lists: Map<string, readonly unknown[]>;
  cyclic: boolean | undefined;
}

/**
 * Whether the dependency graph has a cycle, carried across refreshes with the graph: a refresh counts
 * the edges of the molecules an edit replaced. An acyclic graph that gains an edge `a → b` has a cycle
 * exactly when `b` reaches `a`; one that only loses edges stays acyclic; a cyclic graph that loses an
 * edge is looked at whole again.
 */
function hasCycle(view: DomainView): boolean {
  const state = carried<GraphState>(view, 'requires-graph', () => ({ out: new Map(), lists: new Map(), cyclic: undefined }));
  /** The edges whose count went to or from zero, with whether they were there before this refresh (not kept while the graph is first built). */
  const touched = new Map<string, { from: string; to: string; before: boolean }>();
  const first = state.cyclic === undefined;
  const count = (from: string, to: string, by: number) => {
    let targets = state.out.get(from);
    if (!targets) state.out.set(from, (targets = new Map()));
    const was = targets.get(to) ?? 0;
    const n = was + by;
    if (n > 0) targets.set(to, n);
    else {
      targets.delete(to);
      if (targets.size === 0) state.out.delete(from);
    }
    if (first || (was !== 0 && n !== 0)) return;
    const id = `${from}\u0000${to}`;
    if (!touched.has(id)) touched.set(id, { from, to, before: was > 0 });
  };
  const track = <E>(slot: string, list: readonly E[], each: (entry: E, edge: (from: string, to: string) => void) => void) => {
    const { removed, added } = splice((state.lists.get(slot) ?? NO_ENTRIES) as readonly E[], list);
    state.lists.set(slot, list);
    for (const entry of removed) each(entry, (from, to) => count(from, to, -1));
    for (const entry of added) each(entry, (from, to) => count(from, to, 1));
  };
  track<RequiresEntry>('requires', view.requires, ({ molecule }, edge) => {
    for (const ref of molecule.required) edge(molecule.subject.key, ref.key);
  });
  track<RuleEntry>('rules', view.rules, ({ molecule }, edge) => {
    for (const result of molecule.results) forEachSubject(molecule.condition, (input) => edge(result.target.key, input.key));
  });
  const has = (from: string, to: string) => state.out.get(from)?.has(to) ?? false;
  const lost = [...touched.values()].some((e) => e.before && !has(e.from, e.to));
  const gained = [...touched.values()].filter((e) => !e.before && has(e.from, e.to));
  if (first || (state.cyclic && lost)) {
    state.cyclic = isCyclic(state.out);
  } else if (!state.cyclic) {
    state.cyclic = gained.some((e) => reaches(state.out, e.to, e.from));
  }
  return state.cyclic;
}

/** Whether `to` can be reached from `from` along the edges. */
function reaches(out: Map<string, Map<string, number>>, from: string, to: string): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (key === to) return true;
    for (const next of out.get(key)?.keys() ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

/** Whether the graph has a cycle: a depth-first walk that meets an atom still on its path. */
function isCyclic(out: Map<string, Map<string, number>>): boolean {
  /** 1 while on the walk's path, 2 once everything it reaches was walked. */
  const state = new Map<string, 1 | 2>();
  for (const root of out.keys()) {
    if (state.has(root)) continue;
    state.set(root, 1);
    const path: [string, Iterator<string>][] = [[root, out.get(root)!.keys()]];
    while (path.length > 0) {
      const [key, next] = path[path.length - 1];
      const step = next.next();
      if (step.done) {
        state.set(key, 2);
        path.pop();
        continue;
      }
      const to = step.value;
      const seen = state.get(to);
      if (seen === 1) return true;
      if (seen === 2) continue;
      state.set(to, 1);
      path.push([to, (out.get(to) ?? NO_TARGETS).keys()]);
    }
  }
  return false;
}

const NO_TARGETS: ReadonlyMap<string, number> = new Map();
const NO_ENTRIES: readonly never[] = [];

interface Cycle {
  /** `A → B → A` */
  path: string;
  severity: Severity;
  /** Each rule on the cycle, with what it contributes. */
  places: PlaceMessage[];
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
