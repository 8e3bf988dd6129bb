/**
 * The knowledge graph as plain data (seed §3): the nodes and relationships
 * one document contributes, and `toGraph`, which maps a `DocumentSnapshot`
 * to them. Ids are the stable ids of `persistence/ids.ts`, so PostgreSQL and
 * the graph agree without a lookup.
 *
 * Implied relationships (not listed, written by every store):
 * `(:Block)-[:PART_OF_DOCUMENT]->(:Document)` for every block, and
 * `(:Atom)-[:IN_DOMAIN]->(:Domain)` and `(:Document)-[:IN_DOMAIN]->(:Domain)`
 * for every atom and the document.
 *
 * Neo4j properties cannot be maps, so `configuration` (and `APPEARS_IN.spans`)
 * are JSON strings and a JSON atom's `value` is its JSON text.
 */
import type { DocumentSnapshot } from '../core/document';
import type { AtomType, AtomRef, BlockType, Enforcement, Molecule, Span, Value } from '../core/model';
import { atomId, blockRowId, documentId, domainId, extractedAtomId, moleculeRowId } from '../persistence/ids';
import { describeMolecule, rolesOf } from './molecules';

export type Label = 'Atom' | 'Molecule' | 'Document' | 'Block' | 'Domain';
export type RelationshipType =
  | 'PART_OF'
  | 'APPEARS_IN'
  | 'REQUIRES'
  | 'CONFLICTS_WITH'
  | 'RELATED_TO'
  | 'PART_OF_DOCUMENT'
  | 'IN_DOMAIN';
export const LABELS: readonly Label[] = ['Atom', 'Molecule', 'Document', 'Block', 'Domain'];
export const RELATIONSHIP_TYPES: readonly RelationshipType[] = [
  'PART_OF',
  'APPEARS_IN',
  'REQUIRES',
  'CONFLICTS_WITH',
  'RELATED_TO',
  'PART_OF_DOCUMENT',
  'IN_DOMAIN',
];

/** Named atoms are written by experts ('manual'); values found in prose are 'heuristic'. */
export type AtomSource = 'manual' | 'heuristic';

/**
 * Seed roles plus two: 'value' (an atom a result copies: `THEN T = [[Y]]`)
 * and 'exception' (an ExceptionMolecule PART_OF the rule it narrows).
 */
export type PartOfRole = 'subject' | 'condition' | 'result' | 'constraint' | 'value' | 'exception';
export type MoleculeType = Molecule['type'];
export type RuleType = 'if_then' | 'decision_table' | 'constraint' | 'exception' | 'requires';

export interface DomainNode {
  id: string;
  name: string;
}

export interface DocumentNode {
  id: string;
  uri: string;
  title: string;
  type: 'document';
  domain: string;
}

export interface BlockNode {
  id: string;
  blockType: BlockType;
  /** Row id of the parent block; null under the document. */
  parentId: string | null;
  order: number;
  checksum: string;
}

export interface AtomNode {
  id: string;
  /** Display name; null for an unnamed (heuristic) atom. */
  name: string | null;
  /** Normalised name; null for an unnamed atom. */
  key: string | null;
  domain: string;
  /** Null while no document defines the atom (it is only used in rules). */
  type: AtomType | null;
  /** Number (dates: epoch ms), string, boolean, or a JSON atom's JSON text. */
  value: string | number | boolean | null;
  /** 'percent' or a currency code for numbers. */
  unit: string | null;
  canonical: string | null;
  /** Canonical forms of a `one of` input. */
  oneOf: string[] | null;
  confidence: number;
  source: AtomSource;
  /** The document whose definition gave the value; null for atoms this document only uses. */
  definedIn: string | null;
}

export interface MoleculeNode {
  id: string;
  type: MoleculeType;
  moleculeType: MoleculeType;
  ruleType: RuleType;
  /** Normalised one-line form of the rule (hovers). */
  summary: string;
  condition: string | null;
  result: string | null;
  /** The rule's structure as JSON (no spans, no document-local ids). */
  configuration: string;
  enforcement: Enforcement;
  domain: string;
  documentId: string;
  /** Row id of the block holding the rule. */
  blockId: string;
}

/** `(from)-[:PART_OF {role, order}]->(to)`: an atom in a molecule, or an exception in its rule. */
export interface PartOf {
  from: string;
  to: string;
  role: PartOfRole;
  order: number;
}

