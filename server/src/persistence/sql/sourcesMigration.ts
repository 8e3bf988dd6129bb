/**
 * Tenant migration 2: the source text of each document, for the Neo4j sync
 * worker (`server/src/sync/`). The graph is `toGraph(parseDocument(uri,
 * source))`: rows drop spans and the rule structure the graph keeps, so the
 * worker re-parses the text instead of rebuilding the graph from rows.
 *
 * - `source`: the text last written for the document (NULL for documents
 *   written without it).
 * - `source_checksum`: SHA-256 of `source`.
 * - `graph_checksum`: the `source_checksum` last pushed to the graph; a
 *   document whose two checksums differ still has to be synced.
 *
 * Columns, not a table: they live and die with the document row.
 */
import type { Migration } from './schema';

export const DOCUMENT_SOURCES: Migration = {
  version: 2,
  name: 'document sources',
  statements: (s) => [
    `ALTER TABLE ${s}.documents ADD COLUMN source TEXT, ADD COLUMN source_checksum CHAR(64), ADD COLUMN graph_checksum CHAR(64)`,
  ],
};
