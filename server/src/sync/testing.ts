/** Test helper: the graph stores sync tests run on (memory always; Neo4j when configured, required under KNOWLEDGE_REQUIRE_SERVICES=1). */
import net from 'node:net';
import { it } from 'vitest';
import { MemoryGraphStore } from '../graph/memory';
import { openNeo4jGraphStore } from '../graph/neo4j';
import type { GraphStore } from '../graph/store';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from '../graph/testServices';

export interface GraphBackend {
  name: 'memory' | 'neo4j';
  open(): Promise<GraphStore>;
}

export function graphBackends(): GraphBackend[] {
  const list: GraphBackend[] = [{ name: 'memory', open: async () => new MemoryGraphStore() }];
  const neo4j = testNeo4j();
  if (neo4j) list.push({ name: 'neo4j', open: () => openNeo4jGraphStore(neo4j) });
  else if (servicesRequired) it('Neo4j sync tests', () => { throw new Error(MISSING_NEO4J); });
  return list;
}

/** A local port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
