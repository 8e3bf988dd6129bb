/**
 * What a document snapshot should look like in the tenant's tables: one
 * record per row, keyed by the column names (pure; the writer diffs and
 * writes them). Ids come from ids.ts. Spans are left out of `content` and
 * `configuration`: positions belong to the editor, rows hold knowledge.
 */
import type { DocumentSnapshot } from '../core/document';
import type { AtomRef, AtomType, Molecule, Value } from '../core/model';
import { canonicalCopy, canonicalRecord } from './checksum';
import { atomId, blockRowId, documentId, domainId, extractedAtomId, moleculeRowId, rootBlockId } from './ids';
import type { AtomRow } from './repositories/atoms';
import type { Tenant } from './sql/tenant';

export type EntityType = 'domain' | 'document' | 'block' | 'atom' | 'molecule';

export interface DomainRecord {
  id: string;
  name: string;
  path: string;
}

export interface DocumentRecord {
  id: string;
  domain_id: string;
  uri: string;
  parent_id: string;
  parent_type: 'domain';
  root_block_id: string;
  properties: Record<string, unknown> | null;
  title: string;
}

export interface BlockRecord {
  id: string;
  document_id: string;
  parent_id: string | null;
  parent_type: 'document' | 'block';
  /** The seed's block types, plus 'page' for a document's root block. */
  block_type: string;
  position: number;
  content: unknown;
  atom_ids: string[];
  molecule_ids: string[];
  has_children: boolean;
}

/** The columns of an atom that are its value: a change of any of them makes a new version. */
export interface AtomValue {
  atom_type: AtomType;
  text_value: string | null;
  number_value: number | null;
  boolean_value: boolean | null;
  /** ISO 8601. */
  date_value: string | null;
  json_value: unknown;
  unit: string | null;
  one_of: Value[] | null;
}

export interface AtomRecord extends AtomValue {
  id: string;
  /** NULL only for an atom whose domain was deleted (`ON DELETE SET NULL`). */
  domain_id: string | null;
  name: string | null;
  confidence: number;
  source: 'manual' | 'heuristic';
  /** Block rows defining the atom (this document's only, until the writer merges other documents'). */
  defined_in: string[];
}

export interface MoleculeRecord {
  id: string;
  domain_id: string;
  molecule_type: Molecule['type'];
  atom_ids: string[];
  configuration: Record<string, unknown>;
  validation_rules: null;
  enforcement_level: string;
}

export interface DocumentRecords {
  domain: DomainRecord;
  document: DocumentRecord;
  /** The root block first, then the document's blocks in order. */
  blocks: BlockRecord[];
  atoms: AtomRecord[];
  molecules: MoleculeRecord[];
}

