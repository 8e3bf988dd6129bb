/**
 * Opening the configured stores (config.ts) for a command; errors carry no
 * secrets. The database clients are loaded when a store is opened (`import()`):
 * the language server starts without them when it has nothing to connect to
 * yet (their modules were ~0.1 s of its start-up).
 */
import fs from 'node:fs/promises';
import { parseDocument } from '../core/document';
import { MemoryGraphStore } from '../graph/memory';
import { toGraph, type DocumentGraph } from '../graph/model';
import type { GraphStore } from '../graph/store';
import type { SqlClient } from '../persistence/sql/client';
import { provisionTenant } from '../persistence/sql/migrations';
import { redactConfigSecrets, type KnowledgeConfig } from './config';
import { allSources } from './sources';

/** Connects to PostgreSQL (or opens PGlite, creating its folder) and provisions the tenant. */
export async function openSql(config: KnowledgeConfig): Promise<SqlClient> {
  let sql: SqlClient | undefined;
  try {
    if (config.postgres.kind === 'pg') {
      const { createPgClient } = await import('../persistence/sql/pg');
      sql = createPgClient(config.postgres.url, { max: 4 });
    } else {
      await fs.mkdir(config.postgres.dataDir, { recursive: true });
      const { createPgliteClient } = await import('../persistence/sql/pglite');
      sql = await createPgliteClient(config.postgres.dataDir);
    }
    await provisionTenant(sql, config.tenant);
    return sql;
  } catch (error) {
    await sql?.close().catch(() => undefined);
    throw new Error(redactConfigSecrets(config, error instanceof Error ? error.message : String(error)));
  }
}

export interface OpenedGraph {
  graph: GraphStore;
  /** The in-memory graph: it starts empty in every process (see `loadGraph`). */
  ephemeral: boolean;
}

export async function openGraph(config: KnowledgeConfig): Promise<OpenedGraph> {
  if (!config.neo4j) return { graph: new MemoryGraphStore(), ephemeral: true };
  try {
    const { openNeo4jGraphStore } = await import('../graph/neo4j');
    return { graph: await openNeo4jGraphStore(config.neo4j), ephemeral: false };
  } catch (error) {
    throw new Error(redactConfigSecrets(config, error instanceof Error ? error.message : String(error)));
  }
}

/**
 * Fills an empty in-memory graph with every document stored with its source
 * (what earlier processes wrote); `graphOf` as for `drainSyncState`.
 */
export async function loadGraph(
  sql: SqlClient,
  graph: GraphStore,
  config: KnowledgeConfig,
  graphOf: (uri: string, sourceChecksum: string) => DocumentGraph | undefined = () => undefined,
): Promise<void> {
  const t = config.tenant;
  for (const doc of await allSources(sql, t)) {
    if (doc.source === null) continue;
    const known = doc.sourceChecksum === null ? undefined : graphOf(doc.uri, doc.sourceChecksum);
    await graph.replaceDocument(t.id, known ?? toGraph(t.id, parseDocument(doc.uri, doc.source)));
  }
}
