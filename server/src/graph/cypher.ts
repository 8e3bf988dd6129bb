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

/** `row.document`, `row.domain` (`documentParams`). */
export const MERGE_DOCUMENTS = `
UNWIND $rows AS row
MERGE (d:Domain {tenantId: $tenantId, id: row.domain.id})
  ON CREATE SET d.createdAt = timestamp()
SET d.name = row.domain.name, d.updatedAt = timestamp()
MERGE (doc:Document {tenantId: $tenantId, id: row.document.id})
  ON CREATE SET doc.createdAt = timestamp()
SET doc += row.document, doc.updatedAt = timestamp()
MERGE (doc)-[:IN_DOMAIN]->(d)`;

/** `$groups`: per document, `id` and its blocks as `rows` (a group is looked up once, not per row). */
export const MERGE_BLOCKS = `
UNWIND $groups AS group
MATCH (doc:Document {tenantId: $tenantId, id: group.id})
UNWIND group.rows AS row
MERGE (b:Block {tenantId: $tenantId, id: row.id})
  ON CREATE SET b.createdAt = timestamp()
SET b += row, b.updatedAt = timestamp()
MERGE (b)-[:PART_OF_DOCUMENT]->(doc)`;

/**
 * `$groups`: per domain, `id` and its atoms as `rows`; `row.base` is the atom
 * as written (`atomWrite`); an atom only used keeps what it has. (One SET per
 * branch: a later `WHERE row.defines SET a += row.base` wrote every new
 * defined atom twice, behind two more Eagers.)
 */
export const MERGE_ATOMS = `
UNWIND $groups AS group
MATCH (d:Domain {tenantId: $tenantId, id: group.id})
UNWIND group.rows AS row
MERGE (a:Atom {tenantId: $tenantId, id: row.base.id})
  ON CREATE SET a += row.base, a.createdAt = timestamp(), a.updatedAt = timestamp()
  ON MATCH SET a += CASE WHEN row.defines THEN row.base ELSE {} END, a.updatedAt = timestamp()
MERGE (a)-[:IN_DOMAIN]->(d)`;

/** `row.molecule`, with the atoms it holds (`row.parts`: PART_OF) and requires (`row.requires`). */
export const MERGE_MOLECULES = `
UNWIND $rows AS row
MERGE (m:Molecule {tenantId: $tenantId, id: row.molecule.id})
  ON CREATE SET m.createdAt = timestamp()
SET m += row.molecule, m.updatedAt = timestamp()
WITH m, row
CALL (m, row) {
  UNWIND row.parts AS part
  MATCH (a:Atom {tenantId: $tenantId, id: part.from})
  MERGE (a)-[r:PART_OF {role: part.role}]->(m)
    ON CREATE SET r.createdAt = timestamp()
  SET r.order = part.order
}
CALL (m, row) {
  UNWIND row.requires AS required
  MATCH (a:Atom {tenantId: $tenantId, id: required.atomId})
  MERGE (m)-[r:REQUIRES]->(a)
    ON CREATE SET r.createdAt = timestamp()
  SET r.type = required.type, r.enforcement = required.enforcement
}`;

/** An ExceptionMolecule PART_OF the rule it narrows (after MERGE_MOLECULES: both ends exist). */
export const MERGE_EXCEPTION_PART_OF = `
UNWIND $rows AS row
MATCH (x:Molecule {tenantId: $tenantId, id: row.from})
MATCH (m:Molecule {tenantId: $tenantId, id: row.to})
MERGE (x)-[r:PART_OF {role: row.role}]->(m)
  ON CREATE SET r.createdAt = timestamp()
SET r.order = row.order`;

