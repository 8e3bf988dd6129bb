/**
 * Quick fixes (`textDocument/codeAction`) for the findings that have an
 * obvious next step:
 *
 * - `unknown-atom`, `requires-missing`: "Define <name>" adds a definition
 *   line `- **Name**: ` where the document keeps its definitions (a
 *   "Definitions"-like section, else after its last definition, else at the
 *   end); "Change to <name>" when the checker found a likely typo
 *   (`data.suggestion`). The same correction for a `constraint-violation`
 *   whose value is a near miss of a `one of` member.
 * - `rule-conflict`, `redundant-rule`: "Open the conflicting rule" / "Open
 *   the covering rule", the client's `knowledge.showLocations` command with
 *   `(uri, position, locations)` — the shape of VS Code's
 *   `editor.action.showReferences`, the same the code lenses use.
 *
 * Everything is read from the diagnostics the client sends back (with the
 * `data` the server put on them) and the current snapshot; nothing is
 * re-checked.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type Location,
  type TextEdit,
} from 'vscode-languageserver/node';
import { COMMANDS } from '../../../../shared/src/protocol';
import { lineIndex, toRange, type DocumentSnapshot } from '../../core/document';
import { normalizeName, type Block } from '../../core/model';
import type { Feature, ServerContext } from '../context';
import { DIAGNOSTIC_SOURCE } from '../diagnostics';
import { canonicalUri } from '../indexer';
import type { KnowledgeBase } from '../knowledge';

export const codeActionsFeature: Feature = {
  name: 'codeActions',
  capabilities: { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } },
  register(ctx: ServerContext) {
    ctx.connection.onCodeAction((params) => codeActions(ctx.kb, params));
  },
};

export function codeActions(kb: KnowledgeBase, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((kind) => CodeActionKind.QuickFix === kind || CodeActionKind.QuickFix.startsWith(`${kind}.`))) return [];
  const doc = kb.get(canonicalUri(params.textDocument.uri));
  if (!doc) return [];
  const uri = params.textDocument.uri;
  const actions: CodeAction[] = [];
  const defined = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== undefined && diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const data = (diagnostic.data ?? {}) as { name?: unknown; suggestion?: unknown; otherUri?: unknown; otherRuleId?: unknown };
    const suggestion = typeof data.suggestion === 'string' ? data.suggestion : undefined;
    switch (diagnostic.code) {
      case 'unknown-atom':
      case 'requires-missing': {
        const name = typeof data.name === 'string' ? data.name : textAt(doc, diagnostic);
        if (suggestion) actions.push(change(uri, diagnostic, suggestion, true));
        if (name && !defined.has(normalizeName(name))) {
          defined.add(normalizeName(name));
          actions.push({
            title: `Define ${name}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: !suggestion,
            edit: { changes: { [uri]: [definitionEdit(doc, name)] } },
          });
        }
        break;
      }
      case 'constraint-violation':
        if (suggestion) actions.push(change(uri, diagnostic, suggestion, true));
        break;
      case 'rule-conflict':
      case 'redundant-rule': {
        const locations = otherRules(kb, diagnostic, data);
        if (locations.length === 0) break;
        const what = diagnostic.code === 'rule-conflict' ? 'conflicting' : 'covering';
        const title = `Open the ${what} rule${locations.length > 1 ? 's' : ''} (${locations.map(describe).join(', ')})`;
        actions.push({
          title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title, command: COMMANDS.showLocations, arguments: [uri, diagnostic.range.start, locations] },
        });
        break;
      }
    }
  }
  return actions;
}

function change(uri: string, diagnostic: Diagnostic, to: string, preferred: boolean): CodeAction {
  return {
    title: `Change to ${to}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: preferred,
    edit: { changes: { [uri]: [{ range: diagnostic.range, newText: to }] } },
  };
}

function textAt(doc: DocumentSnapshot, d: Diagnostic): string {
  const lines = lineIndex(doc);
  return doc.text.slice(lines.offset(d.range.start), lines.offset(d.range.end)).trim();
}

/**
 * Where the other rule is, from the snapshot when the finding says which
 * (`data.otherUri` / `otherRuleId`: current positions), else from the
 * diagnostic's related information.
 */
