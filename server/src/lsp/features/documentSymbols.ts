/**
 * The outline of a knowledge file (textDocument/documentSymbol), as a tree:
 * headings are namespaces holding their section (a `##` inside the `#`
 * above it); inside, in document order, the atoms defined there (Constant
 * for a value, Variable for an input without one, the value as detail),
 * the rules (their source as the name, the normalised form as detail,
 * their UNLESS exceptions nested under them) and the decision tables (with
 * one child per row). Built from the snapshot alone: no other document is
 * looked at.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { lineIndex, type DocumentSnapshot } from '../../core/document';
import type { AtomDefinition, Block, Span } from '../../core/model';
import type { Feature } from '../context';
import { canonicalUri } from '../indexer';

export const documentSymbolsFeature: Feature = {
  name: 'documentSymbols',
  capabilities: { documentSymbolProvider: { label: 'Knowledge' } },
  register(ctx) {
    ctx.connection.onDocumentSymbol(({ textDocument }) => {
      const doc = ctx.kb.get(canonicalUri(textDocument.uri));
      return doc ? documentSymbols(doc) : null;
    });
  },
};

/** Names longer than this are cut (a rule can be a paragraph long). */
const MAX_NAME = 80;

interface Section {
  level: number;
  symbol: DocumentSymbol;
  /** Offset where the section ends so far (its last block's end). */
  end: number;
}

export function documentSymbols(doc: DocumentSnapshot): DocumentSymbol[] {
  const lines = lineIndex(doc);
  const range = (start: number, end: number) => ({ start: lines.position(start), end: lines.position(end) });
  /** A block-relative span in document coordinates. */
  const inBlock = (block: Block, span: Span) => range(block.span.start + span.start, block.span.start + span.end);

  const definitions = groupBy(doc.definitions, (d) => d.blockId);
  const molecules = groupBy(doc.molecules, (m) => m.blockId);
  const tables = new Map(doc.tables.map((t) => [t.blockId, t]));
  const rules = new Map<string, DocumentSymbol>();

  const roots: DocumentSymbol[] = [];
  const open: Section[] = [];
  const container = () => open[open.length - 1]?.symbol.children ?? roots;
  const closeSection = (section: Section) => {
    section.symbol.range.end = lines.position(section.end);
  };

  for (const block of doc.blocks) {
    if (isHeading(block)) {
      const level = 'level' in block.content ? block.content.level : Number(block.type.slice(-1));
      while (open.length > 0 && open[open.length - 1].level >= level) closeSection(open.pop()!);
      const symbol: DocumentSymbol = {
        name: shorten(block.text) || '(untitled heading)',
        kind: SymbolKind.Namespace,
        range: range(block.span.start, block.span.end),
        selectionRange: range(block.ownSpan.start, block.ownSpan.end),
        children: [],
      };
      container().push(symbol);
      open.push({ level, symbol, end: block.span.end });
      continue;
    }
    for (const section of open) section.end = Math.max(section.end, block.span.end);

    for (const d of definitions.get(block.id) ?? []) {
      container().push({
        name: d.name,
        detail: valueDetail(d),
        kind: d.value === null ? SymbolKind.Variable : SymbolKind.Constant,
        range: range(block.span.start, block.span.end),
        selectionRange: inBlock(block, d.nameSpan),
      });
    }

    const table = tables.get(block.id);
    const tableSymbol: DocumentSymbol | undefined = table && {
      name: shorten(`Decision table: ${table.inputs.map((r) => r.name).join(', ')} → ${table.outputs.map((r) => r.name).join(', ')}`),
      kind: SymbolKind.Struct,
      range: range(block.span.start, block.span.end),
      selectionRange: inBlock(block, firstLine(doc, block)),
      children: [],
    };
    if (tableSymbol) {
      container().push(tableSymbol);
      tableSymbol.detail = plural(molecules.get(block.id)?.length ?? 0, 'row');
    }

    for (const m of molecules.get(block.id) ?? []) {
      const symbol: DocumentSymbol = {
        name: shorten(doc.text.slice(block.span.start + m.span.start, block.span.start + m.span.end)) || m.normalized,
        detail: m.normalized,
        kind: m.type === 'ExceptionMolecule' ? SymbolKind.Event : SymbolKind.Function,
        // A rule written as its own list item spans the item with its nested exceptions; a table row or trailing UNLESS, its own text.
        range: m.id === block.id ? range(block.span.start, block.span.end) : inBlock(block, m.span),
        selectionRange: inBlock(block, m.span),
      };
      rules.set(m.id, symbol);
      const parent = tableSymbol ?? (m.type === 'ExceptionMolecule' && m.parentId ? rules.get(m.parentId) : undefined);
      if (parent) (parent.children ??= []).push(symbol);
      else container().push(symbol);
    }
  }
  while (open.length > 0) closeSection(open.pop()!);
  return roots;
}

function isHeading(block: Block): boolean {
  return block.type === 'heading_1' || block.type === 'heading_2' || block.type === 'heading_3';
}

function valueDetail(d: AtomDefinition): string | undefined {
  if (d.oneOf) return shorten(`one of ${d.oneOf.map((v) => v.canonical).join(', ')}`);
  if (d.value === null) return undefined;
  return d.value.kind === 'json' ? 'JSON' : shorten(d.value.canonical);
}

/** The block's first line, block-relative (a table's header row). */
function firstLine(doc: DocumentSnapshot, block: Block): Span {
  const newline = doc.text.indexOf('\n', block.span.start);
  const end = newline === -1 || newline > block.span.end ? block.span.end : newline;
  return { start: 0, end: end - block.span.start };
}

/** One line, at most MAX_NAME characters. */
function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_NAME ? `${line.slice(0, MAX_NAME - 1)}…` : line;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
