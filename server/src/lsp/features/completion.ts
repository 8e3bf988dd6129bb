/**
 * Completion (`textDocument/completion`): atom names after `[[`, and inside
 * rules whatever the grammar allows next — a name after IF / WHEN / AND /
 * OR / THEN / UNLESS and in REQUIRES lists, an operator after a name, the
 * members of a `one of` input (or a `[[reference]]`) after an operator or
 * inside `IN (`, the connectives and enforcement tags after a value.
 *
 * The line up to the cursor is read with the rule parser's own lexer
 * (`ruleTokens`) and walked by a small state machine that mirrors the
 * grammar in core/rules.ts; the rule being typed is usually not parseable
 * yet, so the snapshot's molecules cannot tell. Rules are one line in
 * practice; a rule continued on a second line gets no rule completions.
 *
 * Names come from the knowledge base's name index (`atomNames`,
 * `occurrences`) of the document's domain, summarised once per knowledge
 * base generation: a keystroke costs one pass over the index, never a walk
 * over documents. Where the spec allows a bare name (subjects, targets,
 * REQUIRES lists) names are inserted bare when they read back as the same
 * name, else as `[[Name]]`; values are always references (`[[Name]]`).
 */
import {
  CompletionItemKind,
  CompletionTriggerKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
  type Range,
} from 'vscode-languageserver/node';
import { lineIndex, type DocumentSnapshot } from '../../core/document';
import { normalizeName, type AtomDefinition, type Value } from '../../core/model';
import { atomType } from '../../graph/model';
import { isRuleKeyword, ruleTokens, type RuleToken } from '../../core/rules';
import type { Feature, ServerContext } from '../context';
import { canonicalUri } from '../indexer';
import type { KnowledgeBase } from '../knowledge';
import { isSubsequence } from './workspaceSymbols';

export const completionFeature: Feature = {
  name: 'completion',
  capabilities: { completionProvider: { triggerCharacters: ['[', ' ', '=', '{'], resolveProvider: true } },
  register(ctx: ServerContext) {
    ctx.connection.onCompletion((params) => complete(ctx, params));
    ctx.connection.onCompletionResolve((item) => resolveItem(ctx, item));
  },
};

/** What resolve needs to find the atom again. */
interface ItemData {
  domain: string;
  key: string;
}

// ---------------------------------------------------------------------------
// The domain's atoms, summarised for completion
// ---------------------------------------------------------------------------

interface AtomInfo {
  key: string;
  /** Display name (the definition's when there is one). */
  name: string;
  definition?: AtomDefinition;
  definedIn?: { uri: string; line: number };
  /** Places the name is written in the domain. */
  uses: number;
}

let atomCache: { kb: KnowledgeBase; generation: number; domain: string; atoms: AtomInfo[] } | null = null;

/** `localeCompare`'s order, without its cost per call. */
const COLLATOR = new Intl.Collator();

/** The atoms of a domain, sorted by name; recomputed only when the knowledge base changed. */
function atomsOf(kb: KnowledgeBase, domain: string): AtomInfo[] {
  if (atomCache && atomCache.kb === kb && atomCache.generation === kb.generation && atomCache.domain === domain) return atomCache.atoms;
  const atoms: AtomInfo[] = [];
  for (const [key, name] of kb.atomNames(domain)) {
    const places = kb.occurrences(domain, key);
    const at = places.find((o) => o.kind === 'definition');
    const doc = at ? kb.get(at.uri) : undefined;
    const definition = at && doc ? definitionsByBlock(doc).get(at.blockId) : undefined;
    const info: AtomInfo = { key, name, uses: places.length };
    if (at && definition) {
      info.definition = definition;
      info.definedIn = { uri: at.uri, line: kb.range(at).start.line };
    }
    atoms.push(info);
  }
  atoms.sort((a, b) => COLLATOR.compare(a.name, b.name));
  atomCache = { kb, generation: kb.generation, domain, atoms };
  return atoms;
}

const byBlock = new WeakMap<DocumentSnapshot, Map<string, AtomDefinition>>();

/** A document's definitions by block (one definition per block). */
function definitionsByBlock(doc: DocumentSnapshot): Map<string, AtomDefinition> {
  let map = byBlock.get(doc);
  if (!map) byBlock.set(doc, (map = new Map(doc.definitions.map((d) => [d.blockId, d]))));
  return map;
}


