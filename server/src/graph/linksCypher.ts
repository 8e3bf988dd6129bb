/**
 * The Cypher behind `GraphStore.documentLinks` on Neo4j: one read for any
 * number of documents, the raw facts per document (`LinkFacts`, shaped by
 * `links.ts`). Every node pattern is scoped by `$tenantId`; documents the
 * tenant does not have give no row.
 *
 * The appearances are read once per document as `[blockId, atomId]` pairs
 * and grouped by block in `links.ts`, not matched once per block: a
 * document's work stays linear in its relationships.
 */
export const DOCUMENT_LINKS = `
UNWIND $documentIds AS documentId
MATCH (doc:Document {tenantId: $tenantId, id: documentId})
RETURN doc.id AS documentId,
  COLLECT { MATCH (b:Block {tenantId: $tenantId})-[:PART_OF_DOCUMENT]->(doc) RETURN b.id } AS blockIds,
  COLLECT { MATCH (a:Atom {tenantId: $tenantId})-[r:APPEARS_IN]->(doc) RETURN [r.blockId, a.id] } AS appears,
  COLLECT {
    MATCH (m:Molecule {tenantId: $tenantId, documentId: documentId})
    RETURN {
      id: m.id,
      blockId: m.blockId,
      atomIds: COLLECT { MATCH (a:Atom {tenantId: $tenantId})-[:PART_OF]->(m) RETURN a.id }
        + COLLECT { MATCH (m)-[:REQUIRES]->(a:Atom {tenantId: $tenantId}) RETURN a.id }
    }
  } AS molecules`;
