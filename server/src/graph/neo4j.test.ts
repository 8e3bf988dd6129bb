/** What is specific to the Neo4j store (the shared behaviour is in store.contract.ts). */
import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { openNeo4jGraphStore, redactUrl } from './neo4j';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from './testServices';

describe('Neo4j connection errors', () => {
  it('never print the password', async () => {
    const password = 's3cret-pa55word';
    const error = await openNeo4jGraphStore({ url: `bolt://neo4j:${password}@127.0.0.1:1`, user: 'neo4j', password }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^cannot open the Neo4j graph store at bolt:\/\/127\.0\.0\.1:1: /);
    expect((error as Error).message).not.toContain(password);
  });

  it('strip user info from URLs', () => {
    expect(redactUrl('neo4j://user:pw@db.example:7687/x')).toBe('neo4j://db.example:7687/x');
    expect(redactUrl('bolt://127.0.0.1:7687')).toBe('bolt://127.0.0.1:7687');
  });
});

const options = testNeo4j();
if (options) {
  describe('Neo4j schema', () => {
    it('has the uniqueness constraints and the indexes, created idempotently', async () => {
      const store = await openNeo4jGraphStore(options);
      await store.close();
      const again = await openNeo4jGraphStore(options);
      await again.close();
      const driver = neo4j.driver(options.url, options.user ? neo4j.auth.basic(options.user, options.password ?? '') : undefined);
      try {
        const constraints = (await driver.executeQuery('SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties')).records.map((r) =>
          r.toObject(),
        );
        for (const label of ['Atom', 'Molecule', 'Document', 'Block', 'Domain']) {
          expect(constraints).toContainEqual(
            expect.objectContaining({ type: 'UNIQUENESS', labelsOrTypes: [label], properties: ['tenantId', 'id'] }),
          );
        }
        // By schema, not name: an equivalent rule created earlier under another name makes ours a no-op.
        const indexes = (await driver.executeQuery('SHOW INDEXES YIELD labelsOrTypes, properties')).records.map((r) => r.toObject());
        for (const [label, property] of [
          ['Atom', 'id'],
          ['Molecule', 'id'],
          ['Molecule', 'documentId'],
          ['Molecule', 'domain'],
          ['Atom', 'domain'],
        ]) {
          expect(indexes).toContainEqual({ labelsOrTypes: [label], properties: ['tenantId', property] });
        }
      } finally {
        await driver.close();
      }
    });
  });
} else if (servicesRequired) {
  it('Neo4j schema', () => {
    throw new Error(MISSING_NEO4J);
  });
}
