/**
 * A document graph as Neo4j parameter rows: fields picked explicitly (a
 * stray key can never become a property such as `tenantId`), integers sent
 * as Neo4j integers, spans as JSON (properties cannot be maps).
 */
import neo4j from 'neo4j-driver';
import type { AppearsIn, DocumentGraph } from './model';
import { atomWrite } from './summaries';

export function documentParams(graph: DocumentGraph): Record<string, unknown> {
  const { id, uri, title, type, domain } = graph.document;
  return { document: { id, uri, title, type, domain }, domain: { id: graph.domain.id, name: graph.domain.name } };
}

export function rowsOf(graph: DocumentGraph) {
  return {
    blocks: graph.blocks.map(({ id, blockType, parentId, order, checksum }) => ({ id, blockType, parentId, order: neo4j.int(order), checksum })),
    atoms: graph.atoms.map((atom) => {
      const { base, defines } = atomWrite(atom, graph.document.id);
      const { id, name, key, domain, type, value, unit, canonical, oneOf, confidence, source, definedIn } = base;
      return { defines, base: { id, name, key, domain, type, value, unit, canonical, oneOf, confidence, source, definedIn } };
    }),
    molecules: graph.molecules.map(
      ({ id, type, moleculeType, ruleType, summary, condition, result, configuration, enforcement, domain, documentId, blockId }) => ({
        id,
        type,
        moleculeType,
        ruleType,
        summary,
        condition,
        result,
        configuration,
        enforcement,
        domain,
        documentId,
        blockId,
      }),
    ),
    atomPartOf: graph.partOf.filter((r) => r.role !== 'exception').map(partOfRow),
    exceptionPartOf: graph.partOf.filter((r) => r.role === 'exception').map(partOfRow),
    appearsIn: graph.appearsIn.map(({ atomId, blockId, spans, confidence, source }) => ({
      atomId,
      blockId,
      spans: JSON.stringify(spans.map(({ start, end }) => ({ start, end }))),
      confidence,
      source,
    })),
    requires: graph.requires.map(({ moleculeId, atomId, type, enforcement }) => ({ moleculeId, atomId, type, enforcement })),
  };
}

function partOfRow({ from, to, role, order }: DocumentGraph['partOf'][number]) {
  return { from, to, role, order: neo4j.int(order) };
}

export function appearsInFrom(row: Record<string, unknown>): AppearsIn {
  return { ...(row as Omit<AppearsIn, 'spans'>), spans: JSON.parse(row.spans as string) as AppearsIn['spans'] };
}
