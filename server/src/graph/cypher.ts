/**
 * Every Cypher statement of the Neo4j store. Labels and relationship types
 * are fixed here; every value (including the tenant) is a parameter, and
 * every node pattern is scoped by `$tenantId`. The only non-parameter is a
 * traversal bound, an integer validated by `checkDepth` (Cypher takes no
 * parameters in quantifiers).
 */
import { checkDepth } from './store';

const ATOM = '{.id, .name, .key, .domain, .type, .value, .unit, .canonical, .oneOf, .confidence, .source, .definedIn}';
const MOLECULE =
  '{.id, .type, .moleculeType, .ruleType, .summary, .condition, .result, .configuration, .enforcement, .domain, .documentId, .blockId}';
const BLOCK = '{.id, .blockType, .parentId, .order, .checksum}';
const DOCUMENT = '{.id, .uri, .title, .type, .domain}';

const DOCUMENT_MOLECULE = '(m:Molecule {tenantId: $tenantId, documentId: $documentId})';

// ---------------------------------------------------------------- writes
//
// A batch of documents is written with one statement per step, each over
// every document (`UNWIND $docs` / `UNWIND $rows`, rows carrying their
// documentId or domainId). Steps that find what a document has start at the
// document (its key, or the molecules' documentId index); the `USING INDEX`
// hints keep the planner from scanning all of the tenant's blocks or
// molecules instead, which it chooses when its statistics are stale (a plan
// made while the graph was small) and which makes every write cost more as
// the graph grows.

const ROW_DOCUMENT = '(doc:Document {tenantId: $tenantId, id: row.id})';
const BY_DOCUMENT = 'USING INDEX doc:Document(tenantId, id)';
const ROW_MOLECULE = '(m:Molecule {tenantId: $tenantId, documentId: row.id})';
const BY_MOLECULE = 'USING INDEX m:Molecule(tenantId, documentId)';

/**
 * The documents of `$ids` that exist, with the atoms and domains each
 * references now, before its replacement (candidates for collection). Only
 * these have anything to prune. Between an atom and a molecule, PART_OF only
 * leads to the molecule and REQUIRES only leaves it, so one undirected step
 * finds both; the molecules are found first, by their documentId index (with
 * the pattern starting at the atom, the planner solved the hint with a scan of
 * the whole index: every molecule of the tenant, for every document).
 */
export const DOCUMENTS_BEFORE = `
UNWIND $ids AS id
MATCH (doc:Document {tenantId: $tenantId, id: id})
RETURN id,
  COLLECT {
    MATCH (a:Atom {tenantId: $tenantId})-[:APPEARS_IN]->(doc) RETURN a.id AS atom
    UNION
    MATCH (m:Molecule {tenantId: $tenantId, documentId: id}) ${BY_MOLECULE}
    MATCH (m)-[:PART_OF|REQUIRES]-(a:Atom {tenantId: $tenantId})
    RETURN a.id AS atom
  } AS atoms,
  COLLECT { MATCH (doc)-[:IN_DOMAIN]->(d:Domain {tenantId: $tenantId}) RETURN d.id } AS domains`;

/**
 * What a replacement no longer lists. Each `$docs` row is a document's `id`
 * and `keep`: the `GraphKeys` list named by `keep` (its new domain's id for
 * IN_DOMAIN, null: none), so a statement carries only the keys it needs.
 */
export const PRUNE: readonly { keep: 'molecules' | 'blocks' | 'appearsIn' | 'partOf' | 'requires' | 'domainId'; query: string }[] = [
  { keep: 'molecules', query: `UNWIND $docs AS row MATCH ${ROW_MOLECULE} ${BY_MOLECULE} WHERE NOT m.id IN row.keep DETACH DELETE m` },
  {
    keep: 'blocks',
    query: `UNWIND $docs AS row MATCH (b:Block {tenantId: $tenantId})-[:PART_OF_DOCUMENT]->${ROW_DOCUMENT} ${BY_DOCUMENT}
WHERE NOT b.id IN row.keep DETACH DELETE b`,
  },
  {
    keep: 'appearsIn',
    query: `UNWIND $docs AS row MATCH (a:Atom {tenantId: $tenantId})-[r:APPEARS_IN]->${ROW_DOCUMENT} ${BY_DOCUMENT}
WHERE NOT (a.id + '|' + r.blockId) IN row.keep DELETE r`,
  },
  {
    keep: 'partOf',
    query: `UNWIND $docs AS row MATCH (x {tenantId: $tenantId})-[r:PART_OF]->${ROW_MOLECULE} ${BY_MOLECULE}
WHERE NOT (x.id + '|' + m.id + '|' + r.role) IN row.keep DELETE r`,
  },
  {
    keep: 'requires',
    query: `UNWIND $docs AS row MATCH ${ROW_MOLECULE}-[r:REQUIRES]->(a:Atom {tenantId: $tenantId}) ${BY_MOLECULE}
WHERE NOT (m.id + '|' + a.id) IN row.keep DELETE r`,
  },
  {
    keep: 'domainId',
    query: `UNWIND $docs AS row MATCH ${ROW_DOCUMENT}-[r:IN_DOMAIN]->(d:Domain {tenantId: $tenantId}) ${BY_DOCUMENT}
WHERE row.keep IS NULL OR d.id <> row.keep DELETE r`,
  },
];

