/**
 * The stores the language server syncs to, from its settings: PostgreSQL (a
 * real server when `knowledge.postgres.url` is set, else PGlite under the
 * workspace's `.knowledge/`) and Neo4j when `knowledge.neo4j.url` is set.
 * Passwords come from the client's secret storage or the environment, never
 * from settings files; every error leaving here is redacted.
 *
 * Connections open lazily and are dropped when they fail, so the next
 * attempt reconnects: a database that restarts is picked up again.
 */
import path from 'node:path';
import type { KnowledgeSecrets } from '../../../shared/src/protocol';
import type { GraphStore } from '../graph/store';
import type { SqlClient } from '../persistence/sql/client';
import { redactSecrets } from '../persistence/sql/client';
import { tenant as toTenant } from '../persistence/sql/tenant';
import { passwordOf, redactConfigSecrets, type KnowledgeConfig } from '../sync/config';
import { openGraph, openSql } from '../sync/stores';
import type { ResolvedSettings } from './settings';

export type StoresConfig = { ok: true; config: KnowledgeConfig; label: string } | { ok: false; reason: string };

/** The stores' configuration, or why there is none (a bad tenant, no folder for the embedded store). */
export function storesConfig(
  settings: ResolvedSettings,
  secrets: KnowledgeSecrets,
  env: Record<string, string | undefined>,
  folder: string | null,
): StoresConfig {
  let t;
  try {
    t = toTenant(settings.tenant);
  } catch (error) {
    return { ok: false, reason: `knowledge.tenant: ${(error as Error).message}` };
  }
  const pgPassword = secrets.postgresPassword ?? undefined;
  let postgres: KnowledgeConfig['postgres'];
  if (settings.postgresUrl) {
    let url: URL;
    try {
      url = new URL(settings.postgresUrl);
    } catch {
      return { ok: false, reason: `knowledge.postgres.url is not a URL: ${redactSecrets(settings.postgresUrl)}` };
    }
    if (pgPassword && !url.password) url.password = pgPassword;
    postgres = { kind: 'pg', url: url.href };
  } else {
    const home = env.KNOWLEDGE_HOME?.trim();
    if (!folder && !home) return { ok: false, reason: 'no workspace folder to keep the embedded store in' };
    postgres = { kind: 'pglite', dataDir: path.resolve(folder ?? '.', home || '.knowledge', 'pglite') };
  }
  const neo4jPassword = secrets.neo4jPassword ?? env.KNOWLEDGE_NEO4J_PASSWORD?.trim() ?? undefined;
  const neo4j = settings.neo4jUrl
    ? { url: settings.neo4jUrl, user: settings.neo4jUser ?? env.KNOWLEDGE_NEO4J_USER?.trim() ?? undefined, password: neo4jPassword || undefined }
    : null;
  const secretList = [pgPassword, neo4jPassword, passwordOf(settings.postgresUrl), passwordOf(settings.neo4jUrl)].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  const config: KnowledgeConfig = { tenant: t, postgres, neo4j, secrets: secretList };
  const pgLabel = postgres.kind === 'pg' ? 'PostgreSQL' : 'PGlite';
  return { ok: true, config, label: neo4j ? `${pgLabel} + Neo4j` : pgLabel };
}

export class Stores {
  private sqlClient: Promise<SqlClient> | null = null;
  private graph: Promise<GraphStore | null> | null = null;
  private connectedGraph: GraphStore | null = null;

  constructor(readonly config: KnowledgeConfig) {}

  /** PostgreSQL (or PGlite), provisioned for the tenant; rejects with a redacted error. */
  sql(): Promise<SqlClient> {
    if (!this.sqlClient) {
      this.sqlClient = openSql(this.config);
      this.sqlClient.catch(() => (this.sqlClient = null));
    }
    return this.sqlClient;
  }

  /** Neo4j when configured (null when not); rejects with a redacted error when unreachable. */
  neo4j(): Promise<GraphStore | null> {
    if (!this.config.neo4j) return Promise.resolve(null);
    if (!this.graph) {
      this.graph = openGraph(this.config).then((opened) => (this.connectedGraph = opened.graph));
      this.graph.catch(() => (this.graph = null));
    }
    return this.graph;
  }

  /** The Neo4j store if connected right now (no waiting), for answers with a time budget. */
  neo4jNow(): GraphStore | null {
    return this.connectedGraph;
  }

  /** Drops a connection that failed; the next call reconnects. */
  async drop(which: 'sql' | 'neo4j'): Promise<void> {
    if (which === 'sql') {
      const old = this.sqlClient;
      this.sqlClient = null;
      await old?.then((c) => c.close()).catch(() => undefined);
    } else {
      const old = this.graph;
      this.graph = null;
      this.connectedGraph = null;
      await old?.then((g) => g?.close()).catch(() => undefined);
    }
  }

  redact(text: string): string {
    return redactConfigSecrets(this.config, text);
  }

  async close(): Promise<void> {
    await Promise.all([this.drop('sql'), this.drop('neo4j')]);
  }
}
