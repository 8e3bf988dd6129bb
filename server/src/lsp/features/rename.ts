/**
 * Rename an atom across the workspace (textDocument/prepareRename and
 * textDocument/rename). Every place the atom's name is written in its
 * domain changes: definitions (`**Name**`), `[[references]]`, rule
 * operands and decision-table headers, in every indexed file. Documents
 * open in the editor get versioned edits (`documentChanges`) so an edit
 * computed against an older buffer is rejected by the client instead of
 * landing in the wrong place.
 *
 * A rename is refused, with a message saying why, when:
 * - the cursor is not on an atom name;
 * - the atom also occurs in a colleague's document (origin `team`), which
 *   is read-only here: renaming only our half would split the atom;
 * - the new name is already another atom of the domain (renaming would
 *   silently merge two atoms); a change of case or spacing of the same
 *   atom is fine;
 * - the new name cannot be written back as a name: empty, several lines,
 *   `[`/`]` (they delimit references), `*` (definitions are bold), `|`
 *   (table columns), a trailing `:` (the definition's colon).
 *
 * A name written bare in a rule stays bare (`IF Jurisdiction = …` →
 * `IF Province = …`) unless the new name cannot stand bare (it contains a
 * keyword such as `AND`, an operator, a comma…): then it is written
 * `[[New Name]]` there, which reads the same.
 */