// Nodes are looked up by key once per batch: the statements that write
// documents, atoms and molecules return each node's element id, and the
// statements after them find their nodes by it (`elementId(n) = ...`, a seek
// by record id) instead of seeking the (tenantId, id) index once per use. A
// node found by element id is still checked against `$tenantId`.

/**
 * The write statements' plans do not depend on the graph's statistics (seeks
 * by element id or by the uniqueness constraints' index), so the plan cached
 * for a statement is kept: without this, Neo4j planned them again and again
 * while a sync made the graph grow (~10% of a sync's server time in a profile).
 */
const SKIP = 'CYPHER replan=skip';

/** `n` (with `label`, if any) the node whose element id is `id`, in the tenant. */
const byElementId = (n: string, label: string, id: string) =>
  `MATCH (${n}${label ? `:${label}` : ''}) WHERE elementId(${n}) = ${id} AND ${n}.tenantId = $tenantId`;

/** What the documents statements return: each row's document and domain, with their element ids. */
const DOCUMENT_IDS = 'RETURN row.document.id AS id, elementId(doc) AS doc, row.domain.id AS domainId, elementId(d) AS domain';

/** `row.document`, `row.domain` (`documentRow`). */
export const MERGE_DOCUMENTS = `${SKIP}
UNWIND $rows AS row
MERGE (d:Domain {tenantId: $tenantId, id: row.domain.id})
  ON CREATE SET d.createdAt = timestamp()
SET d.name = row.domain.name, d.updatedAt = timestamp()
MERGE (doc:Document {tenantId: $tenantId, id: row.document.id})
  ON CREATE SET doc.createdAt = timestamp()
SET doc += row.document, doc.updatedAt = timestamp()
MERGE (doc)-[:IN_DOMAIN]->(d)
${DOCUMENT_IDS}`;

/** `$groups`: per document, its element id as `id` and its blocks as `rows`. */
export const MERGE_BLOCKS = `${SKIP}
UNWIND $groups AS group
${byElementId('doc', 'Document', 'group.id')}
UNWIND group.rows AS row
MERGE (b:Block {tenantId: $tenantId, id: row.id})
  ON CREATE SET b.createdAt = timestamp()
SET b += row, b.updatedAt = timestamp()
MERGE (b)-[:PART_OF_DOCUMENT]->(doc)`;

/**
 * `$groups`: per domain, its element id as `id` and its atoms as `rows`;
 * `row.base` is the atom as written (`atomWrite`); an atom only used keeps
 * what it has. (One SET per branch: a later `WHERE row.defines SET a +=
 * row.base` wrote every new defined atom twice, behind two more Eagers.)
 * Atoms are shared by documents, so always merged.
 */
export const MERGE_ATOMS = `${SKIP}
UNWIND $groups AS group
${byElementId('d', 'Domain', 'group.id')}
UNWIND group.rows AS row
MERGE (a:Atom {tenantId: $tenantId, id: row.base.id})
  ON CREATE SET a += row.base, a.createdAt = timestamp(), a.updatedAt = timestamp()
  ON MATCH SET a += CASE WHEN row.defines THEN row.base ELSE {} END, a.updatedAt = timestamp()
MERGE (a)-[:IN_DOMAIN]->(d)
RETURN row.base.id AS id, elementId(a) AS eid`;

/** `$rows`: molecules (`documentRows`). */
export const MERGE_MOLECULES = `${SKIP}
UNWIND $rows AS row
MERGE (m:Molecule {tenantId: $tenantId, id: row.id})
  ON CREATE SET m.createdAt = timestamp()
SET m += row, m.updatedAt = timestamp()
RETURN row.id AS id, elementId(m) AS eid`;

// Relationships: `$rows` of `from` and `to` element ids and the properties (`Link`).