export function documentRecords(t: Tenant, doc: DocumentSnapshot): DocumentRecords {
  const uri = doc.uri;
  const domain = domainId(t.id, doc.domain);
  const docId = documentId(t.id, uri);
  const root = rootBlockId(t.id, uri);
  // Each id is a SHA-256; blocks and atoms are named many times over (definitions, references, rules).
  const blockRow = memoize((id: string) => blockRowId(t.id, uri, id));
  const atomOfKey = memoize((key: string) => atomId(t.id, doc.domain, key));
  const atomOf = (ref: { key: string }) => atomOfKey(ref.key);
  const moleculeRow = (id: string) => moleculeRowId(t.id, uri, id);

  // Atoms appearing in each block (seed: APPEARS_IN): defined, extracted, referenced, or used by its rules.
  const appears = new Map<string, Set<string>>(doc.blocks.map((b) => [b.id, new Set<string>()]));
  const moleculesOf = new Map<string, string[]>();
  const atoms = new Map<string, AtomRecord>();
  for (const def of doc.definitions) {
    const id = atomOf(def);
    appears.get(def.blockId)?.add(id);
    const existing = atoms.get(id);
    // A name defined twice in one document (a duplicate-atom finding): the first definition gives the value.
    if (existing) existing.defined_in.push(blockRow(def.blockId));
    else {
      const value = def.value ? valueColumns(def.value) : inputColumns(def.oneOf ?? null);
      atoms.set(id, { id, domain_id: domain, ...value, name: def.name, confidence: 1, source: 'manual', defined_in: [blockRow(def.blockId)] });
    }
  }
  for (const x of doc.extracted) {
    const id = extractedAtomId(t.id, uri, x.blockId, x.span.start, x.span.end);
    appears.get(x.blockId)?.add(id);
    atoms.set(id, { id, domain_id: domain, ...valueColumns(x.value), name: null, confidence: x.confidence, source: 'heuristic', defined_in: [blockRow(x.blockId)] });
  }
  for (const r of doc.references) appears.get(r.blockId)?.add(atomOf(r));
  // A decision table's header names its atoms even where no row uses them (the graph's APPEARS_IN, too).
  for (const table of doc.tables) for (const ref of [...table.inputs, ...table.outputs]) appears.get(table.blockId)?.add(atomOf(ref));
  const molecules = doc.molecules.map((m): MoleculeRecord => {
    const id = moleculeRow(m.id);
    const atomIds = [...new Set(refsOf(m).map(atomOf))];
    for (const a of atomIds) appears.get(m.blockId)?.add(a);
    moleculesOf.set(m.blockId, [...(moleculesOf.get(m.blockId) ?? []), id]);
    return {
      id,
      domain_id: domain,
      molecule_type: m.type,
      atom_ids: atomIds,
      configuration: canonicalRecord(configurationOf(m, blockRow, moleculeRow)),
      validation_rules: null,
      enforcement_level: m.enforcement,
    };
  });

  // JSON values (content, configuration, properties, values) in canonical key order, so that their JSON is the same whatever order they were built in.
  const blocks: BlockRecord[] = [
    {
      id: root,
      document_id: docId,
      parent_id: null,
      parent_type: 'document',
      block_type: 'page',
      position: 0,
      content: canonicalCopy({ rich_text: [{ text: doc.title }] }),
      atom_ids: [],
      molecule_ids: [],
      has_children: doc.blocks.length > 0,
    },
    ...doc.blocks.map(
      (b): BlockRecord => ({
        id: blockRow(b.id),
        document_id: docId,
        parent_id: b.parentId === null ? root : blockRow(b.parentId),
        parent_type: 'block',
        block_type: b.type,
        position: b.order + 1,
        content: canonicalCopy(b.content),
        atom_ids: [...appears.get(b.id)!].sort(),
        molecule_ids: [...new Set(moleculesOf.get(b.id) ?? [])].sort(),
        has_children: b.hasChildren,
      }),
    ),
  ];

  return {
    domain: { id: domain, name: doc.domain, path: `/domains/${doc.domain}/` },
    document: {
      id: docId,
      domain_id: domain,
      uri,
      parent_id: domain,
      parent_type: 'domain',
      root_block_id: root,
      properties: canonicalCopy(doc.frontMatter),
      title: doc.title,
    },
    blocks,
    atoms: [...atoms.values()].map((a) => ({
      ...a,
      json_value: canonicalCopy(a.json_value),
      one_of: canonicalCopy(a.one_of),
      defined_in: [...new Set(a.defined_in)].sort(),
    })),
    molecules,
  };
}

function memoize(f: (key: string) => string): (key: string) => string {
  const known = new Map<string, string>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) known.set(key, (value = f(key)));
    return value;
  };
}

const NO_VALUE = { text_value: null, number_value: null, boolean_value: null, date_value: null, json_value: null, unit: null, one_of: null };

const ATOM_TYPES: Record<Value['kind'], AtomType> = {
  number: 'NumberAtom',
  date: 'DateAtom',
  boolean: 'BooleanAtom',
  text: 'TextAtom',
  json: 'JSONAtom',
};

