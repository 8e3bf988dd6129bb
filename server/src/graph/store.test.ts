import { describe, it } from 'vitest';
import { MemoryGraphStore } from './memory';
import { openNeo4jGraphStore } from './neo4j';
import { graphStoreContract } from './store.contract';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from './testServices';

graphStoreContract('memory', async () => new MemoryGraphStore());

const neo4j = testNeo4j();
if (neo4j) graphStoreContract('neo4j', () => openNeo4jGraphStore(neo4j));
else if (servicesRequired) {
  it('GraphStore contract: neo4j', () => {
    throw new Error(MISSING_NEO4J);
  });
} else describe.skip('GraphStore contract: neo4j (KNOWLEDGE_TEST_NEO4J_URL not set)', () => {});
