/**
 * Extraction: one block → its atoms, references, heuristic values and
 * molecules. A pure function of the block and its source text, so the
 * result is cached per block and survives edits elsewhere in the document.
 * All spans are relative to the block's start (see model.ts).
 */
import {
  atomName,
  spanAt,
  type AtomDefinition,
  type AtomRef,
  type AtomReference,
  type Condition,
  type Block,
  type Enforcement,
  type ExceptionMolecule,
  type ExtractedValue,
  type Molecule,
  type ParseProblem,
  type Span,
  type Value,
} from './model';
import { exact } from './lists';
import { describeRule, parseDecisionTable, parseRule, type Cell, type ParsedRule } from './rules';
import { parseValue, parseValueList } from './values';

export interface BlockKnowledge {
  /** What the extraction depends on besides the text: valid for a block with the same checksum and own offset. */
  checksum: string;
  ownOffset: number;
  definitions: AtomDefinition[];
  references: AtomReference[];
  extracted: ExtractedValue[];
  molecules: Molecule[];
  problems: ParseProblem[];
  /** Header of a decision table. */
  table?: { inputs: AtomRef[]; outputs: AtomRef[] };
  /** A paragraph that is only an enforcement tag line (`Applies with {block}`) sets the enforcement of a table right under it. */
  caption: Enforcement | null;
}

const TEXT_BLOCKS = new Set(['paragraph', 'bulleted_list_item', 'numbered_list_item', 'quote', 'callout', 'heading_1', 'heading_2', 'heading_3']);
const RULE_BLOCKS = new Set(['paragraph', 'bulleted_list_item', 'numbered_list_item']);

/**
 * How much a parse extracts. `'checks'`: what the checks and the index read, for a snapshot that is
 * checked and then dropped (an index worker's): no values read from prose (`extracted`), and a
 * normalised form only for constraints, whose messages may quote it (the others' is '').
 */
export type ExtractDetail = 'full' | 'checks';

export function extractBlock(text: string, block: Block, detail: ExtractDetail = 'full'): BlockKnowledge {
  const out: BlockKnowledge = {
    checksum: block.checksum,
    ownOffset: block.ownSpan.start - block.span.start,
    definitions: [],
    references: [],
    extracted: [],
    molecules: [],
    problems: [],
    caption: null,
  };
  if (block.type === 'table') {
    extractTable(text, block, out, detail);
    return compacted(out);
  }
  if (!TEXT_BLOCKS.has(block.type)) return compacted(out);
  const own = text.slice(block.ownSpan.start, block.ownSpan.end);
  const base = block.ownSpan.start - block.span.start;
  const definition = RULE_BLOCKS.has(block.type) ? readDefinition(own, base, block.id) : null;
  const rule = definition || !RULE_BLOCKS.has(block.type) ? null : parseRule(own, base);
  if (definition) out.definitions.push(definition);
  if (rule) addRule(rule, block, out, detail);
  if (!rule && block.type === 'paragraph') out.caption = captionTag(own);
  out.references = references(own, base, block.id, requiredSpans(out.molecules));
  if (!definition && !rule && detail === 'full') out.extracted = heuristicValues(own, base, block.id);
  return compacted(out);
}

/** A block's knowledge with its lists as long as they are (it lives as long as its snapshot). */
function compacted(out: BlockKnowledge): BlockKnowledge {
  out.definitions = exact(out.definitions);
  out.references = exact(out.references);
  out.extracted = exact(out.extracted);
  out.molecules = exact(out.molecules);
  out.problems = exact(out.problems);
  return out;
}

// --- definitions -------------------------------------------------------------

/** `**Name**: value`, `**Name:** value`, `**Name**: one of a, b, c`. */
const DEFINITION = /^\*\*([^*\n](?:[^*\n]|\*(?!\*))*?)(:?)\*\*\s*(:?)[ \t]*/;

