/**
 * Text synchronisation: the editor's buffers become snapshots of the core,
 * incrementally. Each change of a `didChange` is applied in turn (LSP's
 * ranges are in the coordinates left by the previous change); a change
 * without a range replaces the text. Closing a document hands it back to
 * the disk: the file's text is read again (an unsaved buffer closed without
 * saving no longer counts), and a file that does not exist is forgotten.
 */
import { TextDocumentSyncKind, type Connection, type ServerCapabilities, type TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { applyEdits, lineIndex, parseDocument, withVersion, type DocumentSnapshot } from '../core/document';
import { parseHere, parseInWorkers } from '../cli/parse';
import { LineIndex } from '../core/markdown/lineIndex';
import type { ServerContext } from './context';
import { canonicalUri } from './indexer';

export const textSyncCapabilities: ServerCapabilities = {
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
};

/** The snapshot after LSP content changes. */
export function applyContentChanges(doc: DocumentSnapshot, changes: TextDocumentContentChangeEvent[], version: number): DocumentSnapshot {
  let current = doc;
  for (const change of changes) {
    if ('range' in change && change.range) {
      const lines = lineIndex(current);
      const start = lines.offset(change.range.start);
      const end = Math.max(start, lines.offset(change.range.end));
      current = applyEdits(current, [{ span: { start, end }, newText: change.text }], version);
    } else {
      current = parseDocument(current.uri, change.text, version);
    }
  }
  return withVersion(current, version);
}

/**
 * Documents above this size (characters) are parsed in a worker thread, on
 * open and after edits (debounced): parsing 10 MB takes seconds, and the
 * server must keep answering meanwhile. Their diagnostics lag behind typing;
 * everything else stays instant.
 */
export const LARGE_DOCUMENT = 1_000_000;
const LARGE_DEBOUNCE_MS = 300;

/** The editor's text of a large document, parsed off the main thread. */
interface LargeDocument {
  text: string;
  version: number;
  lines: LineIndex | null;
  timer: NodeJS.Timeout | null;
  parsing: boolean;
}

export function registerDocuments(ctx: ServerContext, connection: Connection): void {
  const changed = () => ctx.diagnostics.schedule();
  const large = new Map<string, LargeDocument>();

  const parseLarge = (uri: string) => {
    const entry = large.get(uri);
    if (!entry || entry.parsing) return;
    entry.parsing = true;
    const { text, version } = entry;
    void parseOffThread(uri, text, version)
      .then((snapshot) => {
        if (large.get(uri) !== entry) return;
        // Only the latest text counts; an older parse still answers better than none.
        if (snapshot) ctx.kb.upsert(snapshot, 'open');
        ctx.diagnostics.edited(uri);
      })
      .catch((error) => ctx.log(`parsing ${uri} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        entry.parsing = false;
        if (large.get(uri) === entry && (entry.text !== text || entry.version !== version)) scheduleLarge(uri, 0);
      });
  };
  const scheduleLarge = (uri: string, delay: number) => {
    const entry = large.get(uri);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      parseLarge(uri);
    }, delay);
  };
  const parseOffThread = async (uri: string, text: string, version: number): Promise<DocumentSnapshot | null> => {
    const [outcome] = await parseInWorkers([{ uri, text }], 1, () => undefined).catch(() => parseHere([{ uri, text }], () => undefined));
    return 'snapshot' in outcome ? withVersion(outcome.snapshot, version) : null;
  };

  connection.onDidOpenTextDocument(({ textDocument }) => {
    const uri = canonicalUri(textDocument.uri);
    if (textDocument.text.length > LARGE_DOCUMENT) {
      large.set(uri, { text: textDocument.text, version: textDocument.version, lines: null, timer: null, parsing: false });
      // Until the worker is done: the disk text's snapshot when there is one, else an empty document.
      const known = ctx.kb.get(uri);
      ctx.kb.upsert(known ?? parseDocument(uri, '', textDocument.version), 'open');
      parseLarge(uri);
      changed();
      return;
    }
    large.delete(uri);
    // Parsed here even when the disk text was indexed: snapshots from worker threads cannot be edited incrementally.
    const snapshot = parseDocument(uri, textDocument.text, textDocument.version);
    ctx.kb.upsert(snapshot, 'open');
    ctx.diagnostics.opened(uri);
  });
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const uri = canonicalUri(textDocument.uri);
    const doc = ctx.kb.get(uri);
    if (!doc || ctx.kb.origin(uri) !== 'open') {
      ctx.log(`change for a document that is not open: ${uri}`);
      return;
    }
    const version = textDocument.version ?? doc.version + 1;
    const big = large.get(uri);
    if (big) {
      for (const change of contentChanges) {
        if ('range' in change && change.range) {
          const lines = (big.lines ??= new LineIndex(big.text));
          const start = lines.offset(change.range.start);
          const end = Math.max(start, lines.offset(change.range.end));
          big.text = big.text.slice(0, start) + change.text + big.text.slice(end);
        } else big.text = change.text;
        big.lines = null;
      }
      big.version = version;
      scheduleLarge(uri, LARGE_DEBOUNCE_MS);
      return;
    }
    const next = applyContentChanges(doc, contentChanges, version);
    if (next.text.length > LARGE_DOCUMENT) {
      // Grew past the limit (a big paste): from now on parsed off the main thread.
      large.set(uri, { text: next.text, version, lines: null, timer: null, parsing: false });
    }
    ctx.kb.upsert(next, 'open');
    ctx.diagnostics.edited(uri);
  });
  connection.onDidCloseTextDocument(async ({ textDocument }) => {
    const uri = canonicalUri(textDocument.uri);
    const big = large.get(uri);
    if (big?.timer) clearTimeout(big.timer);
    large.delete(uri);
    if (ctx.kb.origin(uri) !== 'open') return;
    ctx.kb.setOrigin(uri, 'disk');
    const outcome = await ctx.indexer.refreshFile(uri);
    if (outcome === 'ignored' && ctx.kb.origin(uri) === 'disk' && !(await ctx.indexer.exists(uri))) ctx.indexer.forget(uri);
    changed();
  });
}
