/**
 * `npm run bench`: the knowledge core's performance targets.
 *
 * 1. Full parse vs incremental edit on a generated 5,500-line file: latency of
 *    one keystroke from edit to the document's findings (parse, extract,
 *    index, check). Target p95 ≤ 10 ms.
 * 2. Cold `kos check` of a generated 10,000-file workspace, as a child process
 *    (the real CLI with its worker threads). Target ≤ 30 s on 2 cores. Plus a
 *    single-threaded breakdown of where the time goes.
 *
 * 3. Impact analysis (3 hops) over 100,000 atoms / 50,000 rules: the in-memory
 *    graph always, Neo4j when KNOWLEDGE_NEO4J_URL (or KNOWLEDGE_TEST_NEO4J_URL)
 *    is set. Targets p95 ≤ 20 ms in memory, ≤ 50 ms on Neo4j.
 *
 * 4. Sync throughput: a generated workspace (KOS_BENCH_SYNC_FILES, default
 *    10,000 files) written to PostgreSQL (KNOWLEDGE_POSTGRES_URL or
 *    KNOWLEDGE_TEST_POSTGRES_URL, else PGlite) and drained into the graph
 *    (Neo4j when configured, else in memory): atoms + molecules per second.
 *    Target ≥ 10,000 entities/s each. Parsing is done first and not counted;
 *    a first round of KOS_BENCH_SYNC_WARMUP files (default 500) warms the
 *    servers up and is reported apart. Measure Neo4j as a server runs it
 *    (`NEO4J_JVM=server scripts/services.sh restart`). With Neo4j, the graph
 *    elements written and Neo4j's CPU per element, then Neo4j's own floor per
 *    bare node and relationship (neo4jFloor.ts; KOS_BENCH_NEO4J_FLOOR=0 skips it).
 *
 * 5. The language server through a real LSP connection (lsp.ts): keystroke →
 *    publishDiagnostics, cold index and peak memory on 10,000 files, hover and
 *    workspace-symbol latency.
 *
 * Figures are medians/percentiles of this run; record them in docs/benchmarks.md.
 * `--edits-only`, `--workspace-only`, `--graph-only`, `--sync-only`, `--lsp-only` run one part; `--quick` runs smaller sizes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyEdits, parseDocument } from '../../server/src/core/document';
import { Workspace } from '../../server/src/core/workspace';
import { benchGraphStore, type GraphBenchResult } from '../../server/src/graph/bench';
import { MemoryGraphStore } from '../../server/src/graph/memory';
import { toGraph } from '../../server/src/graph/model';
import { openNeo4jGraphStore } from '../../server/src/graph/neo4j';
import { dropTenant } from '../../server/src/persistence/sql/migrations';
import { loadConfig } from '../../server/src/sync/config';
import { SourceWriter } from '../../server/src/sync/sources';
import { cpuBetween, processCpu } from './processCpu';
import { openGraph, openSql } from '../../server/src/sync/stores';
import { drainSyncState } from '../../server/src/sync/worker';
import { largeDocument, section } from './generate';
import { neo4jFloor } from './neo4jFloor';
import { benchLsp } from './lsp';

const quick = process.argv.includes('--quick');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms · p95 ${percentile(s, 95).toFixed(2)} ms · max ${s[s.length - 1].toFixed(2)} ms (n=${s.length})`;
}

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

function benchEdits(): void {
  const text = largeDocument(5500);
  const uri = 'file:///bench/domains/bench/large.md';
  const lines = text.split('\n').length;
  const full: number[] = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) full.push(time(() => parseDocument(uri, text))[1]);
  console.log(`Generated file: ${lines} lines, ${(text.length / 1024).toFixed(0)} KiB`);
  console.log(`Full parse (remark + blocks + extraction): ${stats(full)}`);

  const workspace = new Workspace();
  let doc = parseDocument(uri, text);
  workspace.upsert(doc);
  workspace.findingsFor(uri);
  // Type a rule character by character at several places, and delete some text: one edit per keystroke.
  const samples: number[] = [];
  const typed = '- IF [[Region 7]] = Alberta THEN Withholding 7 = 12%\n';
  const keystrokes = quick ? 150 : 600;
  let rng = 42;
  const random = () => ((rng = (rng * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let at = doc.text.indexOf('See [[Rate 40]]');
  for (let k = 0; k < keystrokes; k++) {
    if (k % typed.length === 0) at = doc.text.indexOf('\n', Math.floor(random() * doc.text.length)) + 1;
    const ch = typed[k % typed.length];
    const [, ms] = time(() => {
      doc = applyEdits(doc, [{ span: { start: at, end: at }, newText: ch }]);
      workspace.upsert(doc);
      return workspace.findingsFor(uri);
    });
    samples.push(ms);
    at++;
  }
  console.log(`Keystroke → findings (incremental parse + index + checks): ${stats(samples)}`);
  const deletes: number[] = [];
  for (let k = 0; k < (quick ? 50 : 200); k++) {
    const start = Math.floor(random() * (doc.text.length - 10));
    deletes.push(
      time(() => {
        doc = applyEdits(doc, [{ span: { start, end: start + 1 }, newText: '' }]);
        workspace.upsert(doc);
        return workspace.findingsFor(uri);
      })[1],
    );
  }
  console.log(`Random single-character deletions → findings: ${stats(deletes)}`);
}

function benchWorkspace(): void {
  const files = quick ? 1000 : 10_000;
  const root = mkdtempSync(join(tmpdir(), 'kos-bench-'));
  try {
    let bytes = 0;
    for (let f = 0; f < files; f++) {
      const domain = `d${f % 20}`;
      const dir = join(root, 'domains', domain, `g${Math.floor(f / 500)}`);
      if (f % 500 < 20) mkdirSync(dir, { recursive: true });
      const body = `# File ${f}\n\n${section(f * 3)}${section(f * 3 + 1)}${section(f * 3 + 2)}`;
      bytes += body.length;
      writeFileSync(join(dir, `f${f}.md`), body);
    }
    console.log(`\nGenerated workspace: ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, 20 domains`);
    const cli = join(__dirname, 'cli.js');
    const t = performance.now();
    try {
      execFileSync(process.execPath, [cli, 'check', root, '--format', 'json', '--no-progress'], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
    } catch (error) {
      // Exit code 1 (error findings) is expected on generated data; anything else is not.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    console.log(`Cold \`kos check\` (child process, ${availableParallelism()} threads): ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Single-threaded breakdown, in process.
    const { readFileSync, readdirSync } = require('node:fs') as typeof import('node:fs');
    const paths: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else paths.push(join(dir, e.name));
      }
    };
    const [, listMs] = time(() => walk(root));
    const [texts, readMs] = time(() => paths.map((p) => readFileSync(p, 'utf8')));
    const [docs, parseMs] = time(() => texts.map((text, i) => parseDocument(pathToFileURL(paths[i]).href, text)));
    const workspace = new Workspace();
    const [, indexMs] = time(() => docs.forEach((d) => workspace.upsert(d)));
    const [findings, checkMs] = time(() => workspace.findings());
    console.log(
      `Breakdown, one thread: list ${(listMs / 1000).toFixed(1)} s · read ${(readMs / 1000).toFixed(1)} s · parse+extract ${(parseMs / 1000).toFixed(1)} s · index ${(indexMs / 1000).toFixed(1)} s · checks ${(checkMs / 1000).toFixed(1)} s (${findings.length} findings)`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function graphLine(name: string, r: GraphBenchResult): string {
  return `Impact, ${r.depth} hops, ${name}: p50 ${r.p50Ms.toFixed(2)} ms · p95 ${r.p95Ms.toFixed(2)} ms (n=${r.samples}, ${r.atoms.toLocaleString('en-US')} atoms / ${r.rules.toLocaleString('en-US')} rules, written in ${(r.writeMs / 1000).toFixed(1)} s, ${r.meanRules.toFixed(1)} rules affected on average)`;
}

async function benchGraph(): Promise<void> {
  const size = quick ? { atoms: 10_000, rules: 5_000 } : {};
  const memory = new MemoryGraphStore();
  console.log(`\n${graphLine('in memory', await benchGraphStore(memory, { ...size, samples: 500 }))}`);
  await memory.close();
  const url = process.env.KNOWLEDGE_NEO4J_URL ?? process.env.KNOWLEDGE_TEST_NEO4J_URL;
  if (!url) {
    console.log('Impact on Neo4j: skipped (set KNOWLEDGE_NEO4J_URL or run scripts/services.sh start)');
    return;
  }
  const neo4j = await openNeo4jGraphStore({ url, user: process.env.KNOWLEDGE_NEO4J_USER, password: process.env.KNOWLEDGE_NEO4J_PASSWORD });
  try {
    console.log(graphLine('Neo4j', await benchGraphStore(neo4j, { ...size, samples: 200 })));
  } finally {
    await neo4j.close();
  }
}

async function benchSync(): Promise<void> {
  const files = quick ? 300 : Number(process.env.KOS_BENCH_SYNC_FILES ?? 10_000);
  // A database server that has run for a while has compiled its hot paths (Neo4j's JIT takes a
  // round of writes to do so): a first, smaller sync into a tenant of its own warms it up.
  const warmup = Number(process.env.KOS_BENCH_SYNC_WARMUP ?? (quick ? 0 : 500));
  if (warmup > 0) await syncRound(warmup, 'warm-up (not counted; the servers compile their hot paths)');
  await syncRound(files, '');
  // Neo4j's own cost per element, to set the sync's against (KOS_BENCH_NEO4J_FLOOR=0 leaves it out).
  const neo4jOptions = syncConfig('floor').neo4j;
  if (!quick && neo4jOptions && process.env.KOS_BENCH_NEO4J_FLOOR !== '0') {
    const count = 50_000;
    const rounds = await neo4jFloor(neo4jOptions, count, 5_000, 3);
    console.log(`\nNeo4j's own floor (${count.toLocaleString('en-US')} bare nodes, then as many relationships found by their ends, batches of 5,000, one session):`);
    rounds.forEach((r, i) => {
      const cpu = (us: number | null) => (us === null ? '' : `, ${us.toFixed(1)} µs of its CPU each`);
      console.log(`  round ${i + 1}: nodes ${Math.round(r.nodesPerSecond).toLocaleString('en-US')}/s${cpu(r.nodeCpuUs)}; relationships ${Math.round(r.relationshipsPerSecond).toLocaleString('en-US')}/s${cpu(r.relationshipCpuUs)}`);
    });
  }
}

/** The stores the sync bench writes to (a tenant of its own, named from `tag`), from the environment. */
function syncConfig(tag: string, home?: string) {
  const env = process.env;
  return loadConfig(
    {
      KNOWLEDGE_POSTGRES_URL: env.KNOWLEDGE_POSTGRES_URL ?? env.KNOWLEDGE_TEST_POSTGRES_URL,
      KNOWLEDGE_NEO4J_URL: env.KNOWLEDGE_NEO4J_URL ?? env.KNOWLEDGE_TEST_NEO4J_URL,
      KNOWLEDGE_NEO4J_USER: env.KNOWLEDGE_NEO4J_USER,
      KNOWLEDGE_NEO4J_PASSWORD: env.KNOWLEDGE_NEO4J_PASSWORD,
      KNOWLEDGE_TENANT: `bench_${tag}`,
      KNOWLEDGE_HOME: home,
    },
    tmpdir(),
  );
}