/** `NumberAtom · 10%`, `TextAtom · one of Quebec, Ontario`, `not defined`. */
export function atomDetail(a: Pick<AtomInfo, 'definition'>): string {
  const d = a.definition;
  if (!d) return 'not defined · used in rules';
  if (d.oneOf) return `${d.oneOf[0] ? atomType(d.oneOf[0]) : 'TextAtom'} · one of ${shorten(d.oneOf.map((v) => v.canonical).join(', '))}`;
  if (!d.value) return 'no value';
  return `${atomType(d.value)} · ${shorten(d.value.canonical)}`;
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

// ---------------------------------------------------------------------------
// The request
// ---------------------------------------------------------------------------

function complete(ctx: ServerContext, params: CompletionParams): CompletionList | null {
  const uri = canonicalUri(params.textDocument.uri);
  const doc = ctx.kb.get(uri);
  if (!doc) return null;
  const lines = lineIndex(doc);
  const line = params.position.line;
  const lineStart = lines.offset({ line, character: 0 });
  const offset = lines.offset(params.position);
  let lineEnd = doc.text.indexOf('\n', offset);
  if (lineEnd === -1) lineEnd = doc.text.length;
  const before = doc.text.slice(lineStart, offset);
  const after = doc.text.slice(offset, lineEnd).replace(/\r$/, '');
  const invoked = (params.context?.triggerKind ?? CompletionTriggerKind.Invoked) !== CompletionTriggerKind.TriggerCharacter;
  const c = new Collector(ctx, doc, line, before.length, excludedKey(ctx.kb, doc, offset));
  const items = reference(c, before, after) ?? tableHeader(c, before) ?? rule(c, before, after, invoked);
  return items && items.length > 0 ? capped(items, before) : null;
}

/**
 * Items at most per answer. A domain can have tens of thousands of atoms;
 * sending them all after every keystroke cost ~0.3 s (13,500 names). Past
 * this many, the answer keeps the items whose label has the characters typed
 * so far in their range (in order, any case: what an editor's own filter
 * keeps and more), the first `MAX_ITEMS` of them, and says it is incomplete,
 * so that the editor asks again as the word changes.
 */
export const MAX_ITEMS = 500;

function capped(items: CompletionItem[], before: string): CompletionList {
  if (items.length <= MAX_ITEMS) return { isIncomplete: false, items };
  const kept: CompletionItem[] = [];
  for (const item of items) {
    const range = item.textEdit && 'range' in item.textEdit ? item.textEdit.range : null;
    const typed = range ? before.slice(range.start.character).toLowerCase().replace(/[^\p{L}\p{N}]/gu, '') : '';
    if (isSubsequence(typed, (item.filterText ?? item.label).toLowerCase())) kept.push(item);
    if (kept.length > MAX_ITEMS) break;
  }
  // Incomplete even when the filter kept fewer: what it left out may match once a character is deleted.
  return { isIncomplete: true, items: kept.slice(0, MAX_ITEMS) };
}


/** The name at the cursor when it is written nowhere else (the name being typed must not offer itself). */
function excludedKey(kb: KnowledgeBase, doc: DocumentSnapshot, offset: number): string | undefined {
  const here = kb.occurrenceAt(doc.uri, offset);
  if (!here) return undefined;
  const all = kb.occurrences(doc.domain, here.key);
  return all.length === 1 ? here.key : undefined;
}

/** Builds items for one request: ranges on the cursor's line, sort order as pushed. */
class Collector {
  readonly items: CompletionItem[] = [];
  readonly atoms: AtomInfo[];

  constructor(
    readonly ctx: ServerContext,
    readonly doc: DocumentSnapshot,
    readonly line: number,
    /** The cursor's character. */
    readonly cursor: number,
    /** The name being typed (see `excludedKey`). */
    excluded: string | undefined,
  ) {
    this.atoms = atomsOf(ctx.kb, doc.domain).filter((a) => a.key !== excluded);
  }

  range(from: number, to = this.cursor): Range {
    return { start: { line: this.line, character: from }, end: { line: this.line, character: to } };
  }

  add(item: CompletionItem): void {
    this.items.push({ ...item, sortText: String(this.items.length).padStart(5, '0') });
  }

  atom(a: AtomInfo, range: Range, newText: string): void {
    const data: ItemData = { domain: this.doc.domain, key: a.key };
    this.add({ label: a.name, kind: CompletionItemKind.Variable, detail: atomDetail(a), textEdit: { range, newText }, data });
  }

  atomByKey(key: string | null): AtomInfo | undefined {
    return key === null ? undefined : this.atoms.find((a) => a.key === key) ?? atomsOf(this.ctx.kb, this.doc.domain).find((a) => a.key === key);
  }

  keyword(label: string, range: Range, prefix: string, detail: string, options: { insert?: string; snippet?: string; retrigger?: boolean; kind?: CompletionItemKind } = {}): void {
    const snippet = options.snippet !== undefined && this.ctx.client.snippets === true;
    const text = snippet ? options.snippet! : (options.insert ?? `${label} `);
    this.add({
      label,
      kind: options.kind ?? CompletionItemKind.Keyword,
      detail,
      textEdit: { range, newText: prefix + text },
      ...(snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
      // VS Code: keep suggesting after a keyword that is followed by a name or a value.
      ...(options.retrigger ? { command: { title: 'Suggest', command: 'editor.action.triggerSuggest' } } : {}),
    });
  }
}

// ---------------------------------------------------------------------------
// `[[` references
// ---------------------------------------------------------------------------

/** After an unclosed `[[` on the line: every atom of the domain, closing the brackets unless they are there. */
function reference(c: Collector, before: string, after: string): CompletionItem[] | null {
  const open = before.lastIndexOf('[[');
  if (open === -1 || before.includes(']]', open)) return null;
  const typed = before.slice(open + 2);
  if (/[[\]]/.test(typed)) return null;
  const from = open + 2 + (typed.length - typed.trimStart().length);
  // `[[Na|me]]` or an editor's auto-closed `[[|]]`: replace up to the closing brackets, add none.
  const closing = /^[^[\]\n=<>!(){},]*\]\]/.exec(after);
  const to = closing ? c.cursor + closing[0].length - 2 : c.cursor;
  const range = c.range(from, to);
  for (const a of c.atoms) c.atom(a, range, closing ? a.name : `${a.name}]]`);
  return c.items;
}

