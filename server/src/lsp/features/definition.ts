/**
 * Go to definition (textDocument/definition) on an atom name, wherever it is
 * written: a definition, a `[[reference]]`, a rule operand or a
 * decision-table header. The answer is the name in every `- **Name**: value`
 * of the atom's domain (several when the atom is defined twice: the
 * duplicate-atom finding is about exactly that).
 *
 * An atom that is never defined but set by rules (`THEN Rate = 10%`, a
 * table's `THEN Rate` column) is "known" to the checker (knowledge-markdown
 * §4): then the places that set it stand in for a definition. An atom
 * neither defined nor set answers null.
 */
import type { Location } from 'vscode-languageserver/node';
import type { Feature } from '../context';
import { atomAt, definitionsOf } from './atomAt';

export const definitionFeature: Feature = {
  name: 'definition',
  capabilities: { definitionProvider: true },
  register(ctx) {
    ctx.connection.onDefinition(({ textDocument, position }): Location[] | null => {
      const at = atomAt(ctx.kb, textDocument.uri, position);
      if (!at) return null;
      const places = definitionsOf(ctx.kb, at.doc.domain, at.occurrence.key);
      return places.length === 0 ? null : places.map((o) => ({ uri: o.uri, range: ctx.kb.range(o) }));
    });
  },
};
