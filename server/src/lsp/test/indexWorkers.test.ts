/**
 * Indexing on worker threads (`indexWorkers.ts`, through the real bundle
 * `dist/cli.js` built by the global setup): the knowledge base answers
 * exactly what it answers when every file is parsed and checked on the
 * server's thread — findings within and across files, parse problems,
 * files whose front matter names another domain than the one guessed, a
 * document open in the editor before the index reaches it, a run
 * superseded by the next, files changed on disk while it runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { section } from '../../../../test/bench/generate';
import { guessDomain, RequestWorker } from '../../cli/checkWorkers';
import { nodeFileSystem } from '../../cli/fileSystem';
import { INDEX_WORKER_LIMITS } from '../../cli/heap';
import { tempTree } from '../../cli/testing';
import { parseDocument } from '../../core/document';
import { exampleTexts } from '../../core/testing/examples';
import { Indexer } from '../indexer';
import { textHash } from '../indexCache';
import { indexInWorkers, isIndexWorker, type IndexSource } from '../indexWorkers';
import { KnowledgeBase } from '../knowledge';
import { answers } from './answers';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

/** 437 files (the workers take over above 400) in 13 domains. */
function files(): Record<string, string> {
  const out: Record<string, string> = {};
  exampleTexts().forEach((text, i) => {
    for (let k = 0; k < 6; k++) {
      // In half the copies the front matter's domain carries a YAML comment, which the workers' guess misreads.
      out[`domains/d${k}/ex${i}.md`] = k < 3 ? text.replace(/^domain: (\w+)$/m, 'domain: $1 # moved') : text;
    }
  });
  for (let j = 0; j < 360; j++) out[`domains/bulk${j % 4}/f${j}.md`] = `# File ${j}\n\n${section(j * 3)}${section(j * 3 + 1)}`;
  for (let j = 0; j < 20; j++) out[`notes/n${j}.md`] = `# Note ${j}\n\n${section(5000 + j)}`;
  // Misread too, in a folder that sorts after the domains the front matter names.
  out['domains/zz/late-tax.md'] = out['domains/d0/ex8.md'];
  out['domains/zz/late-payroll.md'] = out['domains/d0/ex4.md'];
  out['domains/d0/broken.md'] = '---\ndomain: [unclosed\n---\n# Broken\n\n- IF THEN\n';
  return out;
}

const root = tempTree(files());
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const uri = (relative: string) => pathToFileURL(path.join(root, relative)).href;

interface Run {
  before?: (kb: KnowledgeBase) => void;
  runs?: number;
  folder?: string;
  cacheDir?: string;
  tenant?: string;
  /** The log line that ends the run. */
  logged?: string[];
}

async function indexed(jobs: number, { before, runs = 1, folder = root, cacheDir, tenant = 't', logged }: Run = {}): Promise<KnowledgeBase> {
  const kb = new KnowledgeBase(tenant);
  before?.(kb);
  const logs: string[] = [];
  const indexer = new Indexer(() => kb, { jobs, workerScript: CLI, cacheDir: () => cacheDir ?? null, onBatch: () => undefined, log: (m) => logs.push(m) });
  for (let run = 1; run < runs; run++) void indexer.index([folder]);
  await indexer.index([folder]);
  expect(logs.filter((l) => !l.startsWith('indexed '))).toEqual([]);
  logged?.push(...logs);
  return kb;
}