import {
  LSPErrorCodes,
  ResponseError,
  TextDocumentEdit,
  TextEdit,
  type Position,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { blockById, parseDocument } from '../../core/document';
import { normalizeName } from '../../core/model';
import { parseRule } from '../../core/rules';
import type { Feature } from '../context';
import type { KnowledgeBase, Occurrence } from '../knowledge';
import { atomAt, definitionsOf, placeName, type AtomAt } from './atomAt';

export const renameFeature: Feature = {
  name: 'rename',
  capabilities: { renameProvider: { prepareProvider: true } },
  register(ctx) {
    ctx.connection.onPrepareRename(({ textDocument, position }) => {
      const at = renameTarget(ctx.kb, textDocument.uri, position);
      return { range: at.range, placeholder: at.occurrence.name };
    });
    ctx.connection.onRenameRequest(({ textDocument, position, newName }): WorkspaceEdit => {
      const plan = planRename(ctx.kb, textDocument.uri, position, newName);
      return toWorkspaceEdit(plan, ctx.client.documentChanges ?? false);
    });
  },
};

/** The edits of one document; `version` is set for documents open in the editor. */
export interface DocumentRename {
  uri: string;
  version: number | null;
  edits: TextEdit[];
}

export interface RenamePlan {
  /** The atom's name before (its definition's spelling when it has one) and after. */
  from: string;
  to: string;
  documents: DocumentRename[];
}

/** The atom under the cursor, if it may be renamed; otherwise a ResponseError saying why. */
export function renameTarget(kb: KnowledgeBase, uri: string, position: Position): AtomAt {
  const at = atomAt(kb, uri, position);
  if (!at) {
    throw refuse(
      'There is no atom name here: put the cursor on a name in a definition (**Name**: value), a [[reference]], a rule or a decision-table header.',
    );
  }
  const { key } = at.occurrence;
  const readOnly = kb.occurrences(at.doc.domain, key).find((o) => kb.origin(o.uri) === 'team');
  if (readOnly) {
    throw refuse(
      `${quoted(displayName(kb, at.doc.domain, key))} is also used in ${placeName(readOnly.uri, kb.range(readOnly))}, a colleague's document that is read-only here, so it cannot be renamed from this workspace.`,
    );
  }
  return at;
}

/** What renaming the atom at `position` to `newName` changes, or a ResponseError saying why it may not. */
export function planRename(kb: KnowledgeBase, uri: string, position: Position, newName: string): RenamePlan {
  const at = renameTarget(kb, uri, position);
  const { domain } = at.doc;
  const { key } = at.occurrence;
  const from = displayName(kb, domain, key);
  const to = checkName(newName);
  const newKey = normalizeName(to);
  if (newKey !== key && kb.atomNames(domain).has(newKey)) {
    const existing = definitionsOf(kb, domain, newKey)[0] ?? kb.occurrences(domain, newKey)[0];
    const where = existing ? `${existing.kind === 'definition' ? 'defined' : 'used'} in ${placeName(existing.uri, kb.range(existing))}` : `known in domain ${quoted(domain)}`;
    throw refuse(
      `${quoted(displayName(kb, domain, newKey))} is already an atom of domain ${quoted(domain)}, ${where}: renaming ${quoted(from)} to it would merge the two atoms. Choose another name (or, if they are meant to be one atom, change the places by hand).`,
    );
  }
  const bare = canStandBare(to);
  const byUri = new Map<string, DocumentRename>();
  for (const o of kb.occurrences(domain, key)) {
    let entry = byUri.get(o.uri);
    if (!entry) {
      const version = kb.origin(o.uri) === 'open' ? (kb.get(o.uri)?.version ?? null) : null;
      byUri.set(o.uri, (entry = { uri: o.uri, version, edits: [] }));
    }
    const written = !bare && isBare(kb, o) ? `[[${to}]]` : to;
    entry.edits.push(TextEdit.replace(kb.range(o), written));
  }
  return { from, to, documents: [...byUri.values()] };
}

/** A plan as LSP's WorkspaceEdit: versioned `documentChanges` when the client takes them, else `changes`. */
export function toWorkspaceEdit(plan: RenamePlan, documentChanges: boolean): WorkspaceEdit {
  if (documentChanges) {
    return { documentChanges: plan.documents.map((d) => TextDocumentEdit.create({ uri: d.uri, version: d.version }, d.edits)) };
  }
  return { changes: Object.fromEntries(plan.documents.map((d) => [d.uri, d.edits])) };
}

/** The new name, trimmed, if it can be written everywhere an atom name is; otherwise a ResponseError. */
export function checkName(newName: string): string {
  const name = newName.trim();
  if (name === '') throw refuse('The new name is empty.');
  if (/[\r\n]/.test(name)) throw refuse('An atom name must fit on one line.');
  if (/[[\]]/.test(name)) throw refuse(`An atom name cannot contain '[' or ']': they mark [[references]].`);
  if (name.includes('*')) throw refuse(`An atom name cannot contain '*': a definition writes the name in bold (**Name**: value).`);
  if (name.includes('|')) throw refuse(`An atom name cannot contain '|': it separates the columns of decision tables.`);
  if (name.endsWith(':')) throw refuse(`An atom name cannot end with ':': it would read as the colon of its definition (**Name**: value).`);
  if (!readsBack(name)) throw refuse(`${quoted(name)} cannot be written as an atom name: it would not read back as one.`);
  return name;
}

/**
 * Whether the name, written in a definition, a reference, a REQUIRES list
 * and a decision-table header, is read back as that name (a last guard
 * behind the character rules above; one small parse).
 */
function readsBack(name: string): boolean {
  const key = normalizeName(name);
  const doc = parseDocument('untitled:rename-check', `- **${name}**: 1\n- [[${name}]] MUST BE 1\n- Check REQUIRES [[${name}]]\n\n| IF [[${name}]] | THEN Check |\n| --- | --- |\n| 1 | 2 |\n`);
  const table = doc.tables[0];
  return (
    doc.definitions.length === 1 &&
    doc.definitions[0].key === key &&
    doc.molecules.some((m) => m.type === 'ConstraintMolecule' && m.comparison.subject.key === key) &&
    doc.molecules.some((m) => m.type === 'RequiresMolecule' && m.required.length === 1 && m.required[0].key === key) &&
    table !== undefined &&
    table.inputs[0]?.key === key
  );
}

/**
 * Whether the name can be written without `[[ ]]` in a rule: it parses as
 * a bare subject covering all of it (no keyword, operator, comma, quote or
 * tag inside). Decision-table headers use the same grammar.
 */
export function canStandBare(name: string): boolean {
  const rule = parseRule(`${name} MUST BE 1`, 0);
  if (rule?.type !== 'ConstraintMolecule') return false;
  const { subject } = rule.comparison;
  return !subject.bracketed && subject.span.start === 0 && subject.span.end === name.length && subject.key === normalizeName(name);
}

/** Whether a rule operand or table header is written without `[[ ]]` (definitions and references never are). */
function isBare(kb: KnowledgeBase, o: Occurrence): boolean {
  if (o.kind !== 'operand' && o.kind !== 'table-header') return false;
  const doc = kb.get(o.uri);
  const start = doc ? blockById(doc, o.blockId)?.span.start : undefined;
  if (!doc || start === undefined) return false;
  const at = start + o.span.start;
  return !/\[\[[ \t]*$/.test(doc.text.slice(Math.max(0, at - 64), at));
}

function displayName(kb: KnowledgeBase, domain: string, key: string): string {
  return kb.atomNames(domain).get(key) ?? key;
}

/** `'Name'` for a message, shortened so a very long name does not flood it. */
function quoted(name: string): string {
  return `'${name.length > 60 ? `${name.slice(0, 59)}…` : name}'`;
}

function refuse(message: string): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}