/** `(atom)-[:APPEARS_IN]->(document)`: one per atom and block; spans are relative to the block. */
export interface AppearsIn {
  atomId: string;
  blockId: string;
  spans: Span[];
  confidence: number;
  source: AtomSource;
}

export interface Requires {
  moleculeId: string;
  atomId: string;
  type: 'prerequisite';
  enforcement: Enforcement;
}

/** `(:Molecule)-[:CONFLICTS_WITH]->(:Molecule)`, written per domain from the checker's findings. */
export interface Conflict {
  from: string;
  to: string;
  reason: string;
  severity: 'high' | 'medium' | 'low';
}

/** `(:Atom)-[:RELATED_TO]->(:Atom)`, written per domain (e.g. by a similarity pass). */
export interface Relation {
  from: string;
  to: string;
  type: 'similar_to' | 'synonym_of' | 'antonym_of';
  strength: number;
}

/** Everything one document contributes to a tenant's graph. */
export interface DocumentGraph {
  tenantId: string;
  document: DocumentNode;
  domain: DomainNode;
  blocks: BlockNode[];
  atoms: AtomNode[];
  molecules: MoleculeNode[];
  partOf: PartOf[];
  appearsIn: AppearsIn[];
  requires: Requires[];
}

export function toGraph(tenant: string, doc: DocumentSnapshot): DocumentGraph {
  const docId = documentId(tenant, doc.uri);
  const rows = new Map<string, string>();
  const row = (blockId: string) => {
    let id = rows.get(blockId);
    if (id === undefined) rows.set(blockId, (id = blockRowId(tenant, doc.uri, blockId)));
    return id;
  };
  const molecule = (id: string) => moleculeRowId(tenant, doc.uri, id);
  const atoms = new Map<string, AtomNode>();
  const appearances = new Map<string, AppearsIn>();
  const appear = (atom: string, blockId: string, span: Span, confidence: number, source: AtomSource) => {
    const blockRow = row(blockId);
    const key = `${atom}|${blockRow}`;
    const hit = appearances.get(key);
    if (!hit) appearances.set(key, { atomId: atom, blockId: blockRow, spans: [span], confidence, source });
    else if (!hit.spans.some((s) => s.start === span.start && s.end === span.end)) hit.spans.push(span);
  };
  const named = (ref: Pick<AtomRef, 'name' | 'key'>): string => {
    const id = atomId(tenant, doc.domain, ref.key);
    if (!atoms.has(id)) atoms.set(id, { ...valueless(id, doc.domain), name: ref.name, key: ref.key, confidence: 1, source: 'manual' });
    return id;
  };

  for (const def of doc.definitions) {
    const id = atomId(tenant, doc.domain, def.key);
    if (!atoms.has(id)) {
      const typed = def.value ?? def.oneOf?.[0];
      atoms.set(id, {
        ...valueless(id, doc.domain),
        name: def.name,
        key: def.key,
        type: typed ? atomType(typed) : 'TextAtom',
        ...(def.value ? stored(def.value) : {}),
        oneOf: def.oneOf ? def.oneOf.map((v) => v.canonical) : null,
        confidence: 1,
        source: 'manual',
        definedIn: docId,
      });
    }
    appear(id, def.blockId, def.nameSpan, 1, 'manual');
  }
  for (const ref of doc.references) appear(named(ref), ref.blockId, ref.span, 1, 'manual');
  for (const table of doc.tables) {
    for (const ref of [...table.inputs, ...table.outputs]) appear(named(ref), table.blockId, ref.span, 1, 'manual');
  }

  const partOf: PartOf[] = [];
  const requires: Requires[] = [];
  const exceptionsOf = new Map<string, number>();
  const molecules = doc.molecules.map((m): MoleculeNode => {
    const id = molecule(m.id);
    rolesOf(m).forEach(({ ref, role }, order) => {
      const atom = named(ref);
      appear(atom, m.blockId, ref.span, 1, 'manual');
      partOf.push({ from: atom, to: id, role, order });
    });
    if (m.type === 'RequiresMolecule') {
      for (const ref of m.required) {
        const atom = named(ref);
        appear(atom, m.blockId, ref.span, 1, 'manual');
        if (!requires.some((r) => r.atomId === atom && r.moleculeId === id)) {
          requires.push({ moleculeId: id, atomId: atom, type: 'prerequisite', enforcement: m.enforcement });
        }
      }
    }
    if (m.type === 'ExceptionMolecule' && m.parentId !== null) {
      const order = exceptionsOf.get(m.parentId) ?? 0;
      exceptionsOf.set(m.parentId, order + 1);
      partOf.push({ from: id, to: molecule(m.parentId), role: 'exception', order });
    }
    return { id, ...describeMolecule(m), enforcement: m.enforcement, domain: doc.domain, documentId: docId, blockId: row(m.blockId) };
  });

  for (const x of doc.extracted) {
    const id = extractedAtomId(tenant, doc.uri, x.blockId, x.span.start, x.span.end);
    atoms.set(id, {
      ...valueless(id, doc.domain),
      type: atomType(x.value),
      ...stored(x.value),
      confidence: x.confidence,
      source: 'heuristic',
      definedIn: docId,
    });
    appear(id, x.blockId, x.span, x.confidence, 'heuristic');
  }

  return {
    tenantId: tenant,
    document: { id: docId, uri: doc.uri, title: doc.title, type: 'document', domain: doc.domain },
    domain: { id: domainId(tenant, doc.domain), name: doc.domain },
    blocks: doc.blocks.map((b) => ({
      id: row(b.id),
      blockType: b.type,
      parentId: b.parentId === null ? null : row(b.parentId),
      order: b.order,
      checksum: b.checksum,
    })),
    atoms: [...atoms.values()],
    molecules,
    partOf,
    appearsIn: [...appearances.values()],
    requires,
  };
}