function readDefinition(own: string, base: number, blockId: string): AtomDefinition | null {
  const m = DEFINITION.exec(own);
  if (!m || (m[2] === '') === (m[3] === '')) return null; // exactly one colon, inside or after the bold
  const [name, key] = atomName(m[1].trim());
  if (name === '') return null;
  const nameStart = base + 2 + (m[1].length - m[1].trimStart().length);
  const nameSpan = spanAt(nameStart, nameStart + name.length);
  const rawValue = own.slice(m[0].length);
  const valueText = rawValue.trimEnd();
  const valueSpan = spanAt(base + m[0].length, base + m[0].length + valueText.length);
  const span = spanAt(base, valueSpan.end);
  const oneOf = /^one of\s+/i.exec(valueText);
  if (oneOf) {
    const values = parseValueList(valueText.slice(oneOf[0].length)).map((v) => parseValue(v)).filter((v) => v.raw !== '');
    return { name, key, value: null, oneOf: values, blockId, nameSpan, valueSpan, span };
  }
  const value: Value | null = valueText === '' ? null : parseValue(valueText);
  return { name, key, value, blockId, nameSpan, valueSpan, span };
}

// --- rules ---------------------------------------------------------------------

function addRule(rule: ParsedRule, block: Block, out: BlockKnowledge, detail: ExtractDetail): void {
  if (rule.type === 'error') {
    out.problems.push({ blockId: block.id, span: rule.span, message: rule.message });
    return;
  }
  // Written out field by field, never as a spread of shared fields plus more: V8 builds a literal that
  // adds properties after a spread many times slower, and extraction makes one per rule.
  const blockId = block.id;
  const span = rule.span;
  const enforcement = ('enforcement' in rule && rule.enforcement) || 'warn';
  const explicitEnforcement = 'enforcement' in rule && rule.enforcement !== null;
  const full = detail === 'full';
  const normalized = full || rule.type === 'ConstraintMolecule' ? describeRule(rule) : '';
  const exceptionsOf = (exceptions: readonly { span: Span; condition: Condition }[]): ExceptionMolecule[] =>
    exceptions.map((e, n) => ({
      blockId,
      span: e.span,
      enforcement,
      explicitEnforcement,
      normalized: full ? describeRule({ type: 'ExceptionMolecule', condition: e.condition, enforcement: null, span: e.span }) : '',
      id: `${blockId}#unless${n}`,
      type: 'ExceptionMolecule',
      condition: e.condition,
      parentId: blockId,
    }));
  switch (rule.type) {
    case 'ConditionMolecule': {
      const exceptions = exceptionsOf(rule.exceptions);
      const exceptionIds = exceptions.map((e) => e.id);
      const { condition, results } = rule;
      out.molecules.push(
        { blockId, span, enforcement, explicitEnforcement, normalized, id: blockId, type: 'ConditionMolecule', condition, results, exceptionIds },
        ...exceptions,
      );
      return;
    }
    case 'ConstraintMolecule': {
      const comparison = rule.comparison;
      out.molecules.push(
        { blockId, span, enforcement, explicitEnforcement, normalized, id: blockId, type: 'ConstraintMolecule', comparison },
        ...exceptionsOf(rule.exceptions),
      );
      return;
    }
    case 'RequiresMolecule': {
      const { subject, required } = rule;
      out.molecules.push({ blockId, span, enforcement, explicitEnforcement, normalized, id: blockId, type: 'RequiresMolecule', subject, required });
      return;
    }
    case 'ExceptionMolecule': {
      const condition = rule.condition;
      out.molecules.push({ blockId, span, enforcement, explicitEnforcement, normalized, id: blockId, type: 'ExceptionMolecule', condition, parentId: null });
      return;
    }
  }
}

function requiredSpans(molecules: Molecule[]): Span[] {
  const spans: Span[] = [];
  for (const m of molecules) if (m.type === 'RequiresMolecule') for (const r of m.required) spans.push(r.span);
  return spans;
}

const TAG = /\{(block|warn|inform)\}\s*$/i;

function captionTag(own: string): Enforcement | null {
  const m = TAG.exec(own.trim());
  return m ? (m[1].toLowerCase() as Enforcement) : null;
}

// --- decision tables -------------------------------------------------------------

