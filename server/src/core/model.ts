/**
 * The knowledge core's data model: plain data, no I/O, no `vscode`, no LSP
 * connection, no database driver.
 *
 * Decision: positions use the same *shape* as LSP (`{ line, character }`,
 * 0-based, UTF-16 code units) so that the edge converts them without
 * arithmetic, but the core never imports LSP types. Inside a document the
 * core works with character offsets (`Span`), which are turned into
 * positions through a `LineIndex` only when a finding leaves the core.
 */

/** Half-open range of UTF-16 offsets `[start, end)` into a document's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

// ---------------------------------------------------------------------------
// Blocks (seed §2.1)
// ---------------------------------------------------------------------------

export type BlockType =
  | 'heading_1'
  | 'heading_2'
  | 'heading_3'
  | 'paragraph'
  | 'bulleted_list_item'
  | 'numbered_list_item'
  | 'code'
  | 'quote'
  | 'callout'
  | 'table'
  | 'image'
  | 'file';

/** One run of rich text, in the Notion style the seed's `blocks.content` uses. */
export interface RichText {
  text: string;
  bold?: true;
  italic?: true;
  code?: true;
  strikethrough?: true;
  href?: string;
}

/** `blocks.content` JSONB: rich text for text blocks, a config for the rest. */
export type BlockContent =
  | { rich_text: RichText[]; checked?: boolean }
  | { rich_text: RichText[]; level: number } // headings keep their Markdown level (1–6)
  | { rich_text: RichText[]; kind: string } // callout: NOTE, TIP, IMPORTANT, WARNING, CAUTION
  | { language: string | null; text: string } // code
  | { header: string[]; rows: string[][]; align: (string | null)[] } // table (cells' source text)
  | { url: string; caption: string }; // image, file

export interface Block {
  /** UUID; stable across edits while the block's content is unchanged. */
  id: string;
  type: BlockType;
  /** Parent block id (nested list items, items inside quotes); null when the parent is the document. */
  parentId: string | null;
  /** Source span of the whole block, including list marker and children. */
  span: Span;
  /**
   * Span of the block's *own* text, excluding nested child blocks. For a
   * list item it starts after the marker (`- `, `1. `, `- [ ] `).
   */
  ownSpan: Span;
  content: BlockContent;
  /** Plain text of the block's own content (no Markdown markup). */
  text: string;
  /** SHA-256 (hex) of type + own source text: the block's identity for sync. */
  checksum: string;
  /** Position among the document's blocks (document order, 0-based). */
  order: number;
  hasChildren: boolean;
}

// ---------------------------------------------------------------------------
// Values (knowledge-markdown §2 value typing)
// ---------------------------------------------------------------------------

export type AtomType = 'TextAtom' | 'NumberAtom' | 'BooleanAtom' | 'DateAtom' | 'JSONAtom';

interface ValueBase {
  /** The source text the value was read from, trimmed. */
  readonly raw: string;
  /** Human-readable canonical form (`10%`, `$5,000`, `2026-01-01`, `yes`). */
  readonly canonical: string;
}

/** Never changed in place: the parser gives one object for all the places the same text is written. */
export type Value =
  /**
   * `unit` is `'percent'` (value 0.10 for 10%), an ISO currency code (`'USD'`,
   * `'CAD'`, `'EUR'`…), or `'$'` for a bare dollar sign (the knowledge base's
   * own dollar, comparable with any dollar currency; see values.ts).
   */
  | (ValueBase & { readonly kind: 'number'; readonly value: number; readonly unit?: string })
  /** Epoch milliseconds at 00:00 UTC of the date. */
  | (ValueBase & { readonly kind: 'date'; readonly value: number })
  | (ValueBase & { readonly kind: 'boolean'; readonly value: boolean })
  | (ValueBase & { readonly kind: 'text'; readonly value: string })
  | (ValueBase & { readonly kind: 'json'; readonly value: unknown });

