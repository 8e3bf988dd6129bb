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

export function registerDocuments(ctx: ServerContext, connection: Connection): void {
  const changed = () => ctx.diagnostics.schedule();
  connection.onDidOpenTextDocument(({ textDocument }) => {
    const uri = canonicalUri(textDocument.uri);
    // Parsed here even when the disk text was indexed: snapshots from worker threads cannot be edited incrementally.
    const snapshot = parseDocument(uri, textDocument.text, textDocument.version);
    ctx.kb.upsert(snapshot, 'open');
    changed();
  });
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const uri = canonicalUri(textDocument.uri);
    const doc = ctx.kb.get(uri);
    if (!doc || ctx.kb.origin(uri) !== 'open') {
      ctx.log(`change for a document that is not open: ${uri}`);
      return;
    }
    ctx.kb.upsert(applyContentChanges(doc, contentChanges, textDocument.version ?? doc.version + 1), 'open');
    changed();
  });
  connection.onDidCloseTextDocument(async ({ textDocument }) => {
    const uri = canonicalUri(textDocument.uri);
    if (ctx.kb.origin(uri) !== 'open') return;
    ctx.kb.setOrigin(uri, 'disk');
    const outcome = await ctx.indexer.refreshFile(uri);
    if (outcome === 'ignored' && ctx.kb.origin(uri) === 'disk' && !(await ctx.indexer.exists(uri))) ctx.indexer.forget(uri);
    changed();
  });
}
