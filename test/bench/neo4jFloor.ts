/**
 * Neo4j's own cost per graph element on this machine, with nothing of ours
 * in the way: nodes created by one `UNWIND … CREATE` per batch (a node of
 * the size of an `Atom`: eleven properties, a uniqueness constraint on
 * `(tenantId, id)`), then relationships between them, each found by its two
 * ends through that constraint's index (as the sync finds an atom and a
 * molecule). The sync's CPU per element is compared against these figures.
 * Runs in a label of its own (`KosFloorProbe`), removed afterwards.
 */
import neo4j from 'neo4j-driver';
import type { Neo4jOptions } from '../../server/src/graph/neo4j';
import { processCpu } from './processCpu';

const LABEL = 'KosFloorProbe';
const CONSTRAINT = 'kos_floor_probe_key';

export interface FloorRound {
  /** CPU of Neo4j's JVM per node and per relationship, in µs (null without /proc). */
  nodeCpuUs: number | null;
  relationshipCpuUs: number | null;
  nodesPerSecond: number;
  relationshipsPerSecond: number;
}

const javaMs = (): number | null => processCpu()?.get('java') ?? null;

export async function neo4jFloor(options: Neo4jOptions, count: number, batch: number, rounds: number): Promise<FloorRound[]> {
  const auth = options.user ? neo4j.auth.basic(options.user, options.password ?? '') : undefined;
  const driver = neo4j.driver(options.url, auth, { disableLosslessIntegers: true, logging: { level: 'error', logger: () => {} } });
  const session = driver.session({ database: options.database });
  const clear = `MATCH (p:${LABEL}) CALL { WITH p DETACH DELETE p } IN TRANSACTIONS OF 10000 ROWS`;
  try {
    await session.run(`CREATE CONSTRAINT ${CONSTRAINT} IF NOT EXISTS FOR (p:${LABEL}) REQUIRE (p.tenantId, p.id) IS UNIQUE`);
    await session.run(clear);
    const results: FloorRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const id = (i: number) => `r${round}-${i}`;
      let cpu = javaMs();
      let t = performance.now();
      for (let i = 0; i < count; i += batch) {
        const rows = Array.from({ length: Math.min(batch, count - i) }, (_, k) => {
          const n = i + k;
          return { id: id(n), name: `Name ${n}`, value: n, canonical: `${n}%`, type: 'NumberAtom', confidence: 0.9, source: 'manual', domain: 'floor' };
        });
        await session.executeWrite((tx) =>
          tx.run(
            `UNWIND $rows AS row CREATE (:${LABEL} {tenantId: $tenantId, id: row.id, name: row.name, value: row.value, canonical: row.canonical,
              type: row.type, confidence: row.confidence, source: row.source, domain: row.domain, createdAt: timestamp(), updatedAt: timestamp()})`,
            { rows, tenantId: 'floor' },
          ),
        );
      }
      const nodeS = (performance.now() - t) / 1000;
      const afterNodes = javaMs();
      const nodeCpu = cpu !== null && afterNodes !== null ? afterNodes - cpu : null;
      cpu = afterNodes;
      t = performance.now();
      for (let i = 0; i < count; i += batch) {
        const rows = Array.from({ length: Math.min(batch, count - i) }, (_, k) => ({ from: id(i + k), to: id((i + k + 1) % count), order: k }));
        await session.executeWrite((tx) =>
          tx.run(
            `UNWIND $rows AS row MATCH (a:${LABEL} {tenantId: $tenantId, id: row.from}) MATCH (b:${LABEL} {tenantId: $tenantId, id: row.to})
             CREATE (a)-[:KOS_FLOOR_LINK {role: 'condition', order: row.order, createdAt: timestamp()}]->(b)`,
            { rows, tenantId: 'floor' },
          ),
        );
      }
      const relationshipS = (performance.now() - t) / 1000;
      const afterRelationships = javaMs();
      results.push({
        nodeCpuUs: nodeCpu === null ? null : (nodeCpu * 1000) / count,
        relationshipCpuUs: cpu !== null && afterRelationships !== null ? ((afterRelationships - cpu) * 1000) / count : null,
        nodesPerSecond: count / nodeS,
        relationshipsPerSecond: count / relationshipS,
      });
      await session.run(clear);
    }
    return results;
  } finally {
    await session.run(clear).catch(() => undefined);
    await session.run(`DROP CONSTRAINT ${CONSTRAINT} IF EXISTS`).catch(() => undefined);
    await session.close();
    await driver.close();
  }
}