// ---------------------------------------------------------------------------
// Atoms (knowledge-markdown §2)
//
// INVARIANT: every `Span` inside an atom, reference, extracted value or
// molecule is relative to the start of its block (`block.span.start`), so
// that an edit above a block never invalidates what was extracted from it.
// `DocumentSnapshot.toRange(blockId, span)` turns it into a document range.
// ---------------------------------------------------------------------------

/** A name as written in a rule or a `[[reference]]`. */
export interface AtomRef {
  /** As written (display form), without `[[ ]]`. */
  name: string;
  /** Normalised name: lower-case, whitespace collapsed, trimmed. */
  key: string;
  /** Span of the name in the document (inside the brackets when bracketed). */
  span: Span;
  bracketed: boolean;
}

/** `- **Name**: value` or `- **Name**: one of a, b, c`. */
export interface AtomDefinition {
  name: string;
  key: string;
  /** The value; null for an input declared with `one of`. */
  value: Value | null;
  /** Enumerated values of an input (`one of`). */
  oneOf?: Value[];
  blockId: string;
  nameSpan: Span;
  valueSpan: Span;
  /** The whole definition (name and value). */
  span: Span;
}

/** A `[[reference]]` found anywhere in the document. */
export interface AtomReference extends AtomRef {
  blockId: string;
  /** True when the reference stands in a REQUIRES list (those get requires-missing, not unknown-atom). */
  inRequires: boolean;
}

/** A percentage, money amount or date found in ordinary prose (source 'heuristic'). */
export interface ExtractedValue {
  value: Value;
  blockId: string;
  span: Span;
  /** Below 1. */
  confidence: number;
}

// ---------------------------------------------------------------------------
// Molecules (knowledge-markdown §3)
// ---------------------------------------------------------------------------

export type Enforcement = 'block' | 'warn' | 'inform';

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'between';

/** The right-hand side of a comparison or assignment. */
export type Operand =
  | { kind: 'value'; value: Value; span: Span }
  /** `[[Other Atom]]`, resolved to that atom's value at check time. */
  | { kind: 'ref'; ref: AtomRef; span: Span };

/**
 * `subject op operands`. `operands` has one element for the scalar
 * operators, any number for `in` / `not in`, and two for `between`
 * (inclusive bounds). A table cell of `-` or empty produces no comparison.
 */
export interface Comparison {
  kind: 'cmp';
  subject: AtomRef;
  op: ComparisonOp;
  operands: Operand[];
  span: Span;
}

export type Condition =
  | Comparison
  | { kind: 'and'; items: Condition[]; span: Span }
  | { kind: 'or'; items: Condition[]; span: Span };

/** `THEN target = value` (also `IS`). */
export interface Assignment {
  target: AtomRef;
  operand: Operand;
  span: Span;
}

interface MoleculeBase {
  /** Stable within a document snapshot: `${blockId}` or `${blockId}#row${n}` for table rows, `#unless${n}` for trailing exceptions. */
  id: string;
  blockId: string;
  /** The rule's source (a list item's own text, a paragraph, or a table row). */
  span: Span;
  enforcement: Enforcement;
  /** True when the enforcement was written on the rule (not inherited from the table or front matter). */
  explicitEnforcement: boolean;
  /** Normalised one-line form, for hovers and the seed's `configuration`. */
  normalized: string;
}

export interface ConditionMolecule extends MoleculeBase {
  type: 'ConditionMolecule';
  condition: Condition;
  results: Assignment[];
  /** Ids of the ExceptionMolecules that narrow this rule. */
  exceptionIds: string[];
  /** Set for decision-table rows. */
  table?: { blockId: string; row: number };
}

/** `[[X]] MUST BE <= 30%` — also `MUST BE BETWEEN a AND b`, `MUST BE IN (a, b)`, `MUST NOT BE v`. */
export interface ConstraintMolecule extends MoleculeBase {
  type: 'ConstraintMolecule';
  comparison: Comparison;
}