describe('indexing on worker threads', () => {
  it('answers as the server thread does: findings, names, impact, symbols, documents at rest', async () => {
    const single = await indexed(1);
    const workers = await indexed(2);
    expect(workers.size).toBe(437);
    // The workers checked the domains: their documents rest already (on one thread none has been checked yet).
    expect(workers.resting().length).toBeGreaterThan(400);
    expect(single.resting()).toEqual([]);
    // The files whose front matter the guess misreads are in the domain it names.
    for (const [file, domain] of [['d0/ex8.md', 'tax'], ['d2/ex4.md', 'payroll'], ['zz/late-tax.md', 'tax'], ['zz/late-payroll.md', 'payroll']]) {
      expect(workers.get(uri(`domains/${file}`))?.domain).toBe(domain);
    }
    const expected = answers(single);
    expect(answers(workers)).toEqual(expected);
    expect(workers.workspace.findings().length).toBeGreaterThan(50);
    expect(workers.workspace.findings().some((f) => f.code === 'parse-error')).toBe(true);
    expect(workers.resting()).toEqual(single.resting());
  }, 60_000);

  it('starts workers whose young generation is bounded (`INDEX_WORKER_LIMITS`)', async () => {
    expect(isIndexWorker('kos-index-worker')).toBe(true);
    const worker = new RequestWorker(CLI, 'kos-index-worker', INDEX_WORKER_LIMITS);
    try {
      expect(INDEX_WORKER_LIMITS.maxYoungGenerationSizeMb).toBeLessThan(48);
      expect(worker.resourceLimits.maxYoungGenerationSizeMb).toBe(INDEX_WORKER_LIMITS.maxYoungGenerationSizeMb);
    } finally {
      await worker.stop();
    }
    const unbounded = new RequestWorker(CLI, 'kos-index-worker');
    try {
      expect(unbounded.resourceLimits.maxYoungGenerationSizeMb).not.toBe(INDEX_WORKER_LIMITS.maxYoungGenerationSizeMb);
    } finally {
      await unbounded.stop();
    }
  });

  it('keeps what the editor has open, and checks its domain with the editor’s text', async () => {
    const open = uri('domains/bulk1/f1.md');
    const edit = (kb: KnowledgeBase) => kb.upsert(parseDocument(open, '# Edited\n\n- IF [[Region 3]] = Quebec THEN [[Fee]] = 1%\n- IF [[Region 3]] = Quebec THEN [[Fee]] = 2%\n'), 'open');
    const single = await indexed(1, { before: edit });
    const workers = await indexed(2, { before: edit });
    expect(workers.text(open)).toMatch(/^# Edited/);
    expect(workers.workspace.findingsFor(open).map((f) => f.code)).toContain('rule-conflict');
    expect(answers(workers)).toEqual(answers(single));
  }, 60_000);

  it('answers as the server thread does after a run superseded by the next', async () => {
    const single = await indexed(1);
    const workers = await indexed(2, { runs: 2 });
    expect(answers(workers)).toEqual(answers(single));
  }, 60_000);

  it('leaves the domain of a file whose front matter the guess misread to the server, also after that domain was checked', async () => {
    const fee = (rate: number, frontMatter: string) => `---\n${frontMatter}\n---\n# Fee\n\n- IF [[Region]] = Quebec THEN [[Fee]] = ${rate}%\n`;
    // A whole parse request (8 files) of tax, then the stray in the next: tax is checked before the stray arrives.
    const sources = [
      { uri: 'file:///kb/domains/tax/a0.md', text: fee(1, 'domain: tax') },
      ...Array.from({ length: 7 }, (_, i) => ({ uri: `file:///kb/domains/tax/a${i + 1}.md`, text: `# Rate ${i}\n\n- **Rate ${i}**: ${i}%\n` })),
      { uri: 'file:///kb/domains/zz/b.md', text: fee(2, 'domain: tax # moved') },
    ];
    const kb = new KnowledgeBase('t');
    const tokens: object[] = [];
    const calls: [string, number[], number | null][] = [];
    // One worker: it answers in order.
    const files = sources.map((s) => ({ ...s, guess: guessDomain(s), size: s.text.length }));
    await indexInWorkers(files, {
      jobs: 1,
      script: CLI,
      tenant: () => 't',
      current: () => true,
      parsed: ({ index, domain, version, keys, load }, _record, text) => {
        kb.rest({ uri: sources[index].uri, text, version, domain, keys, load });
        tokens[index] = kb.token(sources[index].uri)!;
      },
      failed: (index, error) => expect.fail(`${sources[index].uri}: ${error}`),
      checked: (domain, indexes, findings) => {
        calls.push([domain, indexes, findings && findings.length]);
        kb.restDomain(domain, indexes.map((i) => ({ uri: sources[i].uri, token: tokens[i] })), findings);
      },
      progress: () => undefined,
    });
    expect(calls).toEqual([
      ['tax', [0, 1, 2, 3, 4, 5, 6, 7], 0],
      ['tax', [8], null],
    ]);
    // The stray's rule conflicts with a0's: the server checked tax again with it.
    expect(kb.workspace.findings().map((f) => [f.uri, f.code])).toEqual([
      [sources[0].uri, 'rule-conflict'],
      [sources[8].uri, 'rule-conflict'],
    ]);
  }, 30_000);
});

describe('what the server holds while workers index', () => {
  it('lets go of each text and bytes it hands out, and gets back the hash of every text', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `# File ${i}\n\n${section(i)}`);
    // Half sent as text (read before the cache was open), half as the bytes they were read from.
    const files: IndexSource[] = texts.map((text, i) => ({
      uri: `file:///kb/domains/d${i % 2}/f${i}.md`,
      guess: `d${i % 2}`,
      size: text.length,
      text: i % 4 < 2 ? text : null,
      ...(i % 4 < 2 ? {} : { bytes: new TextEncoder().encode(text) }),
    }));
    const hashes: string[] = [];
    await indexInWorkers(files, {
      jobs: 2,
      script: CLI,
      tenant: () => 't',
      current: () => true,
      parsed: ({ index }, _record, _text, hash) => void (hashes[index] = hash),
      failed: (index, error) => expect.fail(`${files[index].uri}: ${error}`),
      checked: () => undefined,
      progress: () => undefined,
    });
    expect(hashes).toEqual(texts.map(textHash));
    expect(files.filter((f) => f.text !== null || f.bytes !== undefined)).toEqual([]);
  }, 30_000);
});

