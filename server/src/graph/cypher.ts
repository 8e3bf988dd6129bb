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

const IN_DOCUMENT = '(:Document {tenantId: $tenantId, id: $documentId})';
const DOCUMENT_MOLECULE = '(m:Molecule {tenantId: $tenantId, documentId: $documentId})';

// ---------------------------------------------------------------- writes

/** Atoms the document references now (before a replacement): candidates for collection. */
export const DOCUMENT_ATOMS = `
MATCH (a:Atom {tenantId: $tenantId})-[:APPEARS_IN]->${IN_DOCUMENT} RETURN a.id AS id
UNION MATCH (a:Atom {tenantId: $tenantId})-[:PART_OF]->${DOCUMENT_MOLECULE} RETURN a.id AS id
UNION MATCH ${DOCUMENT_MOLECULE}-[:REQUIRES]->(a:Atom {tenantId: $tenantId}) RETURN a.id AS id`;

export const DOCUMENT_DOMAINS = `
MATCH ${IN_DOCUMENT}-[:IN_DOMAIN]->(d:Domain {tenantId: $tenantId}) RETURN d.id AS id`;

/** What a replacement no longer lists: `$molecules`, `$blocks`, … are the keys to keep (`GraphKeys`). */
export const PRUNE: readonly string[] = [
  `MATCH ${DOCUMENT_MOLECULE} WHERE NOT m.id IN $molecules DETACH DELETE m`,
  `MATCH (b:Block {tenantId: $tenantId})-[:PART_OF_DOCUMENT]->${IN_DOCUMENT} WHERE NOT b.id IN $blocks DETACH DELETE b`,
  `MATCH (a:Atom {tenantId: $tenantId})-[r:APPEARS_IN]->${IN_DOCUMENT} WHERE NOT (a.id + '|' + r.blockId) IN $appearsIn DELETE r`,
  `MATCH (x {tenantId: $tenantId})-[r:PART_OF]->${DOCUMENT_MOLECULE} WHERE NOT (x.id + '|' + m.id + '|' + r.role) IN $partOf DELETE r`,
  `MATCH ${DOCUMENT_MOLECULE}-[r:REQUIRES]->(a:Atom {tenantId: $tenantId}) WHERE NOT (m.id + '|' + a.id) IN $requires DELETE r`,
  `MATCH ${IN_DOCUMENT}-[r:IN_DOMAIN]->(d:Domain {tenantId: $tenantId}) WHERE $domainId IS NULL OR d.id <> $domainId DELETE r`,
];

export const MERGE_DOCUMENT = `
MERGE (d:Domain {tenantId: $tenantId, id: $domain.id})
  ON CREATE SET d.createdAt = timestamp()
SET d.name = $domain.name, d.updatedAt = timestamp()
MERGE (doc:Document {tenantId: $tenantId, id: $document.id})
  ON CREATE SET doc.createdAt = timestamp()
SET doc += $document, doc.updatedAt = timestamp()
MERGE (doc)-[:IN_DOMAIN]->(d)`;

export const MERGE_BLOCKS = `
MATCH (doc:Document {tenantId: $tenantId, id: $documentId})
UNWIND $rows AS row
MERGE (b:Block {tenantId: $tenantId, id: row.id})
  ON CREATE SET b.createdAt = timestamp()
SET b += row, b.updatedAt = timestamp()
MERGE (b)-[:PART_OF_DOCUMENT]->(doc)`;

/** `row.base` is the atom as written (`atomWrite`); an atom only used here keeps what it has. */
export const MERGE_ATOMS = `
MATCH (d:Domain {tenantId: $tenantId, id: $domainId})
UNWIND $rows AS row
MERGE (a:Atom {tenantId: $tenantId, id: row.base.id})
  ON CREATE SET a += row.base, a.createdAt = timestamp()
SET a.updatedAt = timestamp()
MERGE (a)-[:IN_DOMAIN]->(d)
WITH a, row WHERE row.defines
SET a += row.base`;

export const MERGE_MOLECULES = `
UNWIND $rows AS row
MERGE (m:Molecule {tenantId: $tenantId, id: row.id})
  ON CREATE SET m.createdAt = timestamp()
SET m += row, m.updatedAt = timestamp()`;

const mergePartOf = (from: 'Atom' | 'Molecule') => `
UNWIND $rows AS row
MATCH (x:${from} {tenantId: $tenantId, id: row.from})
MATCH (m:Molecule {tenantId: $tenantId, id: row.to})
MERGE (x)-[r:PART_OF {role: row.role}]->(m)
  ON CREATE SET r.createdAt = timestamp()
SET r.order = row.order`;
export const MERGE_ATOM_PART_OF = mergePartOf('Atom');
export const MERGE_EXCEPTION_PART_OF = mergePartOf('Molecule');

export const MERGE_APPEARS_IN = `
MATCH (doc:Document {tenantId: $tenantId, id: $documentId})
UNWIND $rows AS row
MATCH (a:Atom {tenantId: $tenantId, id: row.atomId})
MERGE (a)-[r:APPEARS_IN {blockId: row.blockId}]->(doc)
  ON CREATE SET r.createdAt = timestamp()
SET r.spans = row.spans, r.confidence = row.confidence, r.source = row.source`;

export const MERGE_REQUIRES = `
UNWIND $rows AS row
MATCH (m:Molecule {tenantId: $tenantId, id: row.moleculeId})
MATCH (a:Atom {tenantId: $tenantId, id: row.atomId})
MERGE (m)-[r:REQUIRES]->(a)
  ON CREATE SET r.createdAt = timestamp()
SET r.type = row.type, r.enforcement = row.enforcement`;

export const DELETE_DOCUMENT = `MATCH (doc:Document {tenantId: $tenantId, id: $documentId}) DETACH DELETE doc`;

/** Values `$documentId` defined and no longer does; then atoms nothing references; then empty domains. */
export const COLLECT: readonly string[] = [
  `UNWIND $atoms AS id
MATCH (a:Atom {tenantId: $tenantId, id: id})
WHERE a.definedIn = $documentId AND NOT id IN $defined
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
  `MATCH (n:${label} {tenantId: $tenantId}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`;