/** An atom in a molecule, or an exception in the rule it narrows. */
export const MERGE_PART_OF = `${SKIP}
UNWIND $rows AS row
${byElementId('x', '', 'row.from')}
${byElementId('m', 'Molecule', 'row.to')}
MERGE (x)-[r:PART_OF {role: row.role}]->(m)
  ON CREATE SET r.createdAt = timestamp()
SET r.order = row.order`;

export const MERGE_REQUIRES = `${SKIP}
UNWIND $rows AS row
${byElementId('m', 'Molecule', 'row.from')}
${byElementId('a', 'Atom', 'row.to')}
MERGE (m)-[r:REQUIRES]->(a)
  ON CREATE SET r.createdAt = timestamp()
SET r.type = row.type, r.enforcement = row.enforcement`;

export const MERGE_APPEARS_IN = `${SKIP}
UNWIND $rows AS row
${byElementId('a', 'Atom', 'row.from')}
${byElementId('doc', 'Document', 'row.to')}
MERGE (a)-[r:APPEARS_IN {blockId: row.blockId}]->(doc)
  ON CREATE SET r.createdAt = timestamp()
SET r.spans = row.spans, r.confidence = row.confidence, r.source = row.source`;

// ---------------------------------------------------------------- new documents
//
// A document the graph does not hold yet has no blocks, no molecules and no
// relationships there: their ids derive from the document's uri (like the
// document's, persistence/ids.ts) and they are deleted with it. Its nodes and
// relationships are therefore CREATEd, which spares MERGE's locking index seek
// or relationship lookup per row and the Eager a `SET x += map` after a MERGE
// plans (measured: about 40% of the block statement). Only domains and atoms,
// which documents share, are merged. Properties are listed one by one, as the
// rows carry them (neo4jRows.ts).

const NEW_BLOCK = `{tenantId: $tenantId, id: row.id, blockType: row.blockType, parentId: row.parentId, order: row.order,
  checksum: row.checksum, createdAt: timestamp(), updatedAt: timestamp()}`;
const NEW_MOLECULE = `{tenantId: $tenantId, id: row.id, type: row.type, moleculeType: row.moleculeType, ruleType: row.ruleType,
  summary: row.summary, condition: row.condition, result: row.result, configuration: row.configuration,
  enforcement: row.enforcement, domain: row.domain, documentId: row.documentId, blockId: row.blockId,
  createdAt: timestamp(), updatedAt: timestamp()}`;

/** As MERGE_DOCUMENTS, for documents new to the graph. */
export const CREATE_DOCUMENTS = `${SKIP}
UNWIND $rows AS row
MERGE (d:Domain {tenantId: $tenantId, id: row.domain.id})
  ON CREATE SET d.createdAt = timestamp()
SET d.name = row.domain.name, d.updatedAt = timestamp()
CREATE (doc:Document {tenantId: $tenantId, id: row.document.id, uri: row.document.uri, title: row.document.title,
  type: row.document.type, domain: row.document.domain, createdAt: timestamp(), updatedAt: timestamp()})-[:IN_DOMAIN]->(d)
${DOCUMENT_IDS}`;

/** As MERGE_BLOCKS, for documents new to the graph. */
export const CREATE_BLOCKS = `${SKIP}
UNWIND $groups AS group
${byElementId('doc', 'Document', 'group.id')}
UNWIND group.rows AS row
CREATE (:Block ${NEW_BLOCK})-[:PART_OF_DOCUMENT]->(doc)`;

/** As MERGE_MOLECULES, for documents new to the graph. */
export const CREATE_MOLECULES = `${SKIP}
UNWIND $rows AS row
CREATE (m:Molecule ${NEW_MOLECULE})
RETURN row.id AS id, elementId(m) AS eid`;

export const CREATE_PART_OF = `${SKIP}
UNWIND $rows AS row
${byElementId('x', '', 'row.from')}
${byElementId('m', 'Molecule', 'row.to')}
CREATE (x)-[:PART_OF {role: row.role, order: row.order, createdAt: timestamp()}]->(m)`;

export const CREATE_REQUIRES = `${SKIP}
UNWIND $rows AS row
${byElementId('m', 'Molecule', 'row.from')}
${byElementId('a', 'Atom', 'row.to')}
CREATE (m)-[:REQUIRES {type: row.type, enforcement: row.enforcement, createdAt: timestamp()}]->(a)`;

export const CREATE_APPEARS_IN = `${SKIP}
UNWIND $rows AS row
${byElementId('a', 'Atom', 'row.from')}
${byElementId('doc', 'Document', 'row.to')}
CREATE (a)-[:APPEARS_IN {blockId: row.blockId, spans: row.spans, confidence: row.confidence, source: row.source, createdAt: timestamp()}]->(doc)`;