describe('the index cache', () => {
  it('reads the domains that did not change from the last run, and answers as a cold index does', async () => {
    const tree = files();
    const folder = tempTree(tree);
    const cacheDir = path.join(folder, '.knowledge', 'index');
    afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
    const expected = answers(await indexed(1, { folder }));

    const cold: string[] = [];
    expect(answers(await indexed(2, { folder, cacheDir, logged: cold }))).toEqual(expected);
    expect(cold.at(-1)).toMatch(/^indexed 437 files in \d+ ms$/);
    expect(fs.readdirSync(cacheDir)).toHaveLength(1);

    const warm: string[] = [];
    const fromCache = await indexed(2, { folder, cacheDir, logged: warm });
    // All but the 9 files the guess misreads (their domains were checked by the server, not by a worker).
    const [, n] = /\((\d+) from the index cache\)$/.exec(warm.at(-1)!) ?? [];
    expect(Number(n)).toBe(437 - 9);
    expect(fromCache.resting().length).toBeGreaterThan(380);
    expect(answers(fromCache)).toEqual(expected);

    // Changed, removed and new files: their domains are indexed again, the others still come from the cache.
    fs.appendFileSync(path.join(folder, 'domains/bulk0/f0.md'), '\n- IF [[Region 0]] = Quebec THEN [[Fee]] = 1%\n- IF [[Region 0]] = Quebec THEN [[Fee]] = 2%\n');
    fs.rmSync(path.join(folder, 'domains/bulk1/f1.md'));
    fs.writeFileSync(path.join(folder, 'notes/new.md'), '# New\n\n- **Region 0**: Quebec\n');
    const changed = answers(await indexed(1, { folder }));
    expect(changed).not.toEqual(expected);
    const after: string[] = [];
    expect(answers(await indexed(2, { folder, cacheDir, logged: after }))).toEqual(changed);
    const [, m] = /\((\d+) from the index cache\)$/.exec(after.at(-1)!) ?? [];
    // bulk0, bulk1 (90 files each) and the notes (20) are parsed again.
    expect(Number(m)).toBe(Number(n) - 200);

    // Another tenant's run does not read it; a damaged cache is not read, and is written anew.
    const other: string[] = [];
    expect(answers(await indexed(2, { folder, cacheDir, tenant: 'u', logged: other }))).not.toEqual([]);
    expect(other.at(-1)).not.toMatch(/from the index cache/);
    for (const file of fs.readdirSync(cacheDir)) fs.appendFileSync(path.join(cacheDir, file), 'F\tbroken');
    const damaged: string[] = [];
    expect(answers(await indexed(2, { folder, cacheDir, logged: damaged }))).toEqual(changed);
    expect(damaged.at(-1)).not.toMatch(/from the index cache/);
    const again: string[] = [];
    expect(answers(await indexed(2, { folder, cacheDir, logged: again }))).toEqual(changed);
    expect(again.at(-1)).toMatch(/from the index cache/);
  }, 120_000);

  it('keeps what the editor has open when it reads from the cache', async () => {
    const folder = tempTree(files());
    const cacheDir = path.join(folder, '.knowledge', 'index');
    afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
    const open = pathToFileURL(path.join(folder, 'domains/bulk2/f2.md')).href;
    const before = (kb: KnowledgeBase) => kb.upsert(parseDocument(open, '# Edited\n\n- IF [[Region 3]] = Quebec THEN [[Fee]] = 1%\n- IF [[Region 3]] = Quebec THEN [[Fee]] = 2%\n'), 'open');
    await indexed(2, { folder, cacheDir });
    const warm: string[] = [];
    const workers = await indexed(2, { folder, cacheDir, before, logged: warm });
    expect(warm.at(-1)).toMatch(/from the index cache/);
    expect(workers.workspace.findingsFor(open).map((f) => f.code)).toContain('rule-conflict');
    expect(answers(workers)).toEqual(answers(await indexed(1, { folder, before })));
  }, 60_000);

  it('is left as it is when a run read everything from it', async () => {
    const tree: Record<string, string> = {};
    for (let j = 0; j < 420; j++) tree[`domains/d${j % 3}/f${j}.md`] = `# File ${j}\n\n${section(j)}`;
    const folder = tempTree(tree);
    const cacheDir = path.join(folder, '.knowledge', 'index');
    afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
    await indexed(2, { folder, cacheDir });
    const [file] = fs.readdirSync(cacheDir).map((f) => path.join(cacheDir, f));
    const written = fs.statSync(file).mtimeMs;
    const logged: string[] = [];
    await indexed(2, { folder, cacheDir, logged });
    expect(logged.at(-1)).toMatch(/\(420 from the index cache\)$/);
    expect(fs.statSync(file).mtimeMs).toBe(written);
    expect(fs.readdirSync(cacheDir)).toEqual([path.basename(file)]);
  }, 60_000);

  it('indexes as usual when the cache cannot be written, and says why', async () => {
    const folder = tempTree(files());
    afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
    // The cache directory would be under a file.
    fs.writeFileSync(path.join(folder, 'taken'), '');
    const kb = new KnowledgeBase('t');
    const logs: string[] = [];
    const indexer = new Indexer(() => kb, { jobs: 2, workerScript: CLI, cacheDir: () => path.join(folder, 'taken', 'index'), onBatch: () => undefined, log: (m) => logs.push(m) });
    await indexer.index([folder]);
    expect(logs[0]).toMatch(/^the index cache cannot be used: /);
    expect(logs.at(-1)).toMatch(/^indexed 437 files in \d+ ms$/);
    expect(answers(kb)).toEqual(answers(await indexed(1, { folder })));
  }, 60_000);
});

