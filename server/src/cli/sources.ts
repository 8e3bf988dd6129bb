/** Reading the discovered files into the text the core parses. */
import { pathToFileURL } from 'node:url';
import { decodeMarkdown } from './decode';
import { errorReason, type FileSystem } from './fileSystem';
import type { Skip } from './files';

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** `file://` URI, the document's identity in the core. */
  uri: string;
  text: string;
  /** The bytes the text was decoded from (`readSources` with `keepBytes`). */
  bytes?: Uint8Array;
}

export interface Sources {
  sources: SourceFile[];
  skipped: Skip[];
}

/** Files read at once: enough to keep the disk busy, few enough for file-descriptor limits. */
const READ_BATCH = 64;

/**
 * Reads `files` in batches, letting the event loop run between two: the
 * node file system reads synchronously (faster for small files), and a
 * read of a whole workspace is otherwise one long task in which no other
 * I/O completes and no request is answered (the language server opens its
 * index cache while it reads; it keeps the bytes of a file read once the
 * cache is open, and until then its text).
 */
export async function readSources(files: string[], fs: FileSystem, keepBytes = false): Promise<Sources> {
  const result: Sources = { sources: [], skipped: [] };
  for (let i = 0; i < files.length; i += READ_BATCH) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const batch = files.slice(i, i + READ_BATCH);
    const read = await Promise.all(batch.map((file) => readSource(file, fs, keepBytes)));
    for (const item of read) {
      if ('reason' in item) result.skipped.push(item);
      else result.sources.push(item);
    }
  }
  return result;
}

async function readSource(file: string, fs: FileSystem, keepBytes: boolean): Promise<SourceFile | Skip> {
  let bytes;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    return { path: file, reason: errorReason(error) };
  }
  const decoded = decodeMarkdown(bytes);
  if ('reason' in decoded) return { path: file, reason: decoded.reason };
  const source: SourceFile = { path: file, uri: pathToFileURL(file).href, text: decoded.text };
  if (keepBytes) source.bytes = bytes;
  return source;
}
