/**
 * Semantic highlighting (`textDocument/semanticTokens/full` and `/delta`):
 * what the knowledge core understood, painted over the Markdown grammar.
 * Rule keywords, comparison operators, enforcement tags, atom names (their
 * definitions marked `declaration`), values by type, and the members of
 * `one of` lists.
 *
 * Everything comes from the snapshot the core already built — occurrences of
 * names, molecules' operands with their spans, definitions' value spans —
 * plus the rule parser's own lexer over each rule's source for keywords,
 * operators and tags. Nothing is parsed twice and nothing is guessed from
 * text the core did not read as knowledge (prose stays plain Markdown).
 *
 * Two things depend on other documents of the domain: whether an atom is
 * only defined in colleagues' (read-only, synced) documents, and whether a
 * rule's value belongs to a `one of` input. So the per-document part is
 * cached per snapshot, and the encoded answer per snapshot and knowledge
 * base generation.
 */
import type { SemanticTokens, SemanticTokensDelta, SemanticTokensEdit, SemanticTokensLegend } from 'vscode-languageserver/node';
import { blockById, lineIndex, type DocumentSnapshot } from '../../core/document';
import type { Condition, Molecule, Operand, Value } from '../../core/model';
import { isRuleKeyword, ruleTokens } from '../../core/rules';
import type { Feature, ServerContext } from '../context';
import { canonicalUri } from '../indexer';
import { occurrencesOf, type KnowledgeBase } from '../knowledge';

