/**
 * `knowledge/impactGraph`: the neighbourhood of the atom under the cursor, as
 * nodes and edges for the client's impact graph webview and its "show impact"
 * quick pick. Nodes: the atom, the rules and atoms a change to it affects (up
 * to the depth asked, else `knowledge.impact.depth`), and the documents of
 * those rules; each with where clicking it goes, rules in a rule-conflict
 * finding marked. Edges mirror the graph's relationships between those nodes:
 * an atom `part-of` a rule (any role but result), a rule `sets` an atom, a
 * rule `requires` an atom, an exception `part-of` its rule, rules
 * `conflicts-with` each other, a rule `in-document`.
 *
 * Null when the cursor is not on an atom name. Asking for the picture is a
 * deliberate act, not a mouse move: Neo4j gets a longer budget than a hover's.
 */
import {
  IMPACT_GRAPH_REQUEST,
  type ImpactGraphEdge,
  type ImpactGraphNode,
  type ImpactGraphParams,
  type ImpactGraphResult,
} from '../../../../shared/src/protocol';
import { normalizeName, type Range } from '../../core/model';
import { rolesOf } from '../../graph/molecules';
import { atomId } from '../../persistence/ids';
import type { Feature, ServerContext } from '../context';
import {
  clampDepth,
  conflictPartner,
  conflictsAt,
  definitionsOf,
  documentUris,
  impactOf,
  placeOfRule,
  ruleRowId,
  usesOf,
  type AnswerOptions,
  type RulePlace,
} from '../impact';
import { atomAt } from './atomAt';

export const impactGraphFeature: Feature = {
  name: 'impactGraph',
  register(ctx) {
    ctx.connection.onRequest(IMPACT_GRAPH_REQUEST, (params: ImpactGraphParams) => impactGraph(ctx, params));
  },
};

/** How long the impact graph waits for Neo4j before drawing from the local index. */
const GRAPH_BUDGET_MS = 1000;

export async function impactGraph(
  ctx: ServerContext,
  params: ImpactGraphParams,
  options: AnswerOptions = { budgetMs: GRAPH_BUDGET_MS },
): Promise<ImpactGraphResult> {
  const at = atomAt(ctx.kb, params.textDocument.uri, params.position);
  if (!at) return null;
  const { doc, occurrence } = at;
  const tenant = ctx.kb.tenant;
  const depth = params.depth !== undefined ? clampDepth(params.depth) : (await ctx.settings.for(doc.uri)).impactDepth;
  const answer = await impactOf(ctx, doc.domain, occurrence.key, depth, options);
  const rootId = atomId(tenant, doc.domain, occurrence.key);
  const root = definitionsOf(ctx.kb, doc.domain, occurrence.key)[0]?.occurrence;
  const nodes = new Map<string, ImpactGraphNode>();
  const edges = new Map<string, ImpactGraphEdge>();
  const edge = (source: string, target: string, kind: ImpactGraphEdge['kind']) => {
    if (nodes.has(source) && nodes.has(target)) edges.set(`${source}|${target}|${kind}`, { source, target, kind });
  };
  const name = root?.name ?? answer.impact?.atom.name ?? occurrence.name;
  nodes.set(rootId, {
    id: rootId,
    kind: 'atom',
    label: name,
    location: root ? { uri: root.uri, range: ctx.kb.range(root) } : { uri: doc.uri, range: at.range },
    hops: 0,
  });
  const impact = answer.impact;
  if (!impact) return { atom: name, nodes: [...nodes.values()], edges: [], source: answer.source };

  for (const a of impact.atoms) {
    const place = a.name !== null ? atomPlace(ctx, a.domain, normalizeName(a.name)) : undefined;
    nodes.set(a.id, { id: a.id, kind: 'atom', label: a.name ?? a.canonical ?? 'value', ...(place ? { location: place } : {}), hops: a.hops });
  }
  for (const d of impact.documents) {
    nodes.set(d.id, { id: d.id, kind: 'document', label: d.title, location: { uri: d.uri, range: START }, hops: d.hops });
  }
  const uris = documentUris(impact);
  const places = new Map<string, RulePlace>();
  const partners: [string, string][] = [];
  for (const m of impact.molecules) {
    const uri = uris.get(m.documentId);
    const place = uri ? placeOfRule(ctx.kb, m, uri) : undefined;
    if (place) places.set(m.id, place);
    const conflicts = place?.local ? conflictsAt(ctx.kb, place.uri, place.range) : [];
    nodes.set(m.id, {
      id: m.id,
      kind: 'rule',
      label: m.summary,
      ...(place ? { location: { uri: place.uri, range: place.range } } : {}),
      ...(conflicts.length > 0 ? { conflict: true } : {}),
      hops: m.hops,
    });
    for (const c of conflicts) {
      const other = conflictPartner(tenant, c);
      if (other) partners.push(ordered(m.id, other));
    }
  }
  for (const [a, b] of partners) edge(a, b, 'conflicts-with');

  // Edges: from the rules as the local index has them; for rules only the team graph knows, from its PART_OF relationships.
  const remote: string[] = [];
  for (const m of impact.molecules) {
    edge(m.id, m.documentId, 'in-document');
    const local = places.get(m.id)?.local;
    if (!local) {
      remote.push(m.id);
      continue;
    }
    const { doc: ruleDoc, molecule } = local;
    const atom = (key: string) => atomId(tenant, ruleDoc.domain, key);
    for (const { ref, role } of rolesOf(molecule)) {
      if (role === 'result') edge(m.id, atom(ref.key), 'sets');
      else edge(atom(ref.key), m.id, 'part-of');
    }
    if (molecule.type === 'RequiresMolecule') for (const ref of molecule.required) edge(m.id, atom(ref.key), 'requires');
    if (molecule.type === 'ExceptionMolecule' && molecule.parentId !== null) {
      edge(m.id, ruleRowId(tenant, ruleDoc.uri, { id: molecule.parentId }), 'part-of');
    }
  }
  if (remote.length > 0) {
    const wanted = new Set(remote);
    const uses = await usesOf(ctx, answer.source, doc.domain, [rootId, ...impact.atoms.map((a) => a.id)], options);
    for (const [atom, list] of uses) {
      for (const { molecule, roles } of list) {
        if (!wanted.has(molecule.id)) continue;
        for (const role of roles) {
          if (role === 'result') edge(molecule.id, atom, 'sets');
          else edge(atom, molecule.id, 'part-of');
        }
      }
    }
  }
  return { atom: name, nodes: [...nodes.values()], edges: [...edges.values()], source: answer.source };
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Where an atom is defined, else where it is first written. */
function atomPlace(ctx: ServerContext, domain: string, key: string): { uri: string; range: Range } | undefined {
  const o = definitionsOf(ctx.kb, domain, key)[0]?.occurrence ?? ctx.kb.occurrences(domain, key)[0];
  return o ? { uri: o.uri, range: ctx.kb.range(o) } : undefined;
}

/** A conflict is one edge whichever side it is seen from. */
function ordered(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}
