/**
 * Indexing the workspace from disk in the background: the Markdown files of
 * every workspace folder (as `kos check` finds them: `.gitignore` honoured,
 * `node_modules` and `.git` skipped), parsed in batches so that requests are
 * answered between batches with what is indexed so far. Large workspaces are
 * parsed and checked in worker threads, which send back only what a document
 * keeps at rest (`indexWorkers.ts`), and kept between sessions in the index
 * cache (`indexCache.ts`). Documents open in the editor are never replaced
 * by their disk text. Files changed outside the editor arrive through
 * `workspace/didChangeWatchedFiles` and go through `refreshFile`.
 */
import fsp from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { forgetIncremental, parseDocument } from '../core/document';
import type { Finding } from '../core/model';
import { guessDomain } from '../cli/checkWorkers';
import { discoverFiles } from '../cli/files';
import { nodeFileSystem, type FileSystem } from '../cli/fileSystem';
import { parseHere, type ParseOutcome } from '../cli/parse';
import { readSources, type SourceFile } from '../cli/sources';
import { decodeMarkdown } from '../cli/decode';
import { CacheWriter, cacheFile, loadCache, textHash, usableDomains, type CacheKey, type LoadedCache } from './indexCache';
import { indexInWorkers, restingOf, type IndexedFile, type IndexSource } from './indexWorkers';
import type { KnowledgeBase } from './knowledge';
import type { StoredText } from './storedText';

export interface IndexProgress {
  done: number;
  total: number;
}

export interface IndexerOptions {
  fs?: FileSystem;
  /** Worker threads for large workspaces; 1 parses in the server's thread. */
  jobs: number;
  /** The workers' entry file (default: the running bundle; tests name `dist/cli.js`). */
  workerScript?: string;
  /** Where the index of these folders is kept between sessions (`indexCache.ts`; large workspaces only); null or absent: nowhere. */
  cacheDir?: (folders: string[]) => string | null;
  /** Called after each batch was added to the knowledge base. */
  onBatch: (progress: IndexProgress) => void;
  log: (message: string) => void;
}

/** Files per batch: requests wait at most one batch's parse. */
const BATCH = 100;
/** Files read at a time for their guessed domain (`survey`). */
const SURVEY_BATCH = 500;
/** Below this many files, worker threads cost more than they save. */
const PARALLEL_THRESHOLD = 400;
/** Documents whose names `settle` reads at a time, between requests (~10 ms). */
const SETTLE_BATCH = 100;
const MARKDOWN = /\.(md|markdown)$/i;

/** The last run's cache (null when there is none to use) and a writer for this run's. */
interface OpenedCache {
  loaded: LoadedCache | null;
  writer: CacheWriter;
}

