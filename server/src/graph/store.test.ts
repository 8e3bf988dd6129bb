import { describe, expect, it } from 'vitest';
import { taxExample } from './fixtures';
import { MemoryGraphStore } from './memory';
import { sortGraph } from './model';
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

describe('the in-memory graph store', () => {
  it('keeps its own copy of what it is given, and gives out copies', async () => {
    const store = new MemoryGraphStore();
    const [doc] = taxExample('t');
    const expected = sortGraph(structuredClone(doc));
    await store.replaceDocument('t', doc);
    // The caller's objects change after the write: the store's do not.
    doc.molecules[0].summary = 'changed';
    doc.atoms[0].oneOf = ['changed'];
    (doc.appearsIn[0].spans[0] as { start: number }).start = -1;
    doc.partOf[0].role = 'result';
    const read = await store.readDocument('t', doc.document.id);
    expect(read).toEqual(expected);
    read!.appearsIn[0].spans.push({ start: 0, end: 0 });
    expect(await store.readDocument('t', doc.document.id)).toEqual(expected);
  });
});