/** The statements that write documents' own rows (`WriteRows`): MERGE for documents the graph holds, CREATE for new ones. */
export interface WriteStatements {
  documents: string;
  blocks: string;
  molecules: string;
  partOf: string;
  requires: string;
  appearsIn: string;
}

export const MERGE: WriteStatements = {
  documents: MERGE_DOCUMENTS,
  blocks: MERGE_BLOCKS,
  molecules: MERGE_MOLECULES,
  partOf: MERGE_PART_OF,
  requires: MERGE_REQUIRES,
  appearsIn: MERGE_APPEARS_IN,
};

export const CREATE: WriteStatements = {
  documents: CREATE_DOCUMENTS,
  blocks: CREATE_BLOCKS,
  molecules: CREATE_MOLECULES,
  partOf: CREATE_PART_OF,
  requires: CREATE_REQUIRES,
  appearsIn: CREATE_APPEARS_IN,
};

/** Element ids of nodes a batch references but does not write (`$ids`: their ids). */
export const elementIds = (label: 'Atom' | 'Molecule') => `
UNWIND $ids AS id
MATCH (n:${label} {tenantId: $tenantId, id: id})
RETURN id, elementId(n) AS eid`;

export const DELETE_DOCUMENT = `MATCH (doc:Document {tenantId: $tenantId, id: $documentId}) DETACH DELETE doc`;

/**
 * After the writes: values a `$docs` row's document (`row.id`) defined and no
 * longer does (`row.atoms` are its atoms before, `row.defined` what it
 * defines now); then `$atoms` nothing references; then `$domains` nothing is in.
 */
export const COLLECT: readonly string[] = [
  `UNWIND $docs AS row
UNWIND row.atoms AS id
MATCH (a:Atom {tenantId: $tenantId, id: id})
WHERE a.definedIn = row.id AND NOT id IN row.defined
SET a.type = null, a.value = null, a.unit = null, a.canonical = null, a.oneOf = null, a.definedIn = null`,
  `UNWIND $atoms AS id
MATCH (a:Atom {tenantId: $tenantId, id: id})
WHERE NOT EXISTS { (a)-[:APPEARS_IN|PART_OF]->() } AND NOT EXISTS { (a)<-[:REQUIRES]-() }
DETACH DELETE a`,
  `UNWIND $domains AS id
MATCH (d:Domain {tenantId: $tenantId, id: id})
WHERE NOT EXISTS { (d)<-[:IN_DOMAIN]-() }
DELETE d`,
];

const replaceLinks = (label: 'Atom' | 'Molecule', type: 'CONFLICTS_WITH' | 'RELATED_TO', props: string) => [
  `MATCH (:${label} {tenantId: $tenantId, domain: $domain})-[r:${type}]->() DELETE r`,
  `UNWIND $rows AS row
MATCH (a:${label} {tenantId: $tenantId, id: row.from})
MATCH (b:${label} {tenantId: $tenantId, id: row.to})
MERGE (a)-[r:${type}]->(b)
  ON CREATE SET r.createdAt = timestamp()
SET ${props}`,
];
export const SET_CONFLICTS = replaceLinks('Molecule', 'CONFLICTS_WITH', 'r.reason = row.reason, r.severity = row.severity');
export const SET_RELATIONS = replaceLinks('Atom', 'RELATED_TO', 'r.type = row.type, r.strength = row.strength');

// ---------------------------------------------------------------- reads

export const READ_DOCUMENT = `
MATCH (doc:Document {tenantId: $tenantId, id: $documentId})-[:IN_DOMAIN]->(d:Domain {tenantId: $tenantId})
RETURN doc ${DOCUMENT} AS document, d {.id, .name} AS domain,
  COLLECT { MATCH (b:Block {tenantId: $tenantId})-[:PART_OF_DOCUMENT]->(doc) RETURN b ${BLOCK} } AS blocks,
  COLLECT { MATCH ${DOCUMENT_MOLECULE} RETURN m ${MOLECULE} } AS molecules,
  COLLECT {
    MATCH (a:Atom {tenantId: $tenantId})-[r:APPEARS_IN]->(doc)
    RETURN {atomId: a.id, blockId: r.blockId, spans: r.spans, confidence: r.confidence, source: r.source}
  } AS appearsIn,
  COLLECT {
    MATCH (x {tenantId: $tenantId})-[r:PART_OF]->${DOCUMENT_MOLECULE}
    RETURN {from: x.id, to: m.id, role: r.role, order: r.order}
  } AS partOf,
  COLLECT {
    MATCH ${DOCUMENT_MOLECULE}-[r:REQUIRES]->(a:Atom {tenantId: $tenantId})
    RETURN {moleculeId: m.id, atomId: a.id, type: r.type, enforcement: r.enforcement}
  } AS requires`;