/** `$groups`: per document, `id` and its APPEARS_IN as `rows`. */
export const MERGE_APPEARS_IN = `
UNWIND $groups AS group
MATCH (doc:Document {tenantId: $tenantId, id: group.id})
UNWIND group.rows AS row
MATCH (a:Atom {tenantId: $tenantId, id: row.atomId})
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
const NEW_MOLECULE = `{tenantId: $tenantId, id: row.molecule.id, type: row.molecule.type, moleculeType: row.molecule.moleculeType,
  ruleType: row.molecule.ruleType, summary: row.molecule.summary, condition: row.molecule.condition, result: row.molecule.result,
  configuration: row.molecule.configuration, enforcement: row.molecule.enforcement, domain: row.molecule.domain,
  documentId: row.molecule.documentId, blockId: row.molecule.blockId, createdAt: timestamp(), updatedAt: timestamp()}`;

/** As MERGE_DOCUMENTS, for documents new to the graph. */
export const CREATE_DOCUMENTS = `
UNWIND $rows AS row
MERGE (d:Domain {tenantId: $tenantId, id: row.domain.id})
  ON CREATE SET d.createdAt = timestamp()
SET d.name = row.domain.name, d.updatedAt = timestamp()
CREATE (doc:Document {tenantId: $tenantId, id: row.document.id, uri: row.document.uri, title: row.document.title,
  type: row.document.type, domain: row.document.domain, createdAt: timestamp(), updatedAt: timestamp()})-[:IN_DOMAIN]->(d)`;

/** As MERGE_BLOCKS, for documents new to the graph. */
export const CREATE_BLOCKS = `
UNWIND $groups AS group
MATCH (doc:Document {tenantId: $tenantId, id: group.id})
UNWIND group.rows AS row
CREATE (:Block ${NEW_BLOCK})-[:PART_OF_DOCUMENT]->(doc)`;

/** As MERGE_MOLECULES, for documents new to the graph. */
export const CREATE_MOLECULES = `
UNWIND $rows AS row
CREATE (m:Molecule ${NEW_MOLECULE})
WITH m, row
CALL (m, row) {
  UNWIND row.parts AS part
  MATCH (a:Atom {tenantId: $tenantId, id: part.from})
  CREATE (a)-[:PART_OF {role: part.role, order: part.order, createdAt: timestamp()}]->(m)
}
CALL (m, row) {
  UNWIND row.requires AS required
  MATCH (a:Atom {tenantId: $tenantId, id: required.atomId})
  CREATE (m)-[:REQUIRES {type: required.type, enforcement: required.enforcement, createdAt: timestamp()}]->(a)
}`;

/** As MERGE_EXCEPTION_PART_OF, for documents new to the graph. */
export const CREATE_EXCEPTION_PART_OF = `
UNWIND $rows AS row
MATCH (x:Molecule {tenantId: $tenantId, id: row.from})
WITH x, row
MATCH (m:Molecule {tenantId: $tenantId, id: row.to})
CREATE (x)-[:PART_OF {role: row.role, order: row.order, createdAt: timestamp()}]->(m)`;

/** As MERGE_APPEARS_IN, for documents new to the graph. */
export const CREATE_APPEARS_IN = `
UNWIND $groups AS group
MATCH (doc:Document {tenantId: $tenantId, id: group.id})
UNWIND group.rows AS row
MATCH (a:Atom {tenantId: $tenantId, id: row.atomId})
CREATE (a)-[:APPEARS_IN {blockId: row.blockId, spans: row.spans, confidence: row.confidence, source: row.source, createdAt: timestamp()}]->(doc)`;

/** The statements that write documents' own rows (`WriteRows`): MERGE for documents the graph holds, CREATE for new ones. */
export interface WriteStatements {
  documents: string;
  blocks: string;
  molecules: string;
  exceptionPartOf: string;
  appearsIn: string;
}

export const MERGE: WriteStatements = {
  documents: MERGE_DOCUMENTS,
  blocks: MERGE_BLOCKS,
  molecules: MERGE_MOLECULES,
  exceptionPartOf: MERGE_EXCEPTION_PART_OF,
  appearsIn: MERGE_APPEARS_IN,
};

export const CREATE: WriteStatements = {
  documents: CREATE_DOCUMENTS,
  blocks: CREATE_BLOCKS,
  molecules: CREATE_MOLECULES,
  exceptionPartOf: CREATE_EXCEPTION_PART_OF,
  appearsIn: CREATE_APPEARS_IN,
};

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
