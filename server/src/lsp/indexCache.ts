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
import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../core/hash';
import type { Finding } from '../core/model';
import type { SplitRecord } from './indexWorkers';

/** Bumped when what the lines hold changes. */
const FORMAT = 5;

export interface CacheKey {
  tenant: string;
  folders: string[];
  /** Identifies the code that parses and checks (the bundle's size and time). */
  build: string;
}

/** A document's line: what the workers sent for its text (its record, read in two parts: see `SplitRecord`). */
export interface CachedDocument {
  hash: string;
  record: SplitRecord;
  /** The line as read, its newline included (written again as it is). */
  line: Uint8Array;
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
const DOCUMENT_BYTE = DOCUMENT.charCodeAt(0);
const DOMAIN_BYTE = DOMAIN.charCodeAt(0);
const TAB = 0x09;
const NEWLINE = 0x0a;

export function cacheFile(dir: string, key: Pick<CacheKey, 'tenant' | 'folders'>): string {
  return path.join(dir, `index-${sha256(JSON.stringify([key.tenant, key.folders])).slice(0, 16)}.txt`);
}

export function textHash(text: string): string {
  return sha256(text);
}

/**
 * The cache at `file` when it was written for `key`; null when there is none, or another key's, or it is
 * damaged. Read as bytes: each document's URI, hash and record head are decoded at once, its record body
 * (~85% of the bytes) when first asked for. A 100 MB cache read and decoded whole as one text took
 * ~1.0–1.3 s on the machines measured (docs/benchmarks.md); this 0.45–0.55 s, most of it the read itself.
 */
export async function loadCache(file: string, key: CacheKey): Promise<LoadedCache | null> {
  let bytes: Buffer;
  try {
    bytes = await readWhole(file);
  } catch {
    return null;
  }
  const first = bytes.indexOf(NEWLINE);
  if (first === -1 || bytes.toString('utf8', 0, first) !== headerLine(key) || bytes[bytes.length - 1] !== NEWLINE) return null;
  const documents = new Map<string, CachedDocument>();
  const domains: CachedDomain[] = [];
  try {
    // Neither a tab nor a newline appears inside a URI, a hash or a record (JSON escapes them), nor inside
    // UTF-8's multi-byte sequences. A document's line gives its record's length in bytes, so that its end
    // is found without reading through the record.
    const field = (from: number, end: number) => {
      const tab = bytes.indexOf(TAB, from);
      return tab === -1 || tab > end ? end : tab;
    };
    for (let at = first + 1; at < bytes.length; ) {
      let end: number;
      if (bytes[at] === DOCUMENT_BYTE && bytes[at + 1] === TAB) {
        const a = field(at + 2, bytes.length);
        const b = field(a + 1, bytes.length);
        const c = field(b + 1, bytes.length);
        const [uri, hash, length] = [bytes.toString('utf8', at + 2, a), bytes.toString('latin1', a + 1, b), bytes.toString('latin1', b + 1, c)];
        end = c + 1 + Number(length);
        if (c === bytes.length || !/^\d+$/.test(length) || /\n/.test(uri + hash) || bytes[end] !== NEWLINE) return null;
        // The record: its head, a tab, its body; or a failure, whole.
        const d = field(c + 1, end);
        const body = d < end ? () => bytes.toString('utf8', d + 1, end) : null;
        documents.set(uri, { hash, record: { head: bytes.toString('utf8', c + 1, d), body }, line: bytes.subarray(at, end + 1) });
      } else if (bytes[at] === DOMAIN_BYTE && bytes[at + 1] === TAB) {
        end = bytes.indexOf(NEWLINE, at);
        const line = bytes.toString('utf8', at, end);
        const { domain, uris, findings } = JSON.parse(line.slice(2)) as Omit<CachedDomain, 'line'>;
        if (typeof domain !== 'string' || !Array.isArray(uris) || !Array.isArray(findings)) return null;
        domains.push({ domain, uris, findings, line });
      } else return null;
      at = end + 1;
    }
  } catch {
    return null;
  }
  return { documents, domains };
}

/**
 * A file's bytes, read on the thread pool in as few reads as the system allows (`fs.readFile` reads
 * 512 KB at a time). Reading 100 MB into new memory costs ~0.3 s on the machines measured, mostly page
 * faults: off the server's thread, that overlaps with its reading of the workspace's files.
 */
async function readWhole(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
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
    this.stream.write(`${DOCUMENT}\t${uri}\t${hash}\t${Buffer.byteLength(record)}\t${record}\n`);
  }

  /** A document's line as read from the previous cache (`CachedDocument.line`). */
  documentLine(line: Uint8Array): void {
    this.stream.write(line);
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