// ---------------------------------------------------------------------------
// Decision-table headers
// ---------------------------------------------------------------------------

/** In a table row's cell that starts with IF / WHEN / THEN: a name (the header of a decision table). */
function tableHeader(c: Collector, before: string): CompletionItem[] | null {
  if (!before.trimStart().startsWith('|')) return null;
  const cellStart = before.lastIndexOf('|') + 1;
  const m = /^\s*(?:IF|WHEN|THEN)\s+/.exec(before.slice(cellStart));
  if (!m) return [];
  const range = c.range(cellStart + m[0].length);
  for (const a of c.atoms) c.atom(a, range, a.name);
  return c.items;
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

type Form = 'condition' | 'exception' | 'constraint' | 'requires' | null;
type Phase = 'start' | 'except' | 'subject' | 'operator' | 'must' | 'mustBe' | 'is' | 'not' | 'listOpen' | 'list' | 'value' | 'required' | 'done';

/** Where the walk over a rule's tokens stands. */
interface Walk {
  form: Form;
  phase: Phase;
  /** The clause: before the keyword that makes the rule (`lead`), a condition, the THEN part, a constraint. */
  part: 'lead' | 'condition' | 'then' | 'constraint';
  thenSeen: boolean;
  inUnless: boolean;
  depth: number;
  /** The name being written (subject, target, REQUIRES item): its first word's start, -1 when none yet. */
  nameFrom: number;
  nameEnd: number;
  /** The last complete subject or target (normalised), for its values. */
  subject: string | null;
  /** Inside BETWEEN, before its AND. */
  between: boolean;
  hasValue: boolean;
  inParens: boolean;
  /** IN list values, or REQUIRES names, written so far (normalised). */
  listed: string[];
  item: string;
  /** In a REQUIRES list: a `[[name]]` was just written (a separator comes next). */
  refDone: boolean;
}

/** A line's list marker, quote markers and task box: the rule starts after them. */
const LINE_PREFIX = /^[ \t]*(?:>[ \t]*)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)?/;

