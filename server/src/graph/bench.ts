/**
 * Graph benchmark (not a test; `test/bench/main.ts` can call `benchGraphStore`):
 * writes synthetic knowledge (default 100,000 atoms, 50,000 rules in 20
 * documents, each rule reading 3 random atoms and setting one) and measures
 * impact-query latency at 3 hops. Uses its own tenant and removes it.
 */
import { randomUUID } from 'node:crypto';
import { atomId, blockRowId, documentId, domainId, moleculeRowId } from '../persistence/ids';
import type { AtomNode, DocumentGraph, MoleculeNode, PartOf } from './model';
import type { GraphStore } from './store';

export interface GraphBenchOptions {
  atoms?: number;
  rules?: number;
  documents?: number;
  samples?: number;
  depth?: number;
}

export interface GraphBenchResult {
  atoms: number;
  rules: number;
  writeMs: number;
  depth: number;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  /** Mean number of affected rules per query. */
  meanRules: number;
}

const DOMAIN = 'bench';

export async function benchGraphStore(store: GraphStore, options: GraphBenchOptions = {}): Promise<GraphBenchResult> {
  const { atoms = 100_000, rules = 50_000, documents = 20, samples = 300, depth = 3 } = options;
  const tenant = `bench-${randomUUID()}`;
  const random = seeded(42);
  try {
    const started = performance.now();
    for (let d = 0; d < documents; d++) await store.replaceDocument(tenant, synthetic(tenant, d, documents, atoms, rules, random));
    const writeMs = performance.now() - started;
    const latencies: number[] = [];
    let affected = 0;
    for (let i = 0; i < samples + 20; i++) {
      const start = atomId(tenant, DOMAIN, `atom ${Math.floor(random() * atoms)}`);
      const t = performance.now();
      const impact = await store.impact(tenant, start, depth);
      if (i < 20) continue; // warm-up
      latencies.push(performance.now() - t);
      affected += impact?.molecules.length ?? 0;
    }
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return { atoms, rules, writeMs, depth, samples, p50Ms: at(0.5), p95Ms: at(0.95), meanRules: affected / samples };
  } finally {
    await store.clearTenant(tenant);
  }
}

/** Document `d`: defines atoms i ≡ d (mod documents) and holds rules k ≡ d (mod documents). */
function synthetic(tenant: string, d: number, documents: number, atoms: number, rules: number, random: () => number): DocumentGraph {
  const uri = `bench:///domains/${DOMAIN}/doc-${d}.md`;
  const docId = documentId(tenant, uri);
  const block = blockRowId(tenant, uri, 'body');
  const byId = new Map<string, AtomNode>();
  const atom = (i: number, defines: boolean): string => {
    const key = `atom ${i}`;
    const id = atomId(tenant, DOMAIN, key);
    if (!byId.has(id) || defines) {
      byId.set(id, {
        id,
        name: `Atom ${i}`,
        key,
        domain: DOMAIN,
        type: defines ? 'NumberAtom' : null,
        value: defines ? i : null,
        unit: null,
        canonical: defines ? String(i) : null,
        oneOf: null,
        confidence: 1,
        source: 'manual',
        definedIn: defines ? docId : null,
      });
    }
    return id;
  };
  for (let i = d; i < atoms; i += documents) atom(i, true);
  const molecules: MoleculeNode[] = [];
  const partOf: PartOf[] = [];
  for (let k = d; k < rules; k += documents) {
    const id = moleculeRowId(tenant, uri, `rule-${k}`);
    const inputs = [0, 1, 2].map(() => Math.floor(random() * atoms));
    const output = Math.floor(random() * atoms);
    const condition = inputs.map((i) => `Atom ${i} > 1`).join(' AND ');
    molecules.push({
      id,
      type: 'ConditionMolecule',
      moleculeType: 'ConditionMolecule',
      ruleType: 'if_then',
      summary: `IF ${condition} THEN Atom ${output} = 1`,
      condition,
      result: `Atom ${output} = 1`,
      configuration: '{}',
      enforcement: 'warn',
      domain: DOMAIN,
      documentId: docId,
      blockId: block,
    });
    const distinct = [...new Set(inputs)];
    distinct.forEach((i, order) => partOf.push({ from: atom(i, false), to: id, role: 'condition', order }));
    partOf.push({ from: atom(output, false), to: id, role: 'result', order: distinct.length });
  }
  const all = [...byId.values()];
  return {
    tenantId: tenant,
    document: { id: docId, uri, title: `Bench ${d}`, type: 'document', domain: DOMAIN },
    domain: { id: domainId(tenant, DOMAIN), name: DOMAIN },
    blocks: [{ id: block, blockType: 'paragraph', parentId: null, order: 0, checksum: 'bench' }],
    atoms: all,
    molecules,
    partOf,
    appearsIn: all.map((a) => ({ atomId: a.id, blockId: block, spans: [{ start: 0, end: 1 }], confidence: 1, source: 'manual' })),
    requires: [],
  };
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
