/**
 * Where the stores are, from the environment:
 *
 *   KNOWLEDGE_POSTGRES_URL    PostgreSQL; absent → PGlite in `KNOWLEDGE_HOME`
 *                             (default `<folder>/.knowledge`), under `pglite/`
 *   KNOWLEDGE_NEO4J_URL       Neo4j (with KNOWLEDGE_NEO4J_USER / _PASSWORD);
 *                             absent → an in-memory graph
 *   KNOWLEDGE_TENANT          the tenant (default `default`)
 *
 * Secrets (passwords, URL credentials) are kept out of `describe()` and of
 * every error message produced here.
 */
import path from 'node:path';
import type { Neo4jOptions } from '../graph/neo4j';
import { redactUrl } from '../graph/neo4j';
import { redactSecrets } from '../persistence/sql/client';
import { tenant, type Tenant } from '../persistence/sql/tenant';

export type PostgresConfig = { kind: 'pg'; url: string } | { kind: 'pglite'; dataDir: string };

export interface KnowledgeConfig {
  tenant: Tenant;
  postgres: PostgresConfig;
  /** Null: the in-memory graph. */
  neo4j: Neo4jOptions | null;
  /** Texts to remove from anything shown or stored. */
  secrets: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>, folder: string): KnowledgeConfig {
  const value = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  let t: Tenant;
  try {
    t = tenant(value('KNOWLEDGE_TENANT') ?? 'default');
  } catch (error) {
    throw new ConfigError(`KNOWLEDGE_TENANT: ${(error as Error).message}`);
  }
  const pgUrl = value('KNOWLEDGE_POSTGRES_URL');
  const home = value('KNOWLEDGE_HOME') ?? path.join(folder, '.knowledge');
  const postgres: PostgresConfig = pgUrl ? { kind: 'pg', url: checkUrl('KNOWLEDGE_POSTGRES_URL', pgUrl) } : { kind: 'pglite', dataDir: path.resolve(folder, home, 'pglite') };
  const neo4jUrl = value('KNOWLEDGE_NEO4J_URL');
  const password = value('KNOWLEDGE_NEO4J_PASSWORD');
  const neo4j = neo4jUrl ? { url: checkUrl('KNOWLEDGE_NEO4J_URL', neo4jUrl), user: value('KNOWLEDGE_NEO4J_USER'), password } : null;
  const secrets = [password, passwordOf(pgUrl), passwordOf(neo4jUrl)].filter((s): s is string => s !== undefined && s !== '');
  return { tenant: t, postgres, neo4j, secrets };
}

/** One line for messages, without secrets. */
export function describeConfig(c: KnowledgeConfig): string {
  const pg = c.postgres.kind === 'pg' ? `PostgreSQL ${redactSecrets(c.postgres.url)}` : `PGlite ${c.postgres.dataDir}`;
  const graph = c.neo4j ? `Neo4j ${redactUrl(c.neo4j.url)}` : 'in-memory graph';
  return `tenant ${c.tenant.id}, ${pg}, ${graph}`;
}

/** `text` without any of the configuration's secrets or URL credentials. */
export function redactConfigSecrets(c: KnowledgeConfig, text: string): string {
  let out = redactSecrets(text);
  for (const s of c.secrets) out = out.split(s).join('***');
  return out;
}

function checkUrl(name: string, url: string): string {
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`); // not echoed: it may hold a password
  }
  return url;
}

/** The password in a URL's user info, decoded; undefined when there is none. */
export function passwordOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