function rule(c: Collector, before: string, after: string, invoked: boolean): CompletionItem[] | null {
  const ruleStart = LINE_PREFIX.exec(before)![0].length;
  const tokens = ruleTokens(before, ruleStart);
  const last = tokens[tokens.length - 1];
  const partial = last && last.end === before.length && last.kind === 'word' ? tokens.pop()! : null;
  const w = walk(before, tokens);
  const from = partial ? partial.start : c.cursor;
  const range = c.range(from);
  // After `=` or `]]` typed right before the cursor, insert with a space.
  const lead = !partial && before.length > ruleStart && !/[\s(]$/.test(before) ? ' ' : '';

  // A single `[` is the start of `[[`: wait for the second one.
  if (partial?.text.startsWith('[')) return null;
  if (partial?.text.startsWith('{')) {
    if (w.form === null) return null;
    const closing = after.startsWith('}') ? 1 : 0;
    tags(c, c.range(partial.start, c.cursor + closing), '');
    return c.items;
  }

  switch (w.phase) {
    case 'start': {
      // A line that does not start with a keyword is prose, unless it is becoming `Name MUST BE` / `Name REQUIRES`.
      if (!partial && !invoked) return null;
      for (const k of ['IF', 'WHEN', 'UNLESS', 'EXCEPT WHEN']) c.keyword(k, range, '', STARTERS[k], { retrigger: true });
      leadNames(c, partial ? partial.start : c.cursor, before);
      return c.items;
    }
    case 'subject': {
      const nameFrom = w.nameFrom >= 0 ? w.nameFrom : from;
      if (w.part === 'lead') {
        const matched = leadNames(c, nameFrom, before);
        const written = w.nameFrom >= 0 ? normalizeName(before.slice(w.nameFrom, w.nameEnd)) : '';
        if (w.nameFrom >= 0 && (invoked || matched || c.atoms.some((a) => a.key === written))) leadOperators(c, range);
        return c.items;
      }
      for (const a of c.atoms) c.atom(a, c.range(nameFrom), bare(a.name));
      if (w.nameFrom >= 0) operators(c, w.part, range);
      return c.items;
    }
    case 'operator':
      if (w.part === 'lead') leadOperators(c, range, lead);
      else operators(c, w.part, range, lead);
      return c.items;
    case 'must':
      c.keyword('BE', range, lead, 'MUST BE: a constraint', { retrigger: true });
      c.keyword('NOT BE', range, lead, 'MUST NOT BE: a constraint', { retrigger: true });
      return c.items;
    case 'mustBe':
    case 'is':
    case 'not':
      values(c, w.subject, range, lead);
      if (w.phase !== 'not') {
        for (const op of w.phase === 'mustBe' ? ['<=', '<', '>=', '>', '=', '!='] : []) c.keyword(op, range, lead, OPERATORS[op], { kind: CompletionItemKind.Operator, retrigger: true });
        c.keyword('NOT', range, lead, 'negates the comparison', { retrigger: true });
        c.keyword('BETWEEN … AND …', range, lead, 'inclusive range', { snippet: 'BETWEEN ${1:low} AND ${2:high}', insert: 'BETWEEN ' });
      }
      c.keyword('IN (…)', range, lead, 'one of a list of values', { snippet: 'IN (${1})', insert: 'IN (', retrigger: true });
      return c.items;
    case 'list': {
      const listed = new Set(w.listed);
      const sep = !partial && !/[\s(]$/.test(before) ? ' ' : '';
      for (const v of c.atomByKey(w.subject)?.definition?.oneOf ?? []) {
        if (!listed.has(normalizeName(v.raw))) c.add({ label: v.raw, kind: CompletionItemKind.EnumMember, detail: `one of ${c.atomByKey(w.subject)!.name}`, textEdit: { range, newText: sep + v.raw } });
      }
      return c.items;
    }
    case 'value':
      if (!w.hasValue) {
        values(c, w.subject, range, lead);
        return c.items;
      }
      connectives(c, w, range, lead);
      return c.items;
    case 'required': {
      const listed = new Set(w.listed);
      if (!w.refDone) {
        const nameFrom = w.nameFrom >= 0 ? w.nameFrom : from;
        for (const a of c.atoms) if (!listed.has(a.key)) c.atom(a, c.range(nameFrom), (nameFrom === c.cursor ? lead : '') + bare(a.name));
      }
      if ((w.refDone || w.nameFrom >= 0) && !partial) {
        c.keyword('AND', range, lead, 'requires this too', { retrigger: true });
        tags(c, range, lead);
      }
      return c.items;
    }
    default:
      return null;
  }
}

/** Walks a rule's complete tokens through the grammar; see core/rules.ts for the grammar itself. */
function walk(src: string, tokens: readonly RuleToken[]): Walk {
  const w: Walk = {
    form: null,
    phase: 'start',
    part: 'lead',
    thenSeen: false,
    inUnless: false,
    depth: 0,
    nameFrom: -1,
    nameEnd: -1,
    subject: null,
    between: false,
    hasValue: false,
    inParens: false,
    listed: [],
    item: '',
    refDone: false,
  };
  for (const t of tokens) {
    // A step that does not consume its token hands it to the next phase.
    for (let n = 0; n < 3 && !step(w, t, src); n++);
    if (w.phase === 'done') break;
  }
  return w;
}

function step(w: Walk, t: RuleToken, src: string): boolean {
  const kw = isRuleKeyword(t) ? t.text : null;
  const word = t.kind === 'word' && kw === null;
  const valueToken = word || t.kind === 'string' || t.kind === 'ref';
  const toValue = (between = false) => {
    w.phase = 'value';
    w.hasValue = false;
    w.between = between;
  };
  const toSubject = () => {
    w.phase = 'subject';
    w.nameFrom = -1;
  };
  const done = () => {
    w.phase = 'done';
    return true;
  };
  switch (w.phase) {
    case 'start':
      if (kw === 'IF' || kw === 'WHEN') {
        w.form = 'condition';
        w.part = 'condition';
        toSubject();
        return true;
      }
      if (kw === 'UNLESS' || kw === 'EXCEPT') {
        w.form = 'exception';
        w.part = 'condition';
        w.inUnless = true;
        if (kw === 'UNLESS') toSubject();
        else w.phase = 'except';
        return true;
      }
      if (word || t.kind === 'ref') {
        toSubject();
        return false;
      }
      return done();
    case 'except':
      if (kw !== 'WHEN') return done();
      toSubject();
      return true;
    case 'subject':
      if (word) {
        if (w.nameFrom < 0) w.nameFrom = t.start;
        w.nameEnd = t.end;
        return true;
      }
      if (t.kind === 'ref' && w.nameFrom < 0) {
        w.subject = normalizeName(t.text);
        w.phase = 'operator';
        return true;
      }
      if (t.kind === 'lparen' && w.nameFrom < 0 && w.part === 'condition') {
        w.depth++;
        return true;
      }
      if (w.nameFrom < 0) return done();
      w.subject = normalizeName(src.slice(w.nameFrom, w.nameEnd));
      w.nameFrom = -1;
      w.phase = 'operator';
      return false;
    case 'operator':
      if (w.part === 'lead') {
        if (kw === 'MUST') {
          w.form = 'constraint';
          w.part = 'constraint';
          w.phase = 'must';
          return true;
        }
        if (kw === 'REQUIRES') {
          w.form = 'requires';
          w.phase = 'required';
          w.listed = w.subject === null ? [] : [w.subject];
          w.nameFrom = -1;
          return true;
        }
        return done();
      }
      if (w.part === 'then') {
        if ((t.kind === 'op' && t.text === '=') || kw === 'IS') toValue();
        else return done();
        return true;
      }
      if (t.kind === 'op') toValue();
      else if (kw === 'IS') w.phase = 'is';
      else if (kw === 'NOT') w.phase = 'not';
      else if (kw === 'IN') w.phase = 'listOpen';
      else if (kw === 'BETWEEN') toValue(true);
      else return done();
      return true;
    case 'must':
      if (kw === 'NOT') return true;
      if (kw !== 'BE') return done();
      w.phase = 'mustBe';
      return true;
    case 'mustBe':
    case 'is':
    case 'not':
      if (t.kind === 'op' && w.phase === 'mustBe') toValue();
      else if (kw === 'NOT' && w.phase !== 'not') w.phase = 'not';
      else if (kw === 'IN') w.phase = 'listOpen';
      else if (kw === 'BETWEEN' && w.phase !== 'not') toValue(true);
      else {
        toValue();
        return false;
      }
      return true;
    case 'listOpen':
      w.phase = 'list';
      w.listed = [];
      w.item = '';
      w.inParens = t.kind === 'lparen';
      return w.inParens;
    case 'list':
      if (valueToken) {
        w.item += (w.item ? ' ' : '') + (t.kind === 'ref' ? t.text : src.slice(t.start, t.end));
        return true;
      }
      if (w.item) w.listed.push(normalizeName(w.item));
      w.item = '';
      if (t.kind === 'comma') return true;
      w.phase = 'value';
      w.hasValue = true;
      w.between = false;
      return t.kind === 'rparen' && w.inParens;
    case 'value':
      if (valueToken) {
        w.hasValue = true;
        return true;
      }
      if (!w.hasValue) return done();
      if (kw === 'AND' && w.between) toValue();
      else if (kw === 'AND' && (w.part === 'condition' || w.part === 'then')) toSubject();
      else if (kw === 'OR' && w.part === 'condition') toSubject();
      else if (kw === 'THEN' && w.form === 'condition' && !w.thenSeen && !w.inUnless && w.depth === 0) {
        w.thenSeen = true;
        w.part = 'then';
        toSubject();
      } else if ((kw === 'UNLESS' || kw === 'EXCEPT') && allowsUnless(w)) {
        w.inUnless = true;
        w.part = 'condition';
        if (kw === 'UNLESS') toSubject();
        else w.phase = 'except';
      } else if (t.kind === 'rparen' && w.depth > 0) w.depth--;
      else return done();
      return true;
    case 'required':
      if (word && !w.refDone) {
        if (w.nameFrom < 0) w.nameFrom = t.start;
        w.nameEnd = t.end;
        return true;
      }
      if (t.kind === 'ref' && w.nameFrom < 0 && !w.refDone) {
        w.listed.push(normalizeName(t.text));
        w.refDone = true;
        return true;
      }
      if (t.kind === 'comma' || kw === 'AND') {
        if (w.nameFrom >= 0) w.listed.push(normalizeName(src.slice(w.nameFrom, w.nameEnd)));
        w.nameFrom = -1;
        w.refDone = false;
        return true;
      }
      return done();
    case 'done':
      return true;
  }
}

/** A trailing UNLESS / EXCEPT WHEN: after a condition rule's THEN part, or a constraint. */
function allowsUnless(w: Walk): boolean {
  return (w.form === 'condition' && w.thenSeen) || w.form === 'constraint';
}

const STARTERS: Record<string, string> = {
  IF: 'a condition rule: IF … THEN …',
  WHEN: 'a condition rule: WHEN … THEN …',
  UNLESS: 'an exception to the rule above',
  'EXCEPT WHEN': 'an exception to the rule above',
};

const OPERATORS: Record<string, string> = {
  '=': 'equals',
  '!=': 'differs from',
  '<': 'less than',
  '<=': 'at most',
  '>': 'more than',
  '>=': 'at least',
};

/** Names a line may start with (`Name MUST BE …`, `Name REQUIRES …`), matching what is typed. True when some matched. */
function leadNames(c: Collector, from: number, before: string): boolean {
  const typed = normalizeName(before.slice(from));
  let matched = false;
  for (const a of c.atoms) {
    if (!a.key.startsWith(typed)) continue;
    matched = true;
    c.atom(a, c.range(from), bare(a.name));
  }
  return matched;
}

function leadOperators(c: Collector, range: Range, lead = ''): void {
  c.keyword('MUST BE', range, lead, 'a constraint on this atom', { retrigger: true });
  c.keyword('MUST NOT BE', range, lead, 'a constraint on this atom', { retrigger: true });
  c.keyword('REQUIRES', range, lead, 'what this needs', { retrigger: true });
}

/** The operators after a subject (a condition) or a target (THEN part: `=` and IS only). */
function operators(c: Collector, part: Walk['part'], range: Range, lead = ''): void {
  const symbols = part === 'then' ? ['='] : ['=', '!=', '<', '<=', '>', '>='];
  for (const op of symbols) c.keyword(op, range, lead, OPERATORS[op], { kind: CompletionItemKind.Operator, retrigger: true });
  c.keyword('IS', range, lead, 'equals', { retrigger: true });
  if (part === 'then') return;
  c.keyword('IS NOT', range, lead, 'differs from', { retrigger: true });
  c.keyword('IN (…)', range, lead, 'one of a list of values', { snippet: 'IN (${1})', insert: 'IN (', retrigger: true });
  c.keyword('NOT IN (…)', range, lead, 'none of a list of values', { snippet: 'NOT IN (${1})', insert: 'NOT IN (', retrigger: true });
  c.keyword('BETWEEN … AND …', range, lead, 'inclusive range', { snippet: 'BETWEEN ${1:low} AND ${2:high}', insert: 'BETWEEN ' });
}

/** A value for `subject`: its `one of` members first, then references to atoms that have a value. */
function values(c: Collector, subject: string | null, range: Range, lead: string): void {
  const input = c.atomByKey(subject);
  for (const v of input?.definition?.oneOf ?? []) {
    c.add({ label: v.raw, kind: CompletionItemKind.EnumMember, detail: `one of ${input!.name}`, textEdit: { range, newText: lead + v.raw } });
  }
  if (input?.definition?.value?.kind === 'boolean') {
    for (const v of ['yes', 'no']) c.add({ label: v, kind: CompletionItemKind.Value, detail: 'BooleanAtom', textEdit: { range, newText: lead + v } });
  }
  for (const a of c.atoms) {
    if (a.key === subject || !a.definition?.value) continue;
    c.atom(a, range, `${lead}[[${a.name}]]`);
  }
}

/** What may follow a complete value. */
function connectives(c: Collector, w: Walk, range: Range, lead: string): void {
  if (w.between) {
    c.keyword('AND', range, lead, 'the upper bound of BETWEEN', { retrigger: true });
    return;
  }
  if (w.form === 'condition' && !w.thenSeen && !w.inUnless && w.depth === 0) c.keyword('THEN', range, lead, 'what the rule sets', { retrigger: true });
  if (w.part === 'condition') {
    c.keyword('AND', range, lead, 'both conditions', { retrigger: true });
    c.keyword('OR', range, lead, 'either condition', { retrigger: true });
  } else if (w.part === 'then') c.keyword('AND', range, lead, 'sets another atom too', { retrigger: true });
  if (allowsUnless(w)) {
    c.keyword('UNLESS', range, lead, 'an exception to this rule', { retrigger: true });
    c.keyword('EXCEPT WHEN', range, lead, 'an exception to this rule', { retrigger: true });
  }
  // A condition rule is complete after its THEN part; exceptions and constraints after their condition.
  if ((w.form === 'condition' && w.thenSeen) || w.form === 'exception' || w.form === 'constraint') tags(c, range, lead);
}

const TAGS: Record<string, string> = { block: 'error: the rule must hold', warn: 'warning (the default)', inform: 'information only' };

function tags(c: Collector, range: Range, lead: string): void {
  for (const [tag, detail] of Object.entries(TAGS)) {
    c.add({ label: `{${tag}}`, kind: CompletionItemKind.Keyword, detail: `enforcement: ${detail}`, textEdit: { range, newText: `${lead}{${tag}}` } });
  }
}

/** The name as a rule may write it bare, or `[[Name]]` when bare it would read differently. */
export function bare(name: string): string {
  const tokens = ruleTokens(name);
  const readsBack =
    tokens.length > 0 &&
    tokens.every((t) => t.kind === 'word' && !isRuleKeyword(t) && t.text === name.slice(t.start, t.end)) &&
    tokens.map((t) => t.text).join(' ') === name.trim().replace(/\s+/g, ' ');
  return readsBack ? name : `[[${name}]]`;
}

// ---------------------------------------------------------------------------
// completionItem/resolve
// ---------------------------------------------------------------------------

/** Adds where an atom is defined and how often it is used. */
function resolveItem(ctx: ServerContext, item: CompletionItem): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data || typeof data.key !== 'string' || typeof data.domain !== 'string') return item;
  const atom = atomsOf(ctx.kb, data.domain).find((a) => a.key === data.key);
  if (!atom) return item;
  const lines: string[] = [];
  const d = atom.definition;
  if (d) {
    const value = d.oneOf ? `one of ${d.oneOf.map((v) => v.canonical).join(', ')}` : (d.value?.canonical ?? '');
    lines.push(ctx.client.markdown ? `**${atom.name}**: ${value}` : `${atom.name}: ${value}`);
  }
  const where = atom.definedIn ? `defined in ${placeName(atom.definedIn.uri)}:${atom.definedIn.line + 1}` : `not defined in domain '${data.domain}'`;
  lines.push(`${where} · written ${atom.uses} time${atom.uses === 1 ? '' : 's'}`);
  const value = lines.join('\n\n');
  return { ...item, documentation: ctx.client.markdown ? { kind: MarkupKind.Markdown, value } : value };
}

/** The last two path segments of a URI (`tax/rates.md`), like the checker's messages. */
function placeName(uri: string): string {
  let path = uri;
  try {
    path = decodeURIComponent(uri);
  } catch {
    // Keep the URI as written.
  }
  return path.split('/').slice(-2).join('/');
}