export const TOKEN_TYPES = ['keyword', 'variable', 'operator', 'number', 'string', 'enumMember', 'decorator'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE = Object.fromEntries(TOKEN_TYPES.map((t, i) => [t, i])) as Record<TokenType, number>;
const DECLARATION = 1 << TOKEN_MODIFIERS.indexOf('declaration');
const READONLY = 1 << TOKEN_MODIFIERS.indexOf('readonly');

/** A token in document offsets, before encoding. */
interface Raw {
  start: number;
  end: number;
  type: number;
  modifiers: number;
  /** variable: the atom's key (readonly is decided per request). */
  atom?: string;
  /** A text value compared with / assigned to this atom: an enumMember when the atom is a `one of` input. */
  subject?: string;
}

export const semanticTokensFeature: Feature = {
  name: 'semanticTokens',
  capabilities: { semanticTokensProvider: { legend: LEGEND, full: { delta: true }, range: false } },
  register(ctx: ServerContext) {
    const last = new LastResults();
    ctx.connection.languages.semanticTokens.on(({ textDocument }) => {
      const doc = ctx.kb.get(canonicalUri(textDocument.uri));
      if (!doc) return { data: [] };
      return last.full(textDocument.uri, encodedTokens(ctx.kb, doc));
    });
    ctx.connection.languages.semanticTokens.onDelta(({ textDocument, previousResultId }) => {
      const doc = ctx.kb.get(canonicalUri(textDocument.uri));
      if (!doc) return { data: [] };
      return last.delta(textDocument.uri, previousResultId, encodedTokens(ctx.kb, doc));
    });
  },
};

/**
 * The last answer per document, for deltas. Bounded: an editor asks again
 * for the few visible documents; anything older just gets a full answer.
 */
class LastResults {
  private readonly results = new Map<string, { id: string; data: number[] }>();
  private counter = 0;

  full(uri: string, data: number[]): SemanticTokens {
    return { resultId: this.remember(uri, data), data };
  }

  delta(uri: string, previousId: string, data: number[]): SemanticTokens | SemanticTokensDelta {
    const previous = this.results.get(uri);
    if (!previous || previous.id !== previousId) return this.full(uri, data);
    return { resultId: this.remember(uri, data), edits: diff(previous.data, data) };
  }

  private remember(uri: string, data: number[]): string {
    const id = String(++this.counter);
    this.results.delete(uri);
    this.results.set(uri, { id, data });
    if (this.results.size > 64) this.results.delete(this.results.keys().next().value!);
    return id;
  }
}

/** One edit replacing what lies between the common prefix and the common suffix (an edit mostly touches a few tokens). */
export function diff(previous: readonly number[], next: readonly number[]): SemanticTokensEdit[] {
  let start = 0;
  const shorter = Math.min(previous.length, next.length);
  while (start < shorter && previous[start] === next[start]) start++;
  let endPrevious = previous.length;
  let endNext = next.length;
  while (endPrevious > start && endNext > start && previous[endPrevious - 1] === next[endNext - 1]) {
    endPrevious--;
    endNext--;
  }
  if (endPrevious === start && endNext === start) return [];
  return [{ start, deleteCount: endPrevious - start, data: next.slice(start, endNext) }];
}

const encodedCache = new WeakMap<DocumentSnapshot, { generation: number; data: number[] }>();

/** The document's tokens, LSP-encoded (relative lines and characters). */
export function encodedTokens(kb: KnowledgeBase, doc: DocumentSnapshot): number[] {
  const hit = encodedCache.get(doc);
  if (hit && hit.generation === kb.generation) return hit.data;
  const data = encode(doc, resolveTokens(kb, doc, documentTokens(doc)));
  encodedCache.set(doc, { generation: kb.generation, data });
  return data;
}

/** Applies what depends on the rest of the domain: read-only atoms and `one of` members. */
function resolveTokens(kb: KnowledgeBase, doc: DocumentSnapshot, tokens: readonly Raw[]): Raw[] {
  const team = kb.origin(doc.uri) === 'team';
  const readonly = new Map<string, boolean>();
  const enumerated = new Map<string, boolean>();
  const definitionsOf = (key: string) => {
    const out: { origin: string | undefined; oneOf: boolean }[] = [];
    for (const o of kb.occurrences(doc.domain, key)) {
      if (o.kind !== 'definition') continue;
      const def = kb.get(o.uri)?.definitions.find((d) => d.blockId === o.blockId && d.key === key);
      out.push({ origin: kb.origin(o.uri), oneOf: def?.oneOf !== undefined });
    }
    return out;
  };
  return tokens.map((t) => {
    if (t.atom !== undefined) {
      let ro = readonly.get(t.atom);
      if (ro === undefined) {
        const defs = definitionsOf(t.atom);
        ro = team || (defs.length > 0 && defs.every((d) => d.origin === 'team'));
        readonly.set(t.atom, ro);
      }
      return ro ? { ...t, modifiers: t.modifiers | READONLY } : t;
    }
    if (t.subject !== undefined) {
      let isEnum = enumerated.get(t.subject);
      if (isEnum === undefined) {
        isEnum = definitionsOf(t.subject).some((d) => d.oneOf);
        enumerated.set(t.subject, isEnum);
      }
      return isEnum ? { ...t, type: TYPE.enumMember } : t;
    }
    return t;
  });
}

const documentCache = new WeakMap<DocumentSnapshot, Raw[]>();

/** What one document says on its own: sorted, non-overlapping tokens in document offsets. */
export function documentTokens(doc: DocumentSnapshot): Raw[] {
  const cached = documentCache.get(doc);
  if (cached) return cached;
  const out: Raw[] = [];
  const base = (blockId: string) => blockById(doc, blockId)?.span.start;
  const push = (start: number, end: number, type: number, extra: Partial<Raw> = {}) => {
    if (end > start) out.push({ start, end, type, modifiers: 0, ...extra });
  };

  for (const o of occurrencesOf(doc)) {
    const at = base(o.blockId);
    if (at === undefined) continue;
    push(at + o.span.start, at + o.span.end, TYPE.variable, { atom: o.key, modifiers: o.kind === 'definition' ? DECLARATION : 0 });
  }

  for (const def of doc.definitions) {
    const at = base(def.blockId);
    if (at === undefined || def.valueSpan.end <= def.valueSpan.start) continue;
    const start = at + def.valueSpan.start;
    const text = doc.text.slice(start, at + def.valueSpan.end);
    if (def.oneOf) {
      const lead = /^one of\s+/i.exec(text);
      if (!lead) continue;
      push(start, start + lead[0].trimEnd().length, TYPE.keyword);
      let from = lead[0].length;
      for (const v of def.oneOf) {
        const i = text.indexOf(v.raw, from);
        if (i === -1) continue;
        push(start + i, start + i + v.raw.length, TYPE.enumMember);
        from = i + v.raw.length;
      }
    } else if (def.value && def.value.kind !== 'json') {
      push(start, start + text.length, valueType(def.value));
    }
  }

  const scanned = new Set<string>();
  for (const m of doc.molecules) {
    const at = base(m.blockId);
    if (at === undefined) continue;
    // Keywords, operators and tags, from the parser's lexer (trailing UNLESS clauses lie inside their rule's span).
    const region = `${m.blockId}:${m.span.start}`;
    const trailing = m.type === 'ExceptionMolecule' && m.id.includes('#unless');
    if (!trailing && !scanned.has(region)) {
      scanned.add(region);
      for (const tok of ruleTokens(doc.text, at + m.span.start, at + m.span.end)) {
        if (tok.kind === 'op') push(tok.start, tok.end, TYPE.operator);
        else if (tok.kind === 'tag') push(tok.start, tok.end, TYPE.decorator);
        else if (isRuleKeyword(tok)) push(tok.start, tok.end, TYPE.keyword);
      }
    }
    forEachValue(m, (operand, subject) => push(at + operand.span.start, at + operand.span.end, valueType(operand.value), operand.value.kind === 'text' ? { subject } : {}));
  }

  for (const t of doc.tables) {
    const block = blockById(doc, t.blockId);
    if (!block) continue;
    const lineEnd = doc.text.indexOf('\n', block.span.start);
    const header = doc.text.slice(block.span.start, lineEnd === -1 || lineEnd > block.span.end ? block.span.end : lineEnd);
    for (const m of header.matchAll(/(^|\|)\s*(IF|WHEN|THEN)(?=\s)/g)) {
      const start = block.span.start + m.index + m[0].length - m[2].length;
      push(start, start + m[2].length, TYPE.keyword);
    }
  }

  const tokens = withoutOverlaps(out);
  documentCache.set(doc, tokens);
  return tokens;
}

/** Every literal value of a molecule (not `[[references]]`), with the atom it is compared with or assigned to. */
function forEachValue(m: Molecule, visit: (operand: Extract<Operand, { kind: 'value' }>, subject: string) => void): void {
  const operand = (o: Operand, subject: string) => {
    if (o.kind === 'value') visit(o, subject);
  };
  const condition = (c: Condition): void => {
    if (c.kind === 'cmp') c.operands.forEach((o) => operand(o, c.subject.key));
    else c.items.forEach(condition);
  };
  switch (m.type) {
    case 'ConditionMolecule':
      condition(m.condition);
      for (const r of m.results) operand(r.operand, r.target.key);
      break;
    case 'ConstraintMolecule':
      condition(m.comparison);
      break;
    case 'ExceptionMolecule':
      condition(m.condition);
      break;
    case 'RequiresMolecule':
      break;
  }
}

/** Numbers, money, percentages and dates read as numbers; yes/no as the two members they are; the rest as strings. */
function valueType(value: Value): number {
  switch (value.kind) {
    case 'number':
    case 'date':
      return TYPE.number;
    case 'boolean':
      return TYPE.enumMember;
    case 'text':
    case 'json':
      return TYPE.string;
  }
}

/** Sorted by start; a token overlapping an earlier one is dropped (names and values come first by construction). */
function withoutOverlaps(tokens: Raw[]): Raw[] {
  const sorted = tokens.map((t, i) => ({ t, i })).sort((a, b) => a.t.start - b.t.start || a.i - b.i);
  const out: Raw[] = [];
  let end = -1;
  for (const { t } of sorted) {
    if (t.start < end) continue;
    out.push(t);
    end = t.end;
  }
  return out;
}

/** LSP's relative encoding; a token that spans lines becomes one token per line. */
function encode(doc: DocumentSnapshot, tokens: readonly Raw[]): number[] {
  const lines = lineIndex(doc);
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  const emit = (line: number, char: number, length: number, t: Raw) => {
    if (length <= 0) return;
    data.push(line - prevLine, line === prevLine ? char - prevChar : char, length, t.type, t.modifiers);
    prevLine = line;
    prevChar = char;
  };
  for (const t of tokens) {
    const from = lines.position(t.start);
    const to = lines.position(t.end);
    if (from.line === to.line) {
      emit(from.line, from.character, to.character - from.character, t);
      continue;
    }
    for (let line = from.line; line <= to.line; line++) {
      const lineStart = lines.offset({ line, character: 0 });
      let lineEnd = doc.text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = doc.text.length;
      if (lineEnd > lineStart && doc.text[lineEnd - 1] === '\r') lineEnd--;
      let char = line === from.line ? from.character : 0;
      const end = line === to.line ? to.character : lineEnd - lineStart;
      // The indentation of a continuation line is not part of the token.
      if (line !== from.line) while (char < end && /\s/.test(doc.text[lineStart + char])) char++;
      emit(line, char, end - char, t);
    }
  }
  return data;
}