describe('files changed on disk while the workers index', () => {
  it('keep what changed over what the run had read before', async () => {
    const folder = tempTree(files());
    afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
    const changed = path.join(folder, 'domains/bulk2/f6.md');
    const deleted = path.join(folder, 'domains/bulk3/f7.md');
    const inFolder = path.join(folder, 'domains/d5/ex0.md');
    const conflict = '# Changed\n\n- IF [[Region 1]] = Quebec THEN [[Fee]] = 1%\n- IF [[Region 1]] = Quebec THEN [[Fee]] = 2%\n';
    const kb = new KnowledgeBase('t');
    let indexer: Indexer;
    let disk: Promise<unknown> | undefined;
    // Once the run has read the first file, the disk changes: one file rewritten, one deleted, one folder deleted.
    // The workers (started after every file is read) send their records for the older texts after that.
    const watched = {
      ...nodeFileSystem,
      readFile: (file: string) => {
        disk ??= new Promise((resolve) => setImmediate(resolve)).then(() => {
          fs.writeFileSync(changed, conflict);
          fs.rmSync(deleted);
          fs.rmSync(path.dirname(inFolder), { recursive: true });
          return Promise.all([indexer.refreshFile(pathToFileURL(changed).href), indexer.forget(pathToFileURL(deleted).href), indexer.forget(pathToFileURL(path.dirname(inFolder)).href)]);
        });
        return nodeFileSystem.readFile(file);
      },
    };
    indexer = new Indexer(() => kb, { fs: watched, jobs: 2, workerScript: CLI, onBatch: () => undefined, log: () => undefined });
    await indexer.index([folder]);
    await disk;
    const uriOf = (file: string) => pathToFileURL(file).href;
    expect(kb.text(uriOf(changed))).toBe(conflict);
    expect(kb.workspace.findingsFor(uriOf(changed)).map((f) => f.code)).toContain('rule-conflict');
    expect(kb.token(uriOf(deleted))).toBeUndefined();
    expect(kb.token(uriOf(inFolder))).toBeUndefined();
    expect(kb.size).toBe(437 - 1 - exampleTexts().length);
    // As an index of the disk as it is now.
    expect(answers(kb)).toEqual(answers(await indexed(1, { folder })));
  }, 60_000);
});
