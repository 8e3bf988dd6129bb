/**
 * Find all references (textDocument/references): every place the atom under
 * the cursor is written in its domain, across all indexed files —
 * `[[references]]`, rule operands (bracketed or bare), decision-table
 * headers, and its definitions unless the client asks without declarations.
 * Answered from the knowledge base's name index: no file is read or parsed.
 */
import type { Location } from 'vscode-languageserver/node';
import type { Feature } from '../context';
import { atomAt } from './atomAt';

export const referencesFeature: Feature = {
  name: 'references',
  capabilities: { referencesProvider: true },
  register(ctx) {
    ctx.connection.onReferences(({ textDocument, position, context }): Location[] | null => {
      const at = atomAt(ctx.kb, textDocument.uri, position);
      if (!at) return null;
      return ctx.kb
        .occurrences(at.doc.domain, at.occurrence.key)
        .filter((o) => context.includeDeclaration || o.kind !== 'definition')
        .map((o) => ({ uri: o.uri, range: ctx.kb.range(o) }));
    });
  },
};