export class Indexer {
  private running: IndexProgress | null = null;
  private run = 0;
  private readonly fs: FileSystem;
  /**
   * Files changed or removed on disk since the running index started
   * (`refreshFile`, `forget`; folders end with `/`): what the run read of
   * them is older than what those calls left in the knowledge base, and is
   * not taken.
   */
  private readonly newer = new Set<string>();
  /** Resolves when the current run ends. */
  finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly kb: () => KnowledgeBase,
    private readonly options: IndexerOptions,
  ) {
    this.fs = options.fs ?? nodeFileSystem;
  }

  /** Progress while indexing runs, null once done. */
  progress(): IndexProgress | null {
    return this.running;
  }

  /** Indexes the folders; a new call supersedes a running one. */
  index(folders: string[]): Promise<void> {
    const run = ++this.run;
    this.newer.clear();
    // Indexing from now on (finding the files comes first): progress() is never null while a run is on.
    this.running = { done: 0, total: 0 };
    this.finished = this.indexRun(folders, run).catch((error) => {
      this.options.log(`indexing failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.finished;
  }

  private async indexRun(folders: string[], run: number): Promise<void> {
    if (folders.length === 0) {
      this.running = null;
      return;
    }
    const started = performance.now();
    const found = await discoverFiles(folders, folders[0], this.fs);
    const files = found.files;
    this.running = { done: 0, total: files.length };
    this.options.onBatch(this.running);
    const parallel = this.options.jobs > 1 && files.length > PARALLEL_THRESHOLD;
    let skipped = 0;
    let cached = 0;
    const add = (uri: string, outcome: ParseOutcome) => {
      const kb = this.kb();
      if (kb.origin(uri) === 'open' || this.changedOnDisk(uri)) return;
      if ('snapshot' in outcome) {
        // Disk documents are never edited in place (opening one parses it again): keep no incremental state.
        forgetIncremental(outcome.snapshot);
        kb.upsert(outcome.snapshot, 'disk');
      } else this.options.log(`skipped ${uri}: the parser failed: ${outcome.error}`);
    };
    const read = async (from: number, to: number, keepBytes = false) => {
      const sources = await readSources(files.slice(from, to), this.fs, keepBytes);
      skipped += sources.skipped.length;
      for (const s of sources.skipped) this.options.log(`skipped ${s.path}: ${s.reason}`);
      return sources.sources;
    };
    if (parallel) {
      // The last run's cache is read (on the thread pool) while the files are.
      const opening = this.openCache(folders);
      const surveyed = await this.survey(files.length, read, opening).catch(async (error: unknown) => {
        await (await opening)?.writer.abort();
        throw error;
      });
      const cache = await opening;
      if (run !== this.run) {
        await cache?.writer.abort();
        return;
      }
      const fromCache = await this.indexInWorkers(surveyed.sources, surveyed.hashes, run, cache, (done) => {
        this.running = { done: Math.min(files.length, done + skipped), total: files.length };
        this.options.onBatch(this.running);
      });
      if (run !== this.run) return;
      cached = fromCache;
    } else {
      for (let i = 0; i < files.length; i += BATCH) {
        if (run !== this.run) return;
        const tasks = (await read(i, i + BATCH)).map((s) => ({ uri: s.uri, text: s.text }));
        if (run !== this.run) return;
        parseHere(tasks, () => undefined).forEach((outcome, j) => add(tasks[j].uri, outcome));
        this.running = { done: Math.min(files.length, i + BATCH), total: files.length };
        this.options.onBatch(this.running);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    this.running = null;
    this.options.onBatch({ done: files.length, total: files.length });
    const notes = [cached ? `${cached} from the index cache` : '', skipped ? `${skipped} skipped` : ''].filter(Boolean).join(', ');
    this.options.log(`indexed ${files.length} files in ${Math.round(performance.now() - started)} ms${notes ? ` (${notes})` : ''}`);
    void this.settle(run);
  }

  /**
   * Reads, between requests, the names of the documents set at rest that no
   * question needed yet (a warm start read only their keys: `restingOf`), so
   * that a first workspace search does not read them all.
   */
  private async settle(run: number): Promise<void> {
    while (run === this.run && this.kb().settle(SETTLE_BATCH)) await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Reads every file for the domain guessed from it and its length (the
   * workers are handed files by guessed domain), in batches, and keeps its
   * text only where the last run's cache holds a record of the same text
   * (a document the cache may give); of the others it keeps the bytes,
   * which are moved to the worker that decodes them (once the cache is
   * open: the files read before keep their text; `readSources` lets the
   * cache open between its batches). Texts held until the end of the run,
   * promoted to the old generation, were collected late: a cold index of
   * 10,000 files held 52 MB of them; bytes and texts leave this thread as a
   * file is handed out. The hashes are those of the texts kept
   * (`textHash`).
   */
  private async survey(
    count: number,
    read: (from: number, to: number, keepBytes: boolean) => Promise<SourceFile[]>,
    opening: Promise<OpenedCache | null>,
  ): Promise<{ sources: IndexSource[]; hashes: Map<string, string> }> {
    const sources: IndexSource[] = [];
    const hashes = new Map<string, string>();
    // Undefined until the cache is open: texts are kept until then.
    let loaded: LoadedCache | null | undefined;
    void opening.then((cache) => (loaded = cache?.loaded ?? null)).catch(() => (loaded = null));
    let sorted = 0;
    const sort = () => {
      for (; sorted < sources.length; sorted++) {
        const source = sources[sorted];
        const cached = loaded?.documents.get(source.uri);
        const hash = cached ? textHash(source.text!) : null;
        if (hash !== null && hash === cached!.hash) {
          hashes.set(source.uri, hash);
          source.bytes = undefined;
        } else if (source.bytes) source.text = null;
      }
    };
    for (let i = 0; i < count; i += SURVEY_BATCH) {
      // Before the cache is open (a warm start reads it meanwhile) the texts are kept, not the bytes too.
      for (const s of await read(i, i + SURVEY_BATCH, loaded !== undefined)) {
        sources.push({ uri: s.uri, guess: guessDomain(s), size: s.text.length, text: s.text, bytes: s.bytes });
      }
      if (loaded !== undefined) sort();
    }
    await opening;
    sort();
    return { sources, hashes };
  }

  /**
   * The workers parse and check whole domains; this thread takes in what
   * rests of each document, then each domain's findings (see
   * indexWorkers.ts), and answers requests in between. With a cache (see
   * `openCache`), the domains the last run's cache still describes are read
   * from it instead, and this run's cache is written. Returns how many
   * documents came from the cache.
   */
  private async indexInWorkers(
    tasks: IndexSource[],
    hashes: Map<string, string>,
    run: number,
    cache: OpenedCache | null,
    progress: (done: number) => void,
  ): Promise<number> {
    const current = () => run === this.run;
    const tokens = new Map<string, object>();
    const rest = (uri: string, text: StoredText, file: Omit<IndexedFile, 'index'>) => {
      const kb = this.kb();
      if (kb.origin(uri) === 'open' || this.changedOnDisk(uri)) return;
      kb.rest({ uri, text, ...file });
      tokens.set(uri, kb.token(uri)!);
    };
    const restDomain = (domain: string, uris: string[], findings: Finding[] | null) => {
      const checked = uris.flatMap((uri) => (tokens.has(uri) ? [{ uri, token: tokens.get(uri)! }] : []));
      this.kb().restDomain(domain, checked, findings);
    };

    let writer = cache?.writer ?? null;
    let fresh = tasks;
    let fromCache = 0;
    if (cache) {
      const { loaded } = cache;
      // New or changed since the last run (`hashes` holds the texts the cache has).
      const changed = tasks.filter((t) => !hashes.has(t.uri));
      const usable = loaded ? usableDomains(loaded, hashes, new Set(changed.map((t) => t.guess))) : [];
      const taken = new Set(usable.flatMap((d) => d.uris));
      fresh = tasks.filter((t) => !taken.has(t.uri));
      // Every document and domain of the last cache used as it was, and nothing else: it stays as it is.
      if (fresh.length === 0 && taken.size === loaded?.documents.size && usable.length === loaded.domains.length) {
        await cache.writer.abort();
        writer = null;
      }
      // A usable document's text was kept (its hash is the cached one).
      const textOf = new Map(tasks.map((t) => [t.uri, t.text]));
      for (const domain of usable) {
        for (const uri of domain.uris) {
          const { record, line } = loaded!.documents.get(uri)!;
          const resting = restingOf(record);
          if ('error' in resting) continue;
          rest(uri, textOf.get(uri)!, resting);
          writer?.documentLine(line);
          fromCache++;
        }
        restDomain(domain.domain, domain.uris, domain.findings);
        writer?.domainLine(domain.line);
      }
      if (fromCache > 0) progress(fromCache);
    }
    let reported = 0;
    try {
      await indexInWorkers(fresh, {
        jobs: this.options.jobs,
        script: this.options.workerScript,
        tenant: () => this.kb().tenant,
        current,
        parsed: ({ index, ...file }, record, text, hash) => {
          const { uri } = fresh[index];
          rest(uri, text, file);
          writer?.document(uri, hash, record);
        },
        failed: (index, reason) => this.options.log(`skipped ${fresh[index].uri}: ${reason}`),
        checked: (domain, indexes, findings) => {
          const uris = indexes.map((i) => fresh[i].uri);
          restDomain(domain, uris, findings);
          if (findings) writer?.domain(domain, uris, findings);
        },
        progress: (done) => {
          if (done - reported < BATCH && done < fresh.length) return;
          reported = done;
          progress(fromCache + done);
        },
      });
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    if (writer && current()) await writer.commit().catch((error: Error) => this.options.log(`the index cache was not written: ${error.message}`));
    else await writer?.abort();
    return fromCache;
  }

  /** The last run's cache (null when there is none to use) and a writer for this run's; null without a cache directory. */
  private async openCache(folders: string[]): Promise<OpenedCache | null> {
    const dir = this.options.cacheDir?.(folders);
    if (!dir) return null;
    const script = this.options.workerScript ?? __filename;
    const stat = await fsp.stat(script).catch(() => null);
    if (!stat) return null;
    const key: CacheKey = { tenant: this.kb().tenant, folders, build: `${stat.size}-${Math.round(stat.mtimeMs)}` };
    const file = cacheFile(dir, key);
    try {
      return { loaded: await loadCache(file, key), writer: await CacheWriter.open(file, key) };
    } catch (error) {
      this.options.log(`the index cache cannot be used: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /**
   * Re-reads a file changed on disk (created or changed), or forgets it when
   * it is gone or no longer Markdown. Open documents keep the editor's text.
   */
  async refreshFile(uri: string): Promise<'updated' | 'removed' | 'ignored'> {
    const kb = this.kb();
    if (kb.origin(uri) === 'open') return 'ignored';
    if (this.running) this.newer.add(uri);
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return 'ignored';
    }
    const kind = await this.fs.kind(file).catch(() => null);
    if (kind === 'directory') {
      // A folder created or moved in: index what is under it.
      const found = await discoverFiles([file], file, this.fs);
      for (const f of found.files) await this.refreshFile(pathToFileURL(f).href);
      return 'updated';
    }
    if (kind !== 'file' || !MARKDOWN.test(file)) return this.forget(uri);
    let bytes: Uint8Array;
    try {
      bytes = await this.fs.readFile(file);
    } catch {
      return this.forget(uri);
    }
    const decoded = decodeMarkdown(bytes);
    if ('reason' in decoded) return this.forget(uri);
    if (this.kb().origin(uri) === 'open') return 'ignored';
    if (this.kb().text(uri) === decoded.text) return 'ignored';
    const snapshot = parseDocument(uri, decoded.text);
    forgetIncremental(snapshot);
    this.kb().upsert(snapshot, 'disk');
    return 'updated';
  }

  /** True when the URI names a Markdown file on disk. */
  async exists(uri: string): Promise<boolean> {
    try {
      return MARKDOWN.test(uri) && (await this.fs.kind(fileURLToPath(uri))) === 'file';
    } catch {
      return false;
    }
  }

  /** Whether the file was changed or removed on disk since the running index started (`newer`). */
  private changedOnDisk(uri: string): boolean {
    if (this.newer.size === 0) return false;
    if (this.newer.has(uri)) return true;
    for (const changed of this.newer) if (changed.endsWith('/') && uri.startsWith(changed)) return true;
    return false;
  }

  /** Forgets a deleted file, or every file under a deleted folder. */
  forget(uri: string): 'removed' | 'ignored' {
    const kb = this.kb();
    const prefix = uri.endsWith('/') ? uri : `${uri}/`;
    if (this.running) this.newer.add(uri).add(prefix);
    let removed = false;
    for (const known of [...kb.uris()]) {
      if ((known === uri || known.startsWith(prefix)) && kb.origin(known) !== 'open' && kb.origin(known) !== 'team') {
        kb.remove(known);
        removed = true;
      }
    }
    return removed ? 'removed' : 'ignored';
  }
}

/** The form of a `file:` URI the server uses everywhere (clients encode characters differently). */
export function canonicalUri(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return pathToFileURL(fileURLToPath(uri)).href;
  } catch {
    return uri;
  }
}

export function folderPath(uri: string): string | null {
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return null;
  }
}
