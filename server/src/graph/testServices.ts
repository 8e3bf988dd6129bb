/**
 * The Neo4j the graph tests use: `KNOWLEDGE_TEST_NEO4J_URL` (and optional
 * `KNOWLEDGE_TEST_NEO4J_USER` / `_PASSWORD`), from `scripts/services.sh start`.
 * Without it the Neo4j tests are skipped, unless `KNOWLEDGE_REQUIRE_SERVICES=1`
 * (CI), which makes them fail instead.
 */
import type { Neo4jOptions } from './neo4j';

export const servicesRequired = process.env.KNOWLEDGE_REQUIRE_SERVICES === '1';

export function testNeo4j(): Neo4jOptions | null {
  const url = process.env.KNOWLEDGE_TEST_NEO4J_URL;
  if (!url) return null;
  return { url, user: process.env.KNOWLEDGE_TEST_NEO4J_USER, password: process.env.KNOWLEDGE_TEST_NEO4J_PASSWORD };
}

export const MISSING_NEO4J =
  'KNOWLEDGE_REQUIRE_SERVICES=1 but KNOWLEDGE_TEST_NEO4J_URL is not set (run: eval "$(scripts/services.sh start)")';