function extractTable(text: string, block: Block, out: BlockKnowledge, detail: ExtractDetail): void {
  const rows = tableCells(text, block);
  if (rows.length < 2) return;
  const [header, , ...body] = rows;
  const table = parseDecisionTable(header, body);
  if (!table.isDecisionTable) {
    out.references = rows.flatMap((row) => row.flatMap((c) => references(c.text, c.span.start, block.id, [])));
    return;
  }
  table.rows.forEach((row) => {
    const id = `${block.id}#row${row.row}`;
    out.molecules.push({
      id,
      type: 'ConditionMolecule',
      blockId: block.id,
      span: row.span,
      enforcement: row.enforcement ?? 'warn',
      explicitEnforcement: row.enforcement !== null,
      normalized:
        detail === 'full'
          ? describeRule({ type: 'ConditionMolecule', condition: row.condition, results: row.results, exceptions: [], enforcement: row.enforcement, span: row.span })
          : '',
      condition: row.condition,
      results: row.results,
      exceptionIds: [],
      table: { blockId: block.id, row: row.row },
    });
  });
  for (const p of table.problems) out.problems.push({ blockId: block.id, span: p.span, message: p.message });
  out.references = rows.flatMap((row) => row.flatMap((c) => references(c.text, c.span.start, block.id, [])));
  out.table = { inputs: table.inputs, outputs: table.outputs };
}

/**
 * Splits a GFM table's source into cells with spans relative to the block:
 * one array per line (header, delimiter, body rows), cells split on
 * unescaped `|` (GFM requires pipes inside cells to be escaped).
 */
export function tableCells(text: string, block: Block): Cell[][] {
  const rows: Cell[][] = [];
  for (let lineStart = block.span.start; lineStart < block.span.end; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > block.span.end) lineEnd = block.span.end;
    const line = text.slice(lineStart, lineEnd);
    const pipes: number[] = [];
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\\') i++;
      else if (line[i] === '|') pipes.push(i);
    }
    // Cell boundaries; a leading or trailing pipe opens or closes the row rather than an empty cell.
    const edges = [-1, ...pipes, line.length];
    if (pipes.length > 0 && line.slice(0, pipes[0]).trim() === '') edges.shift();
    if (pipes.length > 0 && line.slice(pipes[pipes.length - 1] + 1).trim() === '' && edges.length > 2) edges.pop();
    const cells: Cell[] = [];
    for (let e = 0; e + 1 < edges.length; e++) {
      const raw = line.slice(edges[e] + 1, edges[e + 1]);
      const start = lineStart + edges[e] + 1 + (raw.length - raw.trimStart().length) - block.span.start;
      const content = raw.trim();
      cells.push({ text: content, span: spanAt(start, start + content.length) });
    }
    rows.push(cells);
    lineStart = lineEnd + 1;
  }
  return rows;
}

// --- references and heuristic values ------------------------------------------------

const REFERENCE = /\[\[([^[\]\n]+?)\]\]/g;

function references(own: string, base: number, blockId: string, required: Span[]): AtomReference[] {
  const out: AtomReference[] = [];
  if (!own.includes('[[')) return out;
  for (const m of own.matchAll(REFERENCE)) {
    const inner = m[1];
    const [name, key] = atomName(inner.trim());
    if (name === '') continue;
    const start = base + m.index + 2 + (inner.length - inner.trimStart().length);
    const span = spanAt(start, start + name.length);
    const inRequires = required.some((r) => r.start <= span.start && span.end <= r.end);
    out.push({ name, key, span, bracketed: true, blockId, inRequires });
  }
  return out;
}

const HEURISTICS: { pattern: RegExp; confidence: number }[] = [
  { pattern: /(?<![\w.])-?\d+(?:\.\d+)?\s?%/g, confidence: 0.9 },
  { pattern: /(?<![\w$])(?:(?:CA|C|US)?\$\s?\d{1,3}(?:,\d{3})*(?:\.\d+)?|\$\s?\d+(?:\.\d+)?|(?:CAD|USD|EUR|GBP)\s?\d{1,3}(?:,\d{3})*(?:\.\d+)?)(?![\d,])/g, confidence: 0.85 },
  { pattern: /\b\d{4}-\d{2}-\d{2}\b/g, confidence: 0.8 },
  {
    pattern: /\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}\b/g,
    confidence: 0.75,
  },
];

const DIGIT = /\d/;

function heuristicValues(own: string, base: number, blockId: string): ExtractedValue[] {
  const out: ExtractedValue[] = [];
  // Every pattern holds a digit: most headings and much prose need no scan at all.
  if (!DIGIT.test(own)) return out;
  for (const { pattern, confidence } of HEURISTICS) {
    for (const m of own.matchAll(pattern)) {
      const value = parseValue(m[0]);
      if (value.kind === 'text') continue;
      out.push({ value, blockId, span: spanAt(base + m.index, base + m.index + m[0].length), confidence });
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