/** `UNLESS cond` / `EXCEPT WHEN cond`, nested under a rule or trailing it. */
export interface ExceptionMolecule extends MoleculeBase {
  type: 'ExceptionMolecule';
  condition: Condition;
  /** The ConditionMolecule (or ConstraintMolecule) it narrows; null for an orphan. */
  parentId: string | null;
}

/** `[[X]] REQUIRES [[A]], [[B]]`. */
export interface RequiresMolecule extends MoleculeBase {
  type: 'RequiresMolecule';
  subject: AtomRef;
  required: AtomRef[];
}

export type Molecule = ConditionMolecule | ConstraintMolecule | ExceptionMolecule | RequiresMolecule;

// ---------------------------------------------------------------------------
// Findings (knowledge-markdown §4)
// ---------------------------------------------------------------------------

export type FindingCode =
  | 'rule-conflict'
  | 'duplicate-atom'
  | 'constraint-violation'
  | 'requires-missing'
  | 'requires-cycle'
  | 'unknown-atom'
  | 'orphan-exception'
  | 'redundant-rule'
  | 'table-gap'
  | 'parse-error';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A place in the workspace: a document (by URI) and a range in it. */
export interface Location {
  uri: string;
  range: Range;
}

export interface RelatedInformation {
  location: Location;
  message: string;
}

/** A problem found by the checker: plain data, turned into LSP / text / JSON / SARIF at the edge. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  uri: string;
  range: Range;
  message: string;
  related: RelatedInformation[];
  /** Optional machine-readable extras (e.g. `{ suggestion: 'Quebec Tax Rate' }` for quick fixes). */
  data?: Record<string, unknown>;
}

/** A problem found while parsing one document, before the workspace checks (becomes a `parse-error`). */
export interface ParseProblem {
  /** The block the span is relative to; null when the span is absolute (front matter, whole file). */
  blockId: string | null;
  span: Span;
  message: string;
}

export function enforcementSeverity(level: Enforcement): Severity {
  return level === 'block' ? 'error' : level === 'warn' ? 'warning' : 'information';
}

/** Names match case-insensitively with whitespace normalised. */
export function normalizeName(name: string): string {
  // Most names are printable ASCII with single inner spaces: for those, NFC and the whitespace passes
  // change nothing (and cost four times the lowercasing).
  if (!NOT_PLAIN.test(name)) return name.toLowerCase();
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A name that `normalizeName` may change beyond its case: outside printable ASCII, or spaces to fold or trim. */
const NOT_PLAIN = /[^\x20-\x7e]|  |^ | $/;

/**
 * A name as written and its key, the same two strings each time the same
 * name is written (within a bounded table, emptied when full). A domain's
 * documents write each name many times (definition, rules, table headers,
 * references); one string for all of them is less for a worker to hold and
 * copy until the domain is checked, and the key is computed once.
 */
export function atomName(written: string): readonly [name: string, key: string] {
  let known = names.get(written);
  if (known === undefined) {
    if (names.size >= NAMES_KEPT) names.clear();
    known = [written, normalizeName(written)];
    names.set(written, known);
  }
  return known;
}

const names = new Map<string, readonly [string, string]>();
const NAMES_KEPT = 2_000;

/**
 * A span within a block: one shared object per (start, length) for the
 * small offsets most knowledge sits at. A document's knowledge holds ~700
 * spans, half of its objects; a worker holds a whole domain's until it is
 * checked, and the scavenges copy every one of them. Spans are never
 * changed in place, so sharing them is safe.
 */
export function spanAt(start: number, end: number): Span {
  const length = end - start;
  if (start < 0 || start >= SHARED_STARTS || length < 0 || length >= SHARED_LENGTHS) return { start, end };
  const i = start * SHARED_LENGTHS + length;
  return (sharedSpans[i] ??= { start, end });
}

const SHARED_STARTS = 512;
const SHARED_LENGTHS = 128;
const sharedSpans: (Span | undefined)[] = new Array(SHARED_STARTS * SHARED_LENGTHS);
