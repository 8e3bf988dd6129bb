/**
 * The language server's targets, through a real LSP connection (the server
 * started as a process, spoken to over stdio like an editor does):
 *
 * 1. Keystroke → publishDiagnostics on the 5,500-line file: server time (edit
 *    arrival to diagnostics sent, measured by the server, `knowledge/stats`)
 *    and end to end (the client's clock). Target p95 ≤ 10 ms of server time.
 * 2. A generated 10,000-file workspace of ~50 MB (product.md; 6 or 7 sections
 *    of ~800 bytes per file, `KOS_BENCH_SECTIONS=n`: n in every file): cold
 *    index time (initialize → indexed) and the server's peak memory (VmHWM).
 *    Targets ≤ 20 s, ≤ 500 MB.
 * 3. On that workspace (> 100,000 atoms): hover latency on atoms (p95 ≤ 20 ms)
 *    and workspace-symbol latency.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STATS_REQUEST, type ServerStats } from '../../shared/src/protocol';
import { SERVER_NODE_FLAGS, serverTuning } from '../../client/src/launch';
import { startServer, type TestClient } from '../../server/src/lsp/testing';
import { largeDocument, section } from './generate';

const CLI = join(__dirname, 'cli.js');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms · p95 ${percentile(s, 95).toFixed(2)} ms · max ${s[s.length - 1].toFixed(2)} ms (n=${s.length})`;
}

/** Peak resident memory of a process (Linux), in MiB. */
function peakMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The server runs with the extension's node flags, `--expose-gc` (memory alive after a full collection), plus any in `KOS_BENCH_SERVER_NODE_ARGS` (`--cpu-prof` to profile it). */
const nodeArgs = [...SERVER_NODE_FLAGS, '--expose-gc', ...(process.env.KOS_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
/** And with the environment the extension tunes it with. */
const env = serverTuning(process.env);

async function keystrokes(quick: boolean): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'kos-lsp-bench-'));
  const client = await startServer({ folders: [root], cli: CLI, nodeArgs, env });
  try {
    await client.indexed();
    const text = largeDocument(5500);
    const uri = pathToFileURL(join(root, 'large.md')).href;
    let version = 1;
    client.open(uri, text, version);
    await client.waitFor(() => client.publishCount.has(uri), 'first diagnostics', 60_000);
    await client.request<ServerStats>(STATS_REQUEST, { reset: true });
    // Type a rule character by character at several places, one change per keystroke, waiting for each answer.
    const lines = text.split('\n');
    const typed = '- IF [[Region 7]] = Alberta THEN Withholding 7 = 12%\n';
    const endToEnd: number[] = [];
    const count = quick ? 150 : 600;
    let line = 200;
    let character = 0;
    for (let k = 0; k < count; k++) {
      if (k % typed.length === 0) {
        line = 100 + ((k * 37) % (lines.length - 200));
        character = 0;
      }
      const ch = typed[k % typed.length];
      const t = performance.now();
      version = client.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: ch }]);
      const want = version;
      await client.waitFor(() => client.diagnosticsVersion.get(uri) === want, `diagnostics for version ${want}`);
      endToEnd.push(performance.now() - t);
      if (ch === '\n') {
        line++;
        character = 0;
      } else character++;
    }
    const stats = await client.request<ServerStats>(STATS_REQUEST, {});
    console.log(`\nLSP keystroke → publishDiagnostics on ${lines.length} lines: server ${summary(stats.editLatencies)}`);
    console.log(`LSP keystroke → publishDiagnostics, end to end (client clock, JSON-RPC over stdio): ${summary(endToEnd)}`);
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Sections in file `f` of the generated workspace; the atoms of its k-th are numbered `f * STRIDE + k`. */
const SECTIONS = process.env.KOS_BENCH_SECTIONS ? Number(process.env.KOS_BENCH_SECTIONS) : null;
const sectionsIn = (f: number) => SECTIONS ?? 6 + (f % 2);
const STRIDE = SECTIONS ?? 7;

