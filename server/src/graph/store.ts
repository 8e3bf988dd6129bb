/**
 * The knowledge graph behind one interface (seed §5.1–5.2): Neo4j for teams
 * (`neo4j.ts`), graphology in memory for the embedded default (`memory.ts`).
 * Both pass the same contract suite (`store.contract.ts`).
 *
 * Every method takes the tenant and never sees or returns another tenant's
 * nodes (seed §6.3). Results are sorted (hops, then id) so both stores
 * answer identically.
 */
import type { AtomType, Enforcement } from '../core/model';
import type { Conflict, DocumentGraph, Label, MoleculeType, PartOfRole, Relation, RelationshipType, RuleType } from './model';
import type { DocumentLinks } from './links';

export interface GraphStore {
  /**
   * Makes the tenant's graph hold exactly `graph` for its document: nodes and
   * relationships are merged by id, what the document no longer has is
   * removed, and atoms nothing references any more are deleted (atoms shared
   * with other documents stay). Idempotent.
   */
  replaceDocument(tenant: string, graph: DocumentGraph): Promise<void>;
  /**
   * `replaceDocument` for each graph in order (a later graph wins where they
   * overlap: an atom two of them define, a document listed twice), in one
   * write. Every graph must belong to `tenant` (checked before anything is written).
   */
  replaceDocuments(tenant: string, graphs: DocumentGraph[]): Promise<void>;
  /** Removes the document, its blocks and rules, and atoms only it referenced. */
  removeDocument(tenant: string, documentId: string): Promise<void>;
  /**
   * What the store holds for a document, lists in `sortGraph` order; atoms
   * shared with other documents carry their current (possibly other-defined) value.
   */
  readDocument(tenant: string, documentId: string): Promise<DocumentGraph | null>;
  /** Replaces the CONFLICTS_WITH relationships that start at a molecule of `domain` (unknown molecules are skipped). */
  setConflicts(tenant: string, domain: string, conflicts: Conflict[]): Promise<void>;
  /** Replaces the RELATED_TO relationships that start at an atom of `domain` (unknown atoms are skipped). */
  setRelations(tenant: string, domain: string, relations: Relation[]): Promise<void>;

  /** The molecules an atom is PART_OF, with its roles in each. */
  moleculesContainingAtom(tenant: string, atomId: string): Promise<MoleculeUse[]>;
  /** Molecules in CONFLICTS_WITH with a molecule, either direction. */
  conflictsOf(tenant: string, moleculeId: string): Promise<ConflictHit[]>;
  /** What is affected if the atom's value changes, up to `depth` relationships away; null for an unknown atom. */
  impact(tenant: string, atomId: string, depth: number): Promise<Impact | null>;
  /** Atoms reachable over RELATED_TO (either direction) within `depth` hops. */
  relatedConcepts(tenant: string, atomId: string, depth: number): Promise<RelatedConcept[]>;
  /** Dependency cycles between atoms, optionally in one domain. */
  cycles(tenant: string, domain?: string): Promise<Cycle[]>;

  /** Node and relationship counts of a tenant (relationships counted at their start node). */
  stats(tenant: string): Promise<GraphStats>;
  /** Deletes everything of a tenant. */
  clearTenant(tenant: string): Promise<void>;
  close(): Promise<void>;

  /**
   * Per document of `documentIds` the tenant's graph has (others are left
   * out), what its PostgreSQL arrays should hold: the atoms of each molecule
   * and the atoms and molecules of each block (`links.ts`), sorted by id.
   */
  documentLinks(tenant: string, documentIds: string[]): Promise<DocumentLinks[]>;
}

export interface AtomSummary {
  id: string;
  name: string | null;
  domain: string;
  type: AtomType | null;
  canonical: string | null;
}

export interface MoleculeSummary {
  id: string;
  moleculeType: MoleculeType;
  ruleType: RuleType;
  summary: string;
  enforcement: Enforcement;
  domain: string;
  documentId: string;
  blockId: string;
}

export interface MoleculeUse {
  molecule: MoleculeSummary;
  /** Sorted. */
  roles: PartOfRole[];
}

export interface ConflictHit {
  molecule: MoleculeSummary;
  reason: string;
  severity: Conflict['severity'];
}

/**
 * Impact of a change to `atom`. The traversal (each step one relationship):
 * an atom affects the molecules it is PART_OF (except as their result) and
 * the molecules that REQUIRE it; a molecule affects the atoms it sets (PART_OF
 * role 'result') and, for a RequiresMolecule, its subject (the dependant);
 * an ExceptionMolecule affects the rule it is PART_OF. `hops` is the shortest
 * such distance. A hover reads `molecules.length` rules · `documents.length` documents.
 */
export interface Impact {
  atom: AtomSummary;
  depth: number;
  molecules: (MoleculeSummary & { hops: number })[];
  atoms: (AtomSummary & { hops: number })[];
  /** Documents holding affected molecules, with how many and the nearest hop. */
  documents: { id: string; uri: string; title: string; rules: number; hops: number }[];
}

export interface RelatedConcept {
  atom: AtomSummary;
  hops: number;
}

/**
 * A strongly connected group of atoms in the dependency graph, where one
 * rule step links an input to what it sets: `IF A … THEN T` (A → T) and
 * `X REQUIRES A` (A → X), as in the core's `requires-cycle` check.
 * Atoms sorted by id; `molecules` are the rules linking atoms of the group.
 */
export interface Cycle {
  domain: string;
  atoms: AtomSummary[];
  molecules: string[];
}

export interface GraphStats {
  nodes: Record<Label, number>;
  relationships: Record<RelationshipType, number>;
}

export const MAX_DEPTH = 10;

export function checkDepth(depth: number): number {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new RangeError(`depth must be an integer from 1 to ${MAX_DEPTH}, got ${depth}`);
  }
  return depth;
}

export function checkTenant(tenant: string, graph: DocumentGraph): void {
  if (graph.tenantId !== tenant) throw new Error('the graph belongs to another tenant than the one it is written for');
}

export function byHopsThenId<T extends { hops: number; id: string }>(a: T, b: T): number {
  return a.hops - b.hops || compareIds(a.id, b.id);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups affected molecules by document (the hover's "M documents"). */
export function documentsOf(
  molecules: Impact['molecules'],
  documentOf: (id: string) => { uri: string; title: string } | undefined,
): Impact['documents'] {
  const docs = new Map<string, Impact['documents'][number]>();
  for (const m of molecules) {
    const hit = docs.get(m.documentId);
    if (hit) {
      hit.rules++;
      hit.hops = Math.min(hit.hops, m.hops);
      continue;
    }
    const d = documentOf(m.documentId);
    if (d) docs.set(m.documentId, { id: m.documentId, uri: d.uri, title: d.title, rules: 1, hops: m.hops });
  }
  return [...docs.values()].sort(byHopsThenId);
}