/** The seed's polymorphic value: exactly one value column set (a JSON `null` reads back as SQL NULL). */
export function valueColumns(v: Value): AtomValue {
  switch (v.kind) {
    case 'number':
      return { ...NO_VALUE, atom_type: 'NumberAtom', number_value: v.value, unit: v.unit ?? null };
    case 'date':
      return { ...NO_VALUE, atom_type: 'DateAtom', date_value: new Date(v.value).toISOString() };
    case 'boolean':
      return { ...NO_VALUE, atom_type: 'BooleanAtom', boolean_value: v.value };
    case 'text':
      return { ...NO_VALUE, atom_type: 'TextAtom', text_value: v.value };
    case 'json':
      return { ...NO_VALUE, atom_type: 'JSONAtom', json_value: v.value };
  }
}

/** An input (`one of a, b`, or no value yet): no value column set; typed by its enumeration. */
function inputColumns(oneOf: Value[] | null): AtomValue {
  return { ...NO_VALUE, atom_type: oneOf?.length ? ATOM_TYPES[oneOf[0].kind] : 'TextAtom', one_of: oneOf };
}

/** Every atom name a molecule mentions, subject first. */
function refsOf(m: Molecule): AtomRef[] {
  const refs: AtomRef[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const child of node) walk(child);
    else if (node && typeof node === 'object') {
      if ('key' in node && 'bracketed' in node) refs.push(node as AtomRef);
      else for (const child of Object.values(node)) walk(child);
    }
  };
  walk(m);
  return refs;
}

const RULE_TYPES: Record<Molecule['type'], string> = {
  ConditionMolecule: 'if_then',
  ConstraintMolecule: 'constraint',
  ExceptionMolecule: 'exception',
  RequiresMolecule: 'requires',
};

/** `molecule_metadata.configuration`: the rule's logic, with snapshot-local ids turned into row ids. */
function configurationOf(m: Molecule, blockRow: (id: string) => string, moleculeRow: (id: string) => string): Record<string, unknown> {
  const base = { rule_type: m.type === 'ConditionMolecule' && m.table ? 'decision_table' : RULE_TYPES[m.type], normalized: m.normalized };
  switch (m.type) {
    case 'ConditionMolecule':
      return {
        ...base,
        condition: withoutSpans(m.condition),
        results: withoutSpans(m.results),
        exception_ids: m.exceptionIds.map(moleculeRow),
        ...(m.table ? { table: canonicalRecord({ block_id: blockRow(m.table.blockId), row: m.table.row }) } : {}),
      };
    case 'ConstraintMolecule':
      return { ...base, comparison: withoutSpans(m.comparison) };
    case 'ExceptionMolecule':
      return { ...base, condition: withoutSpans(m.condition), parent_id: m.parentId === null ? null : moleculeRow(m.parentId) };
    case 'RequiresMolecule':
      return { ...base, subject: withoutSpans(m.subject), required: withoutSpans(m.required) };
  }
}

const SPAN_KEYS = new Set(['span', 'nameSpan', 'valueSpan']);

/** A copy without spans, in canonical key order (its checksum is then computed by `JSON.stringify`). */
function withoutSpans(node: unknown): unknown {
  return canonicalCopy(node, SPAN_KEYS);
}

/** The record an atom row was written from (to compare it with the next one). */
export function atomRecordOf(row: AtomRow): AtomRecord {
  return {
    id: row.id,
    domain_id: row.domainId,
    atom_type: row.atomType as AtomType,
    text_value: row.textValue,
    number_value: row.numberValue,
    boolean_value: row.booleanValue,
    date_value: row.dateValue?.toISOString() ?? null,
    json_value: row.jsonValue,
    unit: row.unit,
    one_of: row.oneOf as Value[] | null,
    name: row.name,
    confidence: row.confidence,
    source: row.source as AtomRecord['source'],
    defined_in: row.definedIn,
  };
}

/** The value columns of an atom record: a change of these makes a new version. */
export function atomValueOf(a: AtomValue): AtomValue {
  const { atom_type, text_value, number_value, boolean_value, date_value, json_value, unit, one_of } = a;
  return { atom_type, text_value, number_value, boolean_value, date_value, json_value, unit, one_of };
}