async function workspace(quick: boolean): Promise<void> {
  const files = quick ? 1000 : 10_000;
  const root = mkdtempSync(join(tmpdir(), 'kos-lsp-bench-ws-'));
  let client: TestClient | undefined;
  try {
    let bytes = 0;
    for (let f = 0; f < files; f++) {
      const dir = join(root, 'domains', `d${f % 20}`, `g${Math.floor(f / 500)}`);
      if (f % 500 < 20) mkdirSync(dir, { recursive: true });
      const body = `# File ${f}\n\n${Array.from({ length: sectionsIn(f) }, (_, k) => section(f * STRIDE + k)).join('')}`;
      bytes += body.length;
      writeFileSync(join(dir, `f${f}.md`), body);
    }
    const t = performance.now();
    client = await startServer({ folders: [root], cli: CLI, nodeArgs, env });
    const pid = client.process.pid!;
    // The server's heap while it indexes (sampled every second; the peak above includes uncollected garbage).
    let sampling = true;
    const samples: { heapUsed: number; rss: number; resting: number }[] = [];
    const sampler = (async () => {
      while (sampling) {
        const s = await client!.request<ServerStats>(STATS_REQUEST, {});
        samples.push({ heapUsed: s.memory.heapUsed, rss: s.memory.rss, resting: s.documents.resting });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    await client.waitFor(() => client!.logs.some((l) => /^indexed \d+ files/.test(l)), 'indexing', 600_000);
    sampling = false;
    await sampler;
    const indexMs = performance.now() - t;
    // Answered after the checks of the whole workspace that follow the indexing.
    const stats = await client.request<ServerStats>(STATS_REQUEST, {});
    const checkedMs = performance.now() - t;
    console.log(
      `\nLSP cold index of ${files} files (${(bytes / 1e6).toFixed(1)} MB): ${(indexMs / 1000).toFixed(1)} s to indexed, ${(checkedMs / 1000).toFixed(1)} s to the next answer; ` +
        `${stats.documents.disk} documents; peak memory ${peakMiB(pid)?.toFixed(0) ?? '?'} MiB (VmHWM), heap used ${(stats.memory.heapUsed / 1024 / 1024).toFixed(0)} MiB`,
    );

    // The first hover in a domain (its documents at rest: they are parsed again as the impact walk reads
    // them), measured on its own, then hovers across the workspace.
    const firsts: number[] = [];
    for (let d = 0; d < 20 && d < files; d++) {
      const uri = pathToFileURL(join(root, 'domains', `d${d}`, 'g0', `f${d}.md`)).href;
      const t0 = performance.now();
      await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 5 } });
      firsts.push(performance.now() - t0);
    }
    const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
    console.log(
      `LSP while indexing (every second): heap used ${samples.map((s) => mib(s.heapUsed)).join(' ')} MiB; ` +
        `documents at rest ${samples.map((s) => s.resting).join(' ')}; at the end ${stats.documents.resting}`,
    );
    console.log(`LSP first hover in each of the 20 domains: ${summary(firsts)}`);
    // Hover on atom definitions and references across the workspace.
    const hovers: number[] = [];
    let answered = 0;
    for (let i = 0; i < (quick ? 100 : 400); i++) {
      const f = (i * 7919) % files;
      const uri = pathToFileURL(join(root, 'domains', `d${f % 20}`, `g${Math.floor(f / 500)}`, `f${f}.md`)).href;
      const k = i % sectionsIn(f);
      const n = f * STRIDE + k;
      // Line of `- **Rate n**` in section k of the file: 2 header lines + 22 lines per section + 4.
      const line = 2 + k * 22 + 4;
      const t0 = performance.now();
      const hover = await client.request<{ contents: unknown } | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line, character: 5 },
      });
      hovers.push(performance.now() - t0);
      if (hover && JSON.stringify(hover.contents).includes(`Rate ${n}`)) answered++;
    }
    console.log(`LSP hover on atoms (impact, 3 hops) with the workspace indexed: ${summary(hovers)}; ${answered}/${hovers.length} hovers named their atom`);

    const queries = ['rate 12', 'thresh', 'withholding 99', 'region', 'effective date 1234', 'qbc', 'file 7'];
    const symbols: number[] = [];
    let found = 0;
    for (let i = 0; i < (quick ? 35 : 140); i++) {
      const t0 = performance.now();
      const result = await client.request<unknown[] | null>('workspace/symbol', { query: queries[i % queries.length] });
      symbols.push(performance.now() - t0);
      found += result?.length ? 1 : 0;
    }
    console.log(`LSP workspace/symbol on ${files} files: ${summary(symbols)}; ${found}/${symbols.length} queries found symbols`);
    // What resting domains cost: a file changed on disk in one (its documents are parsed again for the
    // check), and a file opened in another (the domain takes its snapshots back and keeps its check state).
    const conflicting = (f: number) => `\n- IF [[Region ${f * STRIDE}]] = Quebec AND Amount ${f * STRIDE} > $5,000 THEN Withholding ${f * STRIDE} = 20%\n`;
    const fileOf = (f: number) => join(root, 'domains', `d${f % 20}`, `g${Math.floor(f / 500)}`, `f${f}.md`);
    const changedOnDisk = 5 + 20 * 17;
    writeFileSync(fileOf(changedOnDisk), readFileSync(fileOf(changedOnDisk), 'utf8') + conflicting(changedOnDisk));
    const diskUri = pathToFileURL(fileOf(changedOnDisk)).href;
    let t0 = performance.now();
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: diskUri, type: 2 }] });
    await client.diagnosticsFor(diskUri, (d) => d.some((x) => x.code === 'rule-conflict'), 'the conflict written on disk', 60_000);
    const diskMs = performance.now() - t0;
    const opened = 6 + 20 * 11;
    const openUri = pathToFileURL(fileOf(opened)).href;
    t0 = performance.now();
    client.open(openUri, readFileSync(fileOf(opened), 'utf8') + conflicting(opened));
    await client.diagnosticsFor(openUri, (d) => d.some((x) => x.code === 'rule-conflict'), 'the conflict typed in an opened file', 60_000);
    const openMs = performance.now() - t0;
    console.log(
      `LSP a resting domain (${files / 20} files): a file changed on disk → its diagnostics ${diskMs.toFixed(0)} ms; ` +
        `a file opened → its diagnostics ${openMs.toFixed(0)} ms (the domain takes its snapshots back)`,
    );

    const after = await client.request<ServerStats>(STATS_REQUEST, {});
    const live = await client.request<ServerStats>(STATS_REQUEST, { collect: true });
    console.log(
      `LSP memory after the hovers and searches: peak ${peakMiB(pid)?.toFixed(0) ?? '?'} MiB (VmHWM), RSS ${(after.memory.rss / 1024 / 1024).toFixed(0)} MiB, ` +
        `heap used ${(after.memory.heapUsed / 1024 / 1024).toFixed(0)} MiB, alive after a full collection ${(live.memory.heapUsed / 1024 / 1024).toFixed(0)} MiB ` +
        `(RSS then ${(live.memory.rss / 1024 / 1024).toFixed(0)} MiB)`,
    );

    // Warm start: the server started again on the same folder reads the index cache the last run wrote. First
    // with one file changed on disk since (its domain is indexed again), then with nothing changed.
    await client.stop();
    const cacheDir = join(root, '.knowledge', 'index');
    const cacheBytes = readdirSync(cacheDir).reduce((sum, f) => sum + statSync(join(cacheDir, f)).size, 0);
    for (const what of ['one file changed on disk since', 'unchanged']) {
      const t1 = performance.now();
      client = await startServer({ folders: [root], cli: CLI, nodeArgs, env });
      await client.waitFor(() => client!.logs.some((l) => /^indexed \d+ files/.test(l)), 'indexing again', 600_000);
      const warmMs = performance.now() - t1;
      const warmLine = client.logs.find((l) => /^indexed \d+ files/.test(l))!;
      const fromCache = /\((\d+) from the index cache/.exec(warmLine)?.[1] ?? '0';
      console.log(
        `LSP warm start (${files} files, ${what}): ${(warmMs / 1000).toFixed(1)} s from starting the server to indexed; ${fromCache} documents ` +
          `from the index cache (${(cacheBytes / 1024 / 1024).toFixed(0)} MiB); peak memory ${peakMiB(client.process.pid!)?.toFixed(0) ?? '?'} MiB (VmHWM)`,
      );
      await client.stop();
    }
    client = undefined;
  } finally {
    await client?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function benchLsp(quick: boolean): Promise<void> {
  // KOS_BENCH_LSP=keystrokes|workspace runs one half.
  const part = process.env.KOS_BENCH_LSP;
  if (part !== 'workspace') await keystrokes(quick);
  if (part !== 'keystrokes') await workspace(quick);
}
