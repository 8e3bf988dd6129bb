/**
 * Impact questions answered from the knowledge base itself, without a copy
 * of the workspace in a graph store: the atoms of a domain are the keys of
 * its name index, the molecules are the rules of its documents, and the
 * relationships are read from the rules when a question walks them — PART_OF
 * as `rolesOf` gives it, REQUIRES from a REQUIRES rule's list, an exception
 * PART_OF the rule it narrows. The traversal and the answer are those of the
 * graph stores (`GraphStore.impact`, `moleculesContainingAtom`; see `Impact`
 * for the steps): `localImpact.test.ts` compares them with the in-memory
 * GraphStore holding `toGraph` of every document, written in URI order.
 *
 * A whole-workspace graph cost ~125 KB per document (graphology nodes and
 * edges for every atom, rule, appearance and domain link) and seconds to
 * build before the first hover in a domain; this costs a small per-document
 * table of roles, built when a question first reads the document.
 */
import type { DocumentSnapshot } from '../core/document';
import type { AtomDefinition, Molecule } from '../core/model';
import { describeBriefly, rolesOf } from '../graph/molecules';
import { atomType, type PartOfRole } from '../graph/model';
import { byHopsThenId, checkDepth, compareIds, documentsOf, type AtomSummary, type Impact, type MoleculeSummary, type MoleculeUse } from '../graph/store';
import { atomId, blockRowId, documentId, moleculeRowId } from '../persistence/ids';
import type { KnowledgeBase } from './knowledge';

/** How a document's rule uses one atom. */
interface Use {
  molecule: Molecule;
  /** PART_OF roles, in `rolesOf` order. */
  roles: Exclude<PartOfRole, 'exception'>[];
  /** The rule REQUIRES the atom. */
  required: boolean;
}

const usesCache = new WeakMap<DocumentSnapshot, Map<string, Use[]>>();

/** The rules of a document that use each atom key, and how. */
function usesIn(doc: DocumentSnapshot): Map<string, Use[]> {
  let byKey = usesCache.get(doc);
  if (byKey) return byKey;
  byKey = new Map();
  const useOf = (key: string, m: Molecule): Use => {
    let list = byKey!.get(key);
    if (!list) byKey!.set(key, (list = []));
    let use = list.find((u) => u.molecule === m);
    if (!use) list.push((use = { molecule: m, roles: [], required: false }));
    return use;
  };
  for (const m of doc.molecules) {
    for (const { ref, role } of rolesOf(m)) useOf(ref.key, m).roles.push(role);
    if (m.type === 'RequiresMolecule') for (const ref of m.required) useOf(ref.key, m).required = true;
  }
  usesCache.set(doc, byKey);
  return byKey;
}

/** A rule where it is written. */
interface Place {
  doc: DocumentSnapshot;
  molecule: Molecule;
}

/** Walks one domain of the knowledge base. */
class DomainWalk {
  constructor(
    private readonly kb: KnowledgeBase,
    readonly domain: string,
  ) {}

  /** The documents writing the atom `key`, in URI order. */
  docsOf(key: string): DocumentSnapshot[] {
    const out: DocumentSnapshot[] = [];
    let last: string | undefined;
    for (const o of this.kb.occurrences(this.domain, key)) {
      if (o.uri === last) continue;
      last = o.uri;
      const doc = this.kb.get(o.uri);
      if (doc?.domain === this.domain) out.push(doc);
    }
    return out;
  }

  uses(key: string): { doc: DocumentSnapshot; use: Use }[] {
    return this.docsOf(key).flatMap((doc) => (usesIn(doc).get(key) ?? []).map((use) => ({ doc, use })));
  }

  /** One impact step from an atom: the rules it is an input of (PART_OF other than as result) and those REQUIRING it. */
  fromAtom(key: string): Place[] {
    return this.uses(key)
      .filter(({ use }) => use.required || use.roles.some((r) => r !== 'result'))
      .map(({ doc, use }) => ({ doc, molecule: use.molecule }));
  }

  /** One impact step from a rule: the atoms it sets (a REQUIRES rule: its subject), and for an exception the rule it narrows. */
  fromRule({ doc, molecule: m }: Place): { atoms: string[]; rules: Place[] } {
    const requires = m.type === 'RequiresMolecule';
    const atoms = rolesOf(m)
      .filter(({ role }) => role === 'result' || (requires && role === 'subject'))
      .map(({ ref }) => ref.key);
    const parent = m.type === 'ExceptionMolecule' && m.parentId !== null ? doc.molecules.find((x) => x.id === m.parentId) : undefined;
    return { atoms, rules: parent ? [{ doc, molecule: parent }] : [] };
  }
}

