/** The embedded GraphStore: graphology in memory, same contract as Neo4j. */
import { MultiDirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import {
  graphKeys,
  LABELS,
  RELATIONSHIP_TYPES,
  sortGraph,
  type Conflict,
  type DocumentGraph,
  type GraphKeys,
  type Label,
  type Relation,
  type RelationshipType,
} from './model';
import { documentLinksOf, type DocumentLinks, type LinkFacts } from './links';
import { TenantGraph, type NodeData } from './memoryGraph';
import {
  byHopsThenId,
  checkDepth,
  checkTenant,
  compareIds,
  documentsOf,
  type ConflictHit,
  type Cycle,
  type GraphStats,
  type GraphStore,
  type Impact,
  type MoleculeUse,
  type RelatedConcept,
} from './store';
import { atomSummary, atomWrite, moleculeSummary, UNDEFINED_VALUE } from './summaries';

const NOTHING: GraphKeys = { blocks: [], molecules: [], appearsIn: [], partOf: [], requires: [], defined: [] };

export class MemoryGraphStore implements GraphStore {
  private readonly g = new TenantGraph();
  /** Molecule node keys by document node key. */
  private readonly moleculesOf = new Map<string, Set<string>>();

  replaceDocument(tenant: string, graph: DocumentGraph): Promise<void> {
    return this.replaceDocuments(tenant, [graph]);
  }

  /** One document after the other (in memory a batch saves nothing). */
  async replaceDocuments(tenant: string, graphs: DocumentGraph[]): Promise<void> {
    for (const graph of graphs) checkTenant(tenant, graph);
    for (const graph of graphs) this.replaceOne(tenant, graph);
  }

  private replaceOne(tenant: string, graph: DocumentGraph): void {
    const g = this.g;
    const docId = graph.document.id;
    const keys = graphKeys(graph);
    const old = this.prune(tenant, docId, keys, graph.domain.id);
    const domain = g.put(tenant, { label: 'Domain', tenantId: tenant, props: graph.domain });
    const doc = g.put(tenant, { label: 'Document', tenantId: tenant, props: graph.document });
    g.link('IN_DOMAIN', doc, domain, null);
    for (const block of graph.blocks) g.link('PART_OF_DOCUMENT', g.put(tenant, { label: 'Block', tenantId: tenant, props: block }), doc, null);
    for (const atom of graph.atoms) {
      const { base, defines } = atomWrite(atom, docId);
      const existing = g.get(tenant, 'Atom', atom.id);
      const key = !existing || defines ? g.put(tenant, { label: 'Atom', tenantId: tenant, props: base }) : g.key(tenant, atom.id);
      g.link('IN_DOMAIN', key, domain, null);
    }
    const molecules = this.moleculesOf.get(doc) ?? new Set<string>();
    this.moleculesOf.set(doc, molecules);
    for (const m of graph.molecules) molecules.add(g.put(tenant, { label: 'Molecule', tenantId: tenant, props: m }));
    const exists = (id: string) => g.graph.hasNode(g.key(tenant, id));
    for (const r of graph.partOf) {
      if (exists(r.from) && exists(r.to)) g.link('PART_OF', g.key(tenant, r.from), g.key(tenant, r.to), r, r.role);
    }
    for (const r of graph.appearsIn) if (exists(r.atomId)) g.link('APPEARS_IN', g.key(tenant, r.atomId), doc, r, r.blockId);
    for (const r of graph.requires) {
      if (exists(r.moleculeId) && exists(r.atomId)) g.link('REQUIRES', g.key(tenant, r.moleculeId), g.key(tenant, r.atomId), r);
    }
    this.collect(tenant, docId, old, new Set(keys.defined));
  }

  async removeDocument(tenant: string, documentId: string): Promise<void> {
    const old = this.prune(tenant, documentId, NOTHING, null);
    const doc = this.g.key(tenant, documentId);
    if (this.g.get(tenant, 'Document', documentId)) this.g.drop(doc);
    this.moleculesOf.delete(doc);
    this.collect(tenant, documentId, old, new Set());
  }

  /**
   * Removes what the document had and `keep` does not list; returns the
   * atoms and domains it touched (candidates for collection).
   */
  private prune(tenant: string, documentId: string, keep: GraphKeys, keepDomain: string | null): { atoms: Set<string>; domains: Set<string> } {
    const g = this.g;
    const doc = g.key(tenant, documentId);
    const atoms = new Set<string>();
    const domains = new Set<string>();
    if (!g.get(tenant, 'Document', documentId)) return { atoms, domains };
    const molecules = this.moleculesOf.get(doc) ?? new Set<string>();
    const kept = { molecules: new Set(keep.molecules), blocks: new Set(keep.blocks) };
    const keys = { appearsIn: new Set(keep.appearsIn), partOf: new Set(keep.partOf), requires: new Set(keep.requires) };
    for (const e of g.edges(doc, 'in', 'APPEARS_IN')) {
      atoms.add(e.otherKey);
      if (!keys.appearsIn.has(`${e.props.atomId}|${e.props.blockId}`)) g.graph.dropEdge(e.key);
    }
    for (const m of molecules) {
      for (const e of g.edges(m, 'in', 'PART_OF')) {
        if (e.other.label === 'Atom') atoms.add(e.otherKey);
        if (!keys.partOf.has(`${e.props.from}|${e.props.to}|${e.props.role}`)) g.graph.dropEdge(e.key);
      }
      for (const e of g.edges(m, 'out', 'REQUIRES')) {
        atoms.add(e.otherKey);
        if (!keys.requires.has(`${e.props.moleculeId}|${e.props.atomId}`)) g.graph.dropEdge(e.key);
      }
    }
    for (const m of [...molecules]) {
      if (kept.molecules.has(g.graph.getNodeAttributes(m).props.id)) continue;
      g.drop(m);
      molecules.delete(m);
    }
    for (const e of g.edges(doc, 'in', 'PART_OF_DOCUMENT')) if (!kept.blocks.has(e.other.props.id)) g.drop(e.otherKey);
    for (const e of g.edges(doc, 'out', 'IN_DOMAIN')) {
      domains.add(e.otherKey);
      if (e.other.props.id !== keepDomain) g.graph.dropEdge(e.key);
    }
    return { atoms, domains };
  }

  /** Clears values the document no longer defines; deletes atoms nothing references and empty domains. */
  private collect(tenant: string, documentId: string, old: { atoms: Set<string>; domains: Set<string> }, defined: Set<string>): void {
    const g = this.g;
    for (const key of old.atoms) {
      const atom = g.at(key, tenant, 'Atom');
      if (!atom) continue;
      if (atom.definedIn === documentId && !defined.has(atom.id)) {
        g.put(tenant, { label: 'Atom', tenantId: tenant, props: { ...atom, ...UNDEFINED_VALUE } });
      }
      const used =
        g.edges(key, 'out', 'APPEARS_IN').length + g.edges(key, 'out', 'PART_OF').length + g.edges(key, 'in', 'REQUIRES').length;
      if (used === 0) g.drop(key);
    }
    for (const key of old.domains) if (g.graph.hasNode(key) && g.edges(key, 'in', 'IN_DOMAIN').length === 0) g.drop(key);
  }

  async readDocument(tenant: string, documentId: string): Promise<DocumentGraph | null> {
    const g = this.g;
    const document = g.get(tenant, 'Document', documentId);
    const doc = g.key(tenant, documentId);
    const domain = document && g.edges(doc, 'out', 'IN_DOMAIN')[0]?.other;
    if (!document || domain?.label !== 'Domain') return null;
    const molecules = [...(this.moleculesOf.get(doc) ?? [])];
    const appearsIn = g.edges(doc, 'in', 'APPEARS_IN').map((e) => e.props);
    const partOf = molecules.flatMap((m) => g.edges(m, 'in', 'PART_OF').map((e) => e.props));
    const requires = molecules.flatMap((m) => g.edges(m, 'out', 'REQUIRES').map((e) => e.props));
    const atomIds = new Set([...appearsIn.map((r) => r.atomId), ...partOf.map((r) => r.from), ...requires.map((r) => r.atomId)]);
    return structuredClone(
      sortGraph({
        tenantId: tenant,
        document,
        domain: domain.props,
        blocks: g.edges(doc, 'in', 'PART_OF_DOCUMENT').flatMap((e) => (e.other.label === 'Block' ? [e.other.props] : [])),
        atoms: [...atomIds].flatMap((id) => g.get(tenant, 'Atom', id) ?? []),
        molecules: molecules.flatMap((m) => g.at(m, tenant, 'Molecule') ?? []),
        partOf,
        appearsIn,
        requires,
      }),
    );
  }

  async setConflicts(tenant: string, domain: string, conflicts: Conflict[]): Promise<void> {
    this.replaceLinks(tenant, 'Molecule', 'CONFLICTS_WITH', domain, conflicts);
  }

  async setRelations(tenant: string, domain: string, relations: Relation[]): Promise<void> {
    this.replaceLinks(tenant, 'Atom', 'RELATED_TO', domain, relations);
  }

  private replaceLinks(
    tenant: string,
    label: 'Atom' | 'Molecule',
    type: 'CONFLICTS_WITH' | 'RELATED_TO',
    domain: string,
    links: (Conflict | Relation)[],
  ): void {
    const g = this.g;
    g.graph.forEachNode((key, data) => {
      if (data.tenantId !== tenant || data.label !== label || data.props.domain !== domain) return;
      for (const e of g.edges(key, 'out', type)) g.graph.dropEdge(e.key);
    });
    for (const link of links) {
      if (g.get(tenant, label, link.from) && g.get(tenant, label, link.to)) g.link(type, g.key(tenant, link.from), g.key(tenant, link.to), link);
    }
  }

  async moleculesContainingAtom(tenant: string, atomId: string): Promise<MoleculeUse[]> {
    if (!this.g.get(tenant, 'Atom', atomId)) return [];
    const uses = new Map<string, MoleculeUse>();
    for (const e of this.g.edges(this.g.key(tenant, atomId), 'out', 'PART_OF')) {
      if (e.other.label !== 'Molecule' || e.other.tenantId !== tenant) continue;
      const use = uses.get(e.otherKey) ?? { molecule: moleculeSummary(e.other.props), roles: [] };
      use.roles.push(e.props.role);
      uses.set(e.otherKey, use);
    }
    return [...uses.values()].map((u) => ({ ...u, roles: u.roles.sort() })).sort((a, b) => compareIds(a.molecule.id, b.molecule.id));
  }

  async conflictsOf(tenant: string, moleculeId: string): Promise<ConflictHit[]> {
    if (!this.g.get(tenant, 'Molecule', moleculeId)) return [];
    const key = this.g.key(tenant, moleculeId);
    const edges = [...this.g.edges(key, 'out', 'CONFLICTS_WITH'), ...this.g.edges(key, 'in', 'CONFLICTS_WITH')];
    return edges
      .flatMap((e) =>
        e.other.label === 'Molecule' && e.other.tenantId === tenant
          ? [{ molecule: moleculeSummary(e.other.props), reason: e.props.reason, severity: e.props.severity }]
          : [],
      )
      .sort((a, b) => compareIds(a.molecule.id, b.molecule.id) || compareIds(a.reason, b.reason));
  }

  async impact(tenant: string, atomId: string, depth: number): Promise<Impact | null> {
    checkDepth(depth);
    const atom = this.g.get(tenant, 'Atom', atomId);
    if (!atom) return null;
    const hops = this.reach(this.g.key(tenant, atomId), depth, (key) => this.affected(tenant, key));
    const molecules: Impact['molecules'] = [];
    const atoms: Impact['atoms'] = [];
    for (const [key, h] of hops) {
      const data = this.g.graph.getNodeAttributes(key);
      if (data.label === 'Molecule') molecules.push({ ...moleculeSummary(data.props), hops: h });
      else if (data.label === 'Atom') atoms.push({ ...atomSummary(data.props), hops: h });
    }
    molecules.sort(byHopsThenId);
    atoms.sort(byHopsThenId);
    const documents = documentsOf(molecules, (id) => this.g.get(tenant, 'Document', id));
    return { atom: atomSummary(atom), depth, molecules, atoms, documents };
  }

  /** One impact step from a node (see `Impact`). */
  private affected(tenant: string, key: string): string[] {
    const g = this.g;
    const data = g.graph.getNodeAttributes(key);
    const out: string[] = [];
    const add = (other: NodeData, otherKey: string, label: Label) => {
      if (other.tenantId === tenant && other.label === label) out.push(otherKey);
    };
    if (data.label === 'Atom') {
      for (const e of g.edges(key, 'out', 'PART_OF')) if (e.props.role !== 'result') add(e.other, e.otherKey, 'Molecule');
      for (const e of g.edges(key, 'in', 'REQUIRES')) add(e.other, e.otherKey, 'Molecule');
    } else if (data.label === 'Molecule') {
      const requires = data.props.moleculeType === 'RequiresMolecule';
      for (const e of g.edges(key, 'in', 'PART_OF')) {
        if (e.props.role === 'result' || (requires && e.props.role === 'subject')) add(e.other, e.otherKey, 'Atom');
      }
      if (data.props.moleculeType === 'ExceptionMolecule') {
        for (const e of g.edges(key, 'out', 'PART_OF')) add(e.other, e.otherKey, 'Molecule');
      }
    }
    return out;
  }

  /** Breadth-first distances from `start` (excluded) within `depth` steps. */
  private reach(start: string, depth: number, next: (key: string) => string[]): Map<string, number> {
    const hops = new Map<string, number>([[start, 0]]);
    let frontier = [start];
    for (let h = 1; h <= depth && frontier.length > 0; h++) {
      const following: string[] = [];
      for (const key of frontier) {
        for (const n of next(key)) {
          if (hops.has(n)) continue;
          hops.set(n, h);
          following.push(n);
        }
      }
      frontier = following;
    }
    hops.delete(start);
    return hops;
  }

  async relatedConcepts(tenant: string, atomId: string, depth: number): Promise<RelatedConcept[]> {
    checkDepth(depth);
    if (!this.g.get(tenant, 'Atom', atomId)) return [];
    const neighbours = (key: string) =>
      [...this.g.edges(key, 'out', 'RELATED_TO'), ...this.g.edges(key, 'in', 'RELATED_TO')]
        .filter((e) => e.other.tenantId === tenant && e.other.label === 'Atom')
        .map((e) => e.otherKey);
    const hops = this.reach(this.g.key(tenant, atomId), depth, neighbours);
    return [...hops]
      .flatMap(([key, h]) => {
        const atom = this.g.at(key, tenant, 'Atom');
        return atom ? [{ atom: atomSummary(atom), hops: h }] : [];
      })
      .sort((a, b) => a.hops - b.hops || compareIds(a.atom.id, b.atom.id));
  }

  async cycles(tenant: string, domain?: string): Promise<Cycle[]> {
    const g = this.g;
    const steps = new MultiDirectedGraph<Record<string, never>, { molecule: string }>({ allowSelfLoops: true });
    const inScope = (other: NodeData) =>
      other.tenantId === tenant && other.label === 'Atom' && (domain === undefined || other.props.domain === domain);
    g.graph.forEachNode((key, data) => {
      if (data.tenantId !== tenant || data.label !== 'Molecule') return;
      const requires = data.props.moleculeType === 'RequiresMolecule';
      const parts = g.edges(key, 'in', 'PART_OF').filter((e) => inScope(e.other));
      const inputs = [...parts.filter((e) => e.props.role !== 'result'), ...g.edges(key, 'out', 'REQUIRES').filter((e) => inScope(e.other))];
      const outputs = parts.filter((e) => e.props.role === 'result' || (requires && e.props.role === 'subject'));
      for (const input of inputs) {
        for (const output of outputs) {
          if (input.key === output.key) continue;
          steps.mergeNode(input.otherKey);
          steps.mergeNode(output.otherKey);
          steps.addEdge(input.otherKey, output.otherKey, { molecule: data.props.id });
        }
      }
    });
    const cycles: Cycle[] = [];
    for (const component of stronglyConnectedComponents(steps)) {
      if (component.length === 1 && !steps.hasEdge(component[0], component[0])) continue;
      const members = new Set(component);
      const molecules = new Set<string>();
      for (const node of component) {
        steps.forEachOutEdge(node, (_e, attr, _s, target) => {
          if (members.has(target)) molecules.add(attr.molecule);
        });
      }
      const atoms = component.flatMap((key) => g.at(key, tenant, 'Atom') ?? []).map(atomSummary).sort((a, b) => compareIds(a.id, b.id));
      cycles.push({ domain: atoms[0].domain, atoms, molecules: [...molecules].sort(compareIds) });
    }
    return cycles.sort((a, b) => compareIds(a.atoms[0].id, b.atoms[0].id));
  }

  async stats(tenant: string): Promise<GraphStats> {
    const nodes = Object.fromEntries(LABELS.map((l) => [l, 0])) as GraphStats['nodes'];
    const relationships = Object.fromEntries(RELATIONSHIP_TYPES.map((t) => [t, 0])) as Record<RelationshipType, number>;
    this.g.graph.forEachNode((_key, data) => {
      if (data.tenantId === tenant) nodes[data.label]++;
    });
    this.g.graph.forEachEdge((_key, data, _source, _target, source) => {
      if (source.tenantId === tenant) relationships[data.type]++;
    });
    return { nodes, relationships };
  }

  async clearTenant(tenant: string): Promise<void> {
    const keys = this.g.graph.filterNodes((_key, data) => data.tenantId === tenant);
    for (const key of keys) {
      this.g.drop(key);
      this.moleculesOf.delete(key);
    }
  }

  async close(): Promise<void> {}

  async documentLinks(tenant: string, documentIds: string[]): Promise<DocumentLinks[]> {
    const g = this.g;
    const atoms = <T extends 'APPEARS_IN' | 'PART_OF' | 'REQUIRES'>(key: string, direction: 'in' | 'out', type: T) =>
      g.edges(key, direction, type).filter((e) => e.other.label === 'Atom' && e.other.tenantId === tenant);
    const facts = [...new Set(documentIds)].flatMap((documentId): LinkFacts[] => {
      if (!g.get(tenant, 'Document', documentId)) return [];
      const doc = g.key(tenant, documentId);
      return [
        {
          documentId,
          blockIds: g.edges(doc, 'in', 'PART_OF_DOCUMENT').flatMap((e) => (e.other.label === 'Block' ? [e.other.props.id] : [])),
          appears: atoms(doc, 'in', 'APPEARS_IN').map((e) => [e.props.blockId, e.other.props.id]),
          molecules: [...(this.moleculesOf.get(doc) ?? [])].flatMap((key) => {
            const m = g.at(key, tenant, 'Molecule');
            const ids = [...atoms(key, 'in', 'PART_OF'), ...atoms(key, 'out', 'REQUIRES')].map((e) => e.other.props.id);
            return m ? [{ id: m.id, blockId: m.blockId, atomIds: ids }] : [];
          }),
        },
      ];
    });
    return documentLinksOf(facts);
  }
}