export const ATOMS_BY_ID = `
UNWIND $ids AS id
MATCH (a:Atom {tenantId: $tenantId, id: id})
RETURN a ${ATOM} AS atom`;

export const DOCUMENTS_BY_ID = `
UNWIND $ids AS id
MATCH (d:Document {tenantId: $tenantId, id: id})
RETURN d.id AS id, d.uri AS uri, d.title AS title`;

export const MOLECULES_CONTAINING_ATOM = `
MATCH (:Atom {tenantId: $tenantId, id: $atomId})-[r:PART_OF]->(m:Molecule {tenantId: $tenantId})
RETURN m ${MOLECULE} AS molecule, collect(r.role) AS roles`;

export const CONFLICTS_OF = `
MATCH (:Molecule {tenantId: $tenantId, id: $moleculeId})-[r:CONFLICTS_WITH]-(m:Molecule {tenantId: $tenantId})
RETURN m ${MOLECULE} AS molecule, r.reason AS reason, r.severity AS severity`;

/** One impact step (see `Impact` in store.ts). PART_OF always starts at an atom or an exception. */
const AFFECTS = `(x)-[r:PART_OF|REQUIRES]-(y) WHERE y.tenantId = $tenantId AND (
    (x:Atom AND y:Molecule AND (r:REQUIRES OR r.role <> 'result'))
    OR (x:Molecule AND y:Atom AND r:PART_OF AND (r.role = 'result' OR (r.role = 'subject' AND x.moleculeType = 'RequiresMolecule')))
    OR (x:Molecule AND y:Molecule AND x.moleculeType = 'ExceptionMolecule'))`;

export function impactQuery(depth: number): string {
  return `
MATCH (a:Atom {tenantId: $tenantId, id: $atomId})
RETURN a ${ATOM} AS atom, COLLECT {
  MATCH p = SHORTEST 1 (a) (${AFFECTS}){1,${checkDepth(depth)}} (n)
  WHERE n <> a
  RETURN {hops: length(p), atom: CASE WHEN n:Atom THEN n ${ATOM} END, molecule: CASE WHEN n:Molecule THEN n ${MOLECULE} END}
} AS hits`;
}

export function relatedQuery(depth: number): string {
  return `
MATCH (a:Atom {tenantId: $tenantId, id: $atomId})
MATCH p = SHORTEST 1 (a) ((x)-[:RELATED_TO]-(y:Atom) WHERE y.tenantId = $tenantId){1,${checkDepth(depth)}} (n)
WHERE n <> a
RETURN n ${ATOM} AS atom, length(p) AS hops`;
}

/** One dependency step between atoms: an input of a rule to what the rule sets (or the dependant of a REQUIRES). */
const STEP_WHERE = `m.tenantId = $tenantId AND y.tenantId = $tenantId
    AND (p:REQUIRES OR p.role <> 'result')
    AND (q.role = 'result' OR (q.role = 'subject' AND m.moleculeType = 'RequiresMolecule'))`;

/** Atoms that reach themselves, what they reach, and their direct steps. */
export const CYCLIC_ATOMS = `
MATCH (a:Atom {tenantId: $tenantId}) WHERE $domain IS NULL OR a.domain = $domain
MATCH SHORTEST 1 (a) ((x:Atom)-[p:PART_OF|REQUIRES]-(m:Molecule)<-[q:PART_OF]-(y:Atom) WHERE ${STEP_WHERE})+ (b:Atom)
WITH a, collect(b.id) AS reach
WHERE a.id IN reach
RETURN a ${ATOM} AS atom, reach, COLLECT {
  MATCH (a)-[p:PART_OF|REQUIRES]-(m:Molecule)<-[q:PART_OF]-(y:Atom) WHERE ${STEP_WHERE}
  RETURN [m.id, y.id]
} AS steps`;

export const countNodes = (label: string) => `MATCH (n:${label} {tenantId: $tenantId}) RETURN count(n) AS n`;
export const countRelationships = (label: string) =>
  `MATCH (:${label} {tenantId: $tenantId})-[r]->() RETURN type(r) AS type, count(r) AS n`;
export const clearLabel = (label: string) =>
  `MATCH (n:${label} {tenantId: $tenantId}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS`;