async function syncRound(files: number, label: string): Promise<void> {
  const config = syncConfig(Date.now().toString(36), mkdtempSync(join(tmpdir(), 'kos-sync-bench-')));
  const docs = Array.from({ length: files }, (_, f) => {
    const text = `# File ${f}\n\n${section(f * 3)}${section(f * 3 + 1)}${section(f * 3 + 2)}`;
    return { text, snapshot: parseDocument(`file:///sync-bench/domains/d${f % 20}/f${f}.md`, text) };
  });
  const graphs = new Map(docs.map((d) => [d.snapshot.uri, toGraph(config.tenant.id, d.snapshot)] as const));
  const entities = docs.reduce((n, d) => n + d.snapshot.definitions.length + d.snapshot.extracted.length + d.snapshot.molecules.length, 0);
  // What the graph write carries: nodes (document, blocks, atoms, molecules) and relationships
  // (PART_OF_DOCUMENT per block, IN_DOMAIN per atom and document, PART_OF, APPEARS_IN, REQUIRES).
  let elements = 0;
  for (const g of graphs.values()) elements += 1 + 2 * g.blocks.length + 2 * g.atoms.length + g.molecules.length + 1 + g.partOf.length + g.appearsIn.length + g.requires.length;
  const sql = await openSql(config);
  const { graph } = await openGraph(config);
  try {
    const writeCpu0 = processCpu();
    let t = performance.now();
    const writer = new SourceWriter(sql, config.tenant);
    for (const d of docs) await writer.add(d);
    await writer.finish();
    const writeS = (performance.now() - t) / 1000;
    const writeCpu = cpuBetween(writeCpu0, processCpu());
    const cpu = processCpu();
    t = performance.now();
    // What `kos sync` and the language server do: the worker gets the graphs of the documents just parsed (a backlog left by another process is parsed from the stored source).
    const drained = await drainSyncState(sql, config.tenant, graph, { graphOf: (uri) => graphs.get(uri) });
    const drainS = (performance.now() - t) / 1000;
    const drainCpuAfter = processCpu();
    const drainCpu = cpuBetween(cpu, drainCpuAfter);
    const javaMs = cpu && drainCpuAfter ? (drainCpuAfter.get('java') ?? 0) - (cpu.get('java') ?? 0) : 0;
    const rate = (s: number) => Math.round(entities / s).toLocaleString('en-US');
    console.log(`\nSync of ${files.toLocaleString('en-US')} files (${entities.toLocaleString('en-US')} atoms + molecules)${label ? `, ${label}` : ''}:`);
    console.log(`  to PostgreSQL (${config.postgres.kind}): ${writeS.toFixed(1)} s, ${rate(writeS)} entities/s`);
    if (writeCpu) console.log(`    CPU of the machine's processes meanwhile: ${writeCpu}`);
    console.log(`  to the graph (${config.neo4j ? 'Neo4j' : 'in memory'}): ${drainS.toFixed(1)} s, ${rate(drainS)} entities/s (${drained.documents} documents, ${drained.failed} failed rows)`);
    if (drainCpu) console.log(`    CPU of the machine's processes meanwhile: ${drainCpu}`);
    const perElement = config.neo4j && javaMs > 0 ? `; Neo4j's JVM ${((javaMs * 1000) / elements).toFixed(1)} µs of CPU per element` : '';
    console.log(`    graph elements written: ${elements.toLocaleString('en-US')} nodes + relationships, ${(elements / entities).toFixed(1)} per entity, ${Math.round(elements / drainS).toLocaleString('en-US')}/s${perElement}`);
  } finally {
    await graph.clearTenant(config.tenant.id).catch(() => undefined);
    await graph.close();
    await dropTenant(sql, config.tenant).catch(() => undefined);
    await sql.close();
  }
}

const only = ['--edits-only', '--workspace-only', '--graph-only', '--sync-only', '--lsp-only'].find((flag) => process.argv.includes(flag));
console.log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
if (!only || only === '--edits-only') benchEdits();
if (!only || only === '--workspace-only') benchWorkspace();
void (async () => {
  if (!only || only === '--graph-only') await benchGraph();
  if (!only || only === '--sync-only') await benchSync();
  if (!only || only === '--lsp-only') await benchLsp(quick);
})();