function otherRules(kb: KnowledgeBase, d: Diagnostic, data: { otherUri?: unknown; otherRuleId?: unknown }): Location[] {
  const related = (d.relatedInformation ?? []).map((r) => r.location);
  if (typeof data.otherUri !== 'string' || typeof data.otherRuleId !== 'string') return related;
  const other = kb.get(data.otherUri);
  const rule = other?.molecules.find((m) => m.id === data.otherRuleId);
  if (!other || !rule) return related;
  const first: Location = { uri: data.otherUri, range: toRange(other, rule.blockId, rule.span) };
  // A redundant rule may be covered by several; the first comes from the snapshot, the others as reported.
  return [first, ...related.filter((l) => l.uri !== first.uri || l.range.start.line !== first.range.start.line)];
}

function describe(l: Location): string {
  let path = l.uri;
  try {
    path = decodeURIComponent(l.uri);
  } catch {
    // Keep it as written.
  }
  return `${path.slice(path.lastIndexOf('/') + 1)}:${l.range.start.line + 1}`;
}

// ---------------------------------------------------------------------------
// Where a new definition goes
// ---------------------------------------------------------------------------

/** Headings of sections that hold definitions. */
const DEFINITIONS_HEADING = /\b(definitions?|glossary|terms|atoms|inputs|values|parameters|constants|variables)\b/i;

/**
 * The edit that adds `- **Name**: ` to the document: at the end of its
 * definitions section, else after its last definition, else at its end.
 */
export function definitionEdit(doc: DocumentSnapshot, name: string): TextEdit {
  const lines = lineIndex(doc);
  const at = (offset: number, newText: string): TextEdit => {
    const p = lines.position(offset);
    return { range: { start: p, end: p }, newText };
  };
  const line = `**${name}**: `;
  const definitionBlocks = new Set(doc.definitions.map((d) => d.blockId));

  const section = definitionsSection(doc);
  if (section) {
    const items = section.blocks.filter((b) => b.type === 'bulleted_list_item' || b.type === 'numbered_list_item');
    const anchor = [...items].reverse().find((b) => definitionBlocks.has(b.id)) ?? items[items.length - 1];
    if (anchor) return at(anchor.span.end, `\n${listPrefix(doc, anchor)}${line}`);
    return at(section.heading.span.end, `\n\n- ${line}\n`);
  }

  const last = [...doc.definitions].reverse().map((d) => doc.blocks.find((b) => b.id === d.blockId)).find((b) => b !== undefined);
  if (last?.type === 'bulleted_list_item' || last?.type === 'numbered_list_item') return at(last.span.end, `\n${listPrefix(doc, last)}${line}`);
  if (last) return at(last.span.end, `\n\n${line}`);

  const text = doc.text;
  const gap = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return at(text.length, `${gap}- ${line}\n`);
}

/** The first section whose heading reads like "Definitions", with its top-level blocks. */
function definitionsSection(doc: DocumentSnapshot): { heading: Block; blocks: Block[] } | null {
  const blocks = doc.blocks;
  for (let i = 0; i < blocks.length; i++) {
    const heading = blocks[i];
    if (!isHeading(heading) || !DEFINITIONS_HEADING.test(heading.text)) continue;
    const level = headingLevel(heading);
    const inside: Block[] = [];
    for (let j = i + 1; j < blocks.length; j++) {
      const b = blocks[j];
      if (isHeading(b) && headingLevel(b) <= level) break;
      if (b.parentId === null) inside.push(b);
    }
    return { heading, blocks: inside };
  }
  return null;
}

function isHeading(b: Block): boolean {
  return b.type === 'heading_1' || b.type === 'heading_2' || b.type === 'heading_3';
}

function headingLevel(b: Block): number {
  return 'level' in b.content ? b.content.level : Number(b.type.slice(-1));
}

/** What starts a new item after `item`: its indentation and marker (the next number for an ordered list). */
function listPrefix(doc: DocumentSnapshot, item: Block): string {
  const lineStart = doc.text.lastIndexOf('\n', item.span.start - 1) + 1;
  const indent = doc.text.slice(lineStart, item.span.start);
  const marker = /^([-*+]|(\d{1,9})([.)]))/.exec(doc.text.slice(item.span.start, item.ownSpan.start));
  if (!marker) return `${indent}- `;
  const bullet = marker[2] === undefined ? marker[1] : `${Number(marker[2]) + 1}${marker[3]}`;
  return `${indent}${bullet} `;
}