/** What the graph stores answer for `GraphStore.impact(tenant, atomId(tenant, domain, key), depth)`; null for an atom no document writes. */
export function localImpact(kb: KnowledgeBase, domain: string, key: string, depth: number): Impact | null {
  checkDepth(depth);
  const walk = new DomainWalk(kb, domain);
  const atom = atomSummaryOf(kb, walk, key);
  if (!atom) return null;
  const tenant = kb.tenant;
  const atomHops = new Map<string, number>([[key, 0]]);
  const ruleHops = new Map<string, { place: Place; hops: number }>();
  let frontier: ({ atom: string } | { rule: Place })[] = [{ atom: key }];
  for (let h = 1; h <= depth && frontier.length > 0; h++) {
    const next: typeof frontier = [];
    const reachRule = (place: Place) => {
      const id = `${place.doc.uri}\n${place.molecule.id}`;
      if (ruleHops.has(id)) return;
      ruleHops.set(id, { place, hops: h });
      next.push({ rule: place });
    };
    for (const node of frontier) {
      if ('atom' in node) {
        for (const place of walk.fromAtom(node.atom)) reachRule(place);
        continue;
      }
      const { atoms, rules } = walk.fromRule(node.rule);
      for (const k of atoms) {
        if (atomHops.has(k)) continue;
        atomHops.set(k, h);
        next.push({ atom: k });
      }
      rules.forEach(reachRule);
    }
    frontier = next;
  }
  const molecules = [...ruleHops.values()].map(({ place, hops }) => ({ ...moleculeSummaryOf(tenant, place), hops })).sort(byHopsThenId);
  const atoms = [...atomHops]
    .filter(([k]) => k !== key)
    .map(([k, hops]) => ({ ...atomSummaryOf(kb, walk, k)!, hops }))
    .sort(byHopsThenId);
  const byDocument = new Map<string, DocumentSnapshot>();
  for (const { place } of ruleHops.values()) byDocument.set(documentId(tenant, place.doc.uri), place.doc);
  return { atom, depth, molecules, atoms, documents: documentsOf(molecules, (id) => byDocument.get(id)) };
}

/** What the graph stores answer for `GraphStore.moleculesContainingAtom(tenant, atomId(tenant, domain, key))`. */
export function localUses(kb: KnowledgeBase, domain: string, key: string): MoleculeUse[] {
  const tenant = kb.tenant;
  return new DomainWalk(kb, domain)
    .uses(key)
    .filter(({ use }) => use.roles.length > 0)
    .map(({ doc, use }) => ({ molecule: moleculeSummaryOf(tenant, { doc, molecule: use.molecule }), roles: [...use.roles].sort() }))
    .sort((a, b) => compareIds(a.molecule.id, b.molecule.id));
}

/**
 * The atom keys of a domain with the given ids (`atomId`), for questions
 * that name atoms by id; ids of other domains or of no atom are left out.
 */
export function keysOfAtoms(kb: KnowledgeBase, domain: string, ids: readonly string[]): Map<string, string> {
  const wanted = new Set(ids);
  const out = new Map<string, string>();
  for (const key of kb.atomNames(domain).keys()) {
    const id = atomId(kb.tenant, domain, key);
    if (wanted.has(id)) out.set(id, key);
  }
  return out;
}

function moleculeSummaryOf(tenant: string, { doc, molecule: m }: Place): MoleculeSummary {
  const { moleculeType, ruleType, summary } = describeBriefly(m);
  return {
    id: moleculeRowId(tenant, doc.uri, m.id),
    moleculeType,
    ruleType,
    summary,
    enforcement: m.enforcement,
    domain: doc.domain,
    documentId: documentId(tenant, doc.uri),
    blockId: blockRowId(tenant, doc.uri, m.blockId),
  };
}

/**
 * The atom as the graph holds it when every document is written in URI
 * order: the last defining document's definition (the first in that
 * document), else its name as the first document writing it has it first
 * (`toGraph`'s order: definitions, references, table headers, rules).
 */
function atomSummaryOf(kb: KnowledgeBase, walk: DomainWalk, key: string): AtomSummary | null {
  const docs = walk.docsOf(key);
  if (docs.length === 0) return null;
  const id = atomId(kb.tenant, walk.domain, key);
  let definition: AtomDefinition | undefined;
  for (const doc of docs) definition = doc.definitions.find((d) => d.key === key) ?? definition;
  if (definition) {
    const typed = definition.value ?? definition.oneOf?.[0];
    return {
      id,
      name: definition.name,
      domain: walk.domain,
      type: typed ? atomType(typed) : 'TextAtom',
      canonical: definition.value ? definition.value.canonical : null,
    };
  }
  return { id, name: firstName(docs[0], key), domain: walk.domain, type: null, canonical: null };
}

function firstName(doc: DocumentSnapshot, key: string): string | null {
  const ref =
    doc.references.find((r) => r.key === key) ??
    doc.tables.flatMap((t) => [...t.inputs, ...t.outputs]).find((r) => r.key === key) ??
    doc.molecules
      .flatMap((m) => [...rolesOf(m).map((r) => r.ref), ...(m.type === 'RequiresMolecule' ? m.required : [])])
      .find((r) => r.key === key);
  return ref?.name ?? null;
}
