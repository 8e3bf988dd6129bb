import { blockById, toRange, type DocumentSnapshot } from '../document';
import type { Finding } from '../model';

/**
 * `parse-error` for what a document could not parse (a line starting with a
 * rule keyword, a bad table cell, broken front matter). Severity is
 * warning — a rule being typed is not yet a broken build — unless the line
 * carries `{block}` or the document's front matter says `enforcement: block`.
 */
export function parseErrors(doc: DocumentSnapshot): Finding[] {
  return doc.problems.map((p) => {
    const block = p.blockId === null ? undefined : blockById(doc, p.blockId);
    const own = block ? doc.text.slice(block.ownSpan.start, block.ownSpan.end) : '';
    const blocking = doc.enforcement === 'block' || /\{block\}\s*$/i.test(own);
    return {
      code: 'parse-error',
      severity: blocking ? 'error' : 'warning',
      uri: doc.uri,
      range: toRange(doc, p.blockId, p.span),
      message: p.message,
      related: [],
    };
  });
}
