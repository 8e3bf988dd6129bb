/**
 * What a large workspace's index rests on, kept on disk between sessions so
 * that the next start reads it instead of parsing and checking the domains
 * that did not change (a warm start).
 *
 * One file per workspace and tenant, lines of text: a header (the format,
 * the tenant, the folders and the build that wrote it: another build may
 * parse or check differently), then per document its URI, the SHA-256 of
 * its text and what the index workers sent for it, and per domain the
 * workers checked its documents and findings. A domain is taken from the
 * cache whole or not at all: every document it had, each with the same
 * text, and no new or changed file guessed into it (`usableDomains`).
 * Every indexing run writes the file anew (to a temporary file, renamed
 * once the run is complete), so what it holds always describes one run.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../core/hash';
import type { Finding } from '../core/model';

/** Bumped when what the lines hold changes. */
const FORMAT = 2;

export interface CacheKey {
  tenant: string;
  folders: string[];
  /** Identifies the code that parses and checks (the bundle's size and time). */
  build: string;
}

/** A document's line: what the workers sent for its text (`record`, JSON). */
export interface CachedDocument {
  hash: string;
  record: string;
}

/** A domain's line. */
export interface CachedDomain {
  domain: string;
  uris: string[];
  findings: Finding[];
  /** The line as read (written again as it is). */
  line: string;
}

export interface LoadedCache {
  documents: Map<string, CachedDocument>;
  domains: CachedDomain[];
}

const HEADER = 'K';
const DOCUMENT = 'F';
const DOMAIN = 'D';

export function cacheFile(dir: string, key: Pick<CacheKey, 'tenant' | 'folders'>): string {
  return path.join(dir, `index-${sha256(JSON.stringify([key.tenant, key.folders])).slice(0, 16)}.txt`);
}

export function textHash(text: string): string {
  return sha256(text);
}

/** The cache at `file` when it was written for `key`; null when there is none, or another key's, or it is damaged. */
export async function loadCache(file: string, key: CacheKey): Promise<LoadedCache | null> {
  let text: string;
  try {
    // At once: the promise-based read of a 100 MB cache went through the thread pool chunk by chunk and
    // decoded it in pieces (~0.1 s more of a warm start that reads nothing else meanwhile).
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines[0] !== headerLine(key) || lines[lines.length - 1] !== '') return null;
  const documents = new Map<string, CachedDocument>();
  const domains: CachedDomain[] = [];
  try {
    for (let i = 1; i < lines.length - 1; i++) {
      const line = lines[i];
      if (line.startsWith(`${DOCUMENT}\t`)) {
        const a = line.indexOf('\t', 2);
        const b = line.indexOf('\t', a + 1);
        if (a < 0 || b < 0) return null;
        documents.set(line.slice(2, a), { hash: line.slice(a + 1, b), record: line.slice(b + 1) });
      } else if (line.startsWith(`${DOMAIN}\t`)) {
        const { domain, uris, findings } = JSON.parse(line.slice(2)) as Omit<CachedDomain, 'line'>;
        if (typeof domain !== 'string' || !Array.isArray(uris) || !Array.isArray(findings)) return null;
        domains.push({ domain, uris, findings, line });
      } else return null;
    }
  } catch {
    return null;
  }
  return { documents, domains };
}

/**
 * The cached domains a run can take as they are: every document they had is
 * there with the same text, and no file that is new or changed (`fresh`, by
 * the domain its folder or front matter suggests) may join them.
 */
export function usableDomains(cache: LoadedCache, hashes: ReadonlyMap<string, string>, freshGuesses: ReadonlySet<string>): CachedDomain[] {
  return cache.domains.filter(
    (d) => !freshGuesses.has(d.domain) && d.uris.every((uri) => hashes.get(uri) !== undefined && hashes.get(uri) === cache.documents.get(uri)?.hash),
  );
}

let writers = 0;

/** Writes a run's cache: to a temporary file first, which `commit` puts in place. */
export class CacheWriter {
  private readonly temporary: string;
  private readonly stream: WriteStream;
  private failed: Error | null = null;

  constructor(
    private readonly file: string,
    key: CacheKey,
  ) {
    // Unique: a run superseded by the next may still be writing (and then removing) its own.
    this.temporary = `${file}.${process.pid}.${++writers}.tmp`;
    this.stream = createWriteStream(this.temporary);
    this.stream.on('error', (error) => (this.failed ??= error));
    this.stream.write(`${headerLine(key)}\n`);
  }

  static async open(file: string, key: CacheKey): Promise<CacheWriter> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await removeOrphans(file);
    return new CacheWriter(file, key);
  }

  document(uri: string, hash: string, record: string): void {
    this.stream.write(`${DOCUMENT}\t${uri}\t${hash}\t${record}\n`);
  }

  domain(domain: string, uris: string[], findings: Finding[]): void {
    this.stream.write(`${DOMAIN}\t${JSON.stringify({ domain, uris, findings })}\n`);
  }

  /** A domain's line as read from the previous cache. */
  domainLine(line: string): void {
    this.stream.write(`${line}\n`);
  }

  async commit(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.failed) {
      await fs.rm(this.temporary, { force: true });
      throw this.failed;
    }
    await fs.rename(this.temporary, this.file);
  }

  async abort(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    await fs.rm(this.temporary, { force: true });
  }
}

/** Removes the temporary files of `file` that processes which are gone left (a server killed while it wrote). */
export async function removeOrphans(file: string): Promise<void> {
  const prefix = `${path.basename(file)}.`;
  const names = await fs.readdir(path.dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length).split('.')[0]) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) await fs.rm(path.join(path.dirname(file), name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function headerLine(key: CacheKey): string {
  return `${HEADER}\t${JSON.stringify({ format: FORMAT, tenant: key.tenant, folders: key.folders, build: key.build })}`;
}
