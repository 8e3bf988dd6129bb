/**
 * The atom name under the cursor: the one question definition, references,
 * rename (and later hover, impact) all start from. An atom name is written
 * in four ways (a definition's bold name, a `[[reference]]`, a rule operand,
 * a decision-table header); the knowledge base records each place, so this
 * is a lookup, not a parse. Also here: where an atom is defined (go to
 * definition, rename's messages) and how a place reads in a message.
 */
import type { Position, Range } from 'vscode-languageserver/node';
import type { DocumentSnapshot } from '../../core/document';
import { canonicalUri } from '../indexer';
import { offsetAt, type KnowledgeBase, type Occurrence } from '../knowledge';

export interface AtomAt {
  /** The document as the knowledge base has it (its `uri` is the canonical one). */
  doc: DocumentSnapshot;
  occurrence: Occurrence;
  /** The name's range in the document. */
  range: Range;
}

/** The atom occurrence at `position` of the document `uri` (as the client spells it), if any. */
export function atomAt(kb: KnowledgeBase, uri: string, position: Position): AtomAt | undefined {
  const canonical = canonicalUri(uri);
  const doc = kb.get(canonical);
  if (!doc) return undefined;
  const occurrence = kb.occurrenceAt(canonical, offsetAt(doc, position));
  return occurrence ? { doc, occurrence, range: kb.range(occurrence) } : undefined;
}

/** The definitions of an atom; when it has none, the places that set it. */
export function definitionsOf(kb: KnowledgeBase, domain: string, key: string): Occurrence[] {
  const all = kb.occurrences(domain, key);
  const definitions = all.filter((o) => o.kind === 'definition');
  return definitions.length > 0 ? definitions : all.filter((o) => setsAtom(kb, o));
}

/** Whether the occurrence is a rule's THEN target or a decision table's THEN column. */
function setsAtom(kb: KnowledgeBase, o: Occurrence): boolean {
  const doc = kb.get(o.uri);
  if (!doc) return false;
  const same = (span: { start: number }) => span.start === o.span.start;
  if (o.kind === 'table-header') return doc.tables.some((t) => t.blockId === o.blockId && t.outputs.some((r) => same(r.span)));
  if (o.kind !== 'operand') return false;
  const molecule = doc.molecules.find((m) => m.id === o.moleculeId);
  return molecule?.type === 'ConditionMolecule' && !molecule.table && molecule.results.some((r) => same(r.target.span));
}

/** `tax/rates.md:3` — how a place reads in a message (like the checker's messages). */
export function placeName(uri: string, range: Range): string {
  return `${shortPath(uri)}:${range.start.line + 1}`;
}

/** The last two path segments of a URI (`tax/rates.md`), decoded. */
export function shortPath(uri: string): string {
  let path = uri;
  try {
    path = decodeURIComponent(uri);
  } catch {
    // Keep the URI as it is.
  }
  return path.split('/').slice(-2).join('/');
}