function valueless(id: string, domain: string): AtomNode {
  return {
    id,
    name: null,
    key: null,
    domain,
    type: null,
    value: null,
    unit: null,
    canonical: null,
    oneOf: null,
    confidence: 1,
    source: 'manual',
    definedIn: null,
  };
}

/** The seed's atom type of a value. */
export function atomType(value: Value): AtomType {
  switch (value.kind) {
    case 'number':
      return 'NumberAtom';
    case 'date':
      return 'DateAtom';
    case 'boolean':
      return 'BooleanAtom';
    case 'text':
      return 'TextAtom';
    case 'json':
      return 'JSONAtom';
  }
}

function stored(value: Value): Pick<AtomNode, 'value' | 'unit' | 'canonical'> {
  return {
    value: value.kind === 'json' ? JSON.stringify(value.value) : value.value,
    unit: value.kind === 'number' ? (value.unit ?? null) : null,
    canonical: value.canonical,
  };
}

/** Keys of what a document graph holds, to find what a replacement leaves behind. */
export interface GraphKeys {
  blocks: string[];
  molecules: string[];
  /** `atomId|blockId` */
  appearsIn: string[];
  /** `from|to|role` */
  partOf: string[];
  /** `moleculeId|atomId` */
  requires: string[];
  /** Atoms whose value this document defines. */
  defined: string[];
}

export function graphKeys(graph: DocumentGraph): GraphKeys {
  return {
    blocks: graph.blocks.map((b) => b.id),
    molecules: graph.molecules.map((m) => m.id),
    appearsIn: graph.appearsIn.map((r) => `${r.atomId}|${r.blockId}`),
    partOf: graph.partOf.map((r) => `${r.from}|${r.to}|${r.role}`),
    requires: graph.requires.map((r) => `${r.moleculeId}|${r.atomId}`),
    defined: graph.atoms.filter((a) => a.definedIn === graph.document.id).map((a) => a.id),
  };
}

/** The graph with every list in a canonical order (stores return it so; compare with this). */
export function sortGraph(graph: DocumentGraph): DocumentGraph {
  const by = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    ...graph,
    blocks: [...graph.blocks].sort(by((b) => b.id)),
    atoms: [...graph.atoms].sort(by((a) => a.id)),
    molecules: [...graph.molecules].sort(by((m) => m.id)),
    partOf: [...graph.partOf].sort(by((r) => `${r.from}|${r.to}|${r.role}`)),
    appearsIn: [...graph.appearsIn].sort(by((r) => `${r.atomId}|${r.blockId}`)),
    requires: [...graph.requires].sort(by((r) => `${r.moleculeId}|${r.atomId}`)),
  };
}
