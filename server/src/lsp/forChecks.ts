/**
 * What an index worker keeps of a snapshot until its domain is checked: all
 * the checks read, without what they never do, and with equal parts shared.
 *
 * - Of a block only its id and span, from which a finding's range is made
 *   (`toRange`), and the own span of a block with a parse problem, where
 *   `parseErrors` looks for `{block}`; no heuristic values. Of a 500-file
 *   domain's snapshots, blocks' content, plain text and checksums were
 *   ~17%, their other fields and own spans ~10% more.
 * - A rule's normalised form only for constraints (whose messages quote
 *   it when their comparison cannot be described).
 * - Its text deflated, when the worker deflated it anyway (for the
 *   server): inflated when first read, which only a range in a document
 *   with a finding needs (~2.3 of a 500-file domain's ~20 MiB otherwise).
 * - One object for equal block-relative spans, for equal value operands and
 *   for the lists of one shared operand, and one empty list of exception
 *   ids: spans are small numbers relative to their block, so a domain's
 *   ~64,000 span objects hold a few thousand values, and its value operands
 *   (a value, at a place in a rule's line) repeat as much.
 *
 * A worker holds a whole domain's snapshots while it parses the domain, and
 * each object of them is copied twice by the young generation's collector
 * before it settles: what it keeps is most of what its collections cost, and
 * bounds how far its heap grows. The snapshot is the worker's own (parsed
 * there, never edited), so it is changed in place; nothing the checks read
 * tells shared parts apart (they compare them by value, never by identity).
 */
import type { DocumentSnapshot } from '../core/document';
import { textOf } from './storedText';
import type { AtomRef, Block, Comparison, Condition, Molecule, Operand, Span, Value } from '../core/model';

/** What the checks read of a block. */
type CheckedBlock = Pick<Block, 'id' | 'span'> & Partial<Pick<Block, 'ownSpan'>>;

/** Spans interned while both ends are below this (block-relative spans are; a document's are mostly not). */
const SPAN_LIMIT = 1 << 16;
/** Beyond this many objects kept, the tables start afresh (the snapshots keep what they share). */
const KEPT = 50_000;

const NO_IDS: string[] = [];

export class CheckSnapshots {
  private spans = new Map<number, Span>();
  private operands = new Map<Value, Map<Span, Operand>>();
  private lists = new Map<Operand, Operand[]>();
  /** Objects in the tables. */
  private kept = 0;

  /** `limit`: how many objects the tables keep before they start afresh. */
  constructor(private readonly limit = KEPT) {}

  /** `doc` (changed in place) as the checks need it; its text read from `deflated` (`deflateText`) when given. */
  keep(doc: DocumentSnapshot, deflated?: Uint8Array): DocumentSnapshot {
    if (this.kept > this.limit) this.forget();
    const problems = new Set(doc.problems.map((p) => p.blockId));
    const blocks = doc.blocks.map((b): CheckedBlock => (problems.has(b.id) ? { id: b.id, span: b.span, ownSpan: b.ownSpan } : { id: b.id, span: b.span }));
    for (const d of doc.definitions) {
      d.nameSpan = this.span(d.nameSpan);
      d.valueSpan = this.span(d.valueSpan);
      d.span = this.span(d.span);
    }
    for (const r of doc.references) r.span = this.span(r.span);
    for (const t of doc.tables) for (const ref of [...t.inputs, ...t.outputs]) this.ref(ref);
    for (const p of doc.problems) p.span = this.span(p.span);
    for (const m of doc.molecules) this.molecule(m);
    const snapshot = { ...doc, blocks: blocks as Block[], extracted: [] };
    if (deflated) {
      // One byte a character: a string the size of the deflated text, kept in the heap (no buffer of its own).
      const bytes = Buffer.from(deflated.buffer, deflated.byteOffset, deflated.byteLength).toString('latin1');
      let text: string | null = null;
      Object.defineProperty(snapshot, 'text', { get: () => (text ??= textOf(Buffer.from(bytes, 'latin1'))), enumerable: true });
    }
    return snapshot;
  }

  /** Lets go of the shared objects (the snapshots that hold them keep them): once a domain is checked. */
  forget(): void {
    this.spans = new Map();
    this.operands = new Map();
    this.lists = new Map();
    this.kept = 0;
  }

  private molecule(m: Molecule): void {
    m.span = this.span(m.span);
    switch (m.type) {
      case 'ConditionMolecule':
        m.normalized = '';
        this.condition(m.condition);
        for (const r of m.results) {
          r.span = this.span(r.span);
          this.ref(r.target);
          r.operand = this.operand(r.operand);
        }
        if (m.exceptionIds.length === 0) m.exceptionIds = NO_IDS;
        return;
      case 'ExceptionMolecule':
        m.normalized = '';
        return this.condition(m.condition);
      case 'ConstraintMolecule':
        return this.comparison(m.comparison);
      case 'RequiresMolecule':
        m.normalized = '';
        this.ref(m.subject);
        for (const r of m.required) this.ref(r);
    }
  }

  private condition(c: Condition): void {
    if (c.kind === 'cmp') return this.comparison(c);
    c.span = this.span(c.span);
    for (const item of c.items) this.condition(item);
  }

  private comparison(c: Comparison): void {
    c.span = this.span(c.span);
    this.ref(c.subject);
    if (c.operands.length === 1) {
      const only = this.operand(c.operands[0]);
      let list = this.lists.get(only);
      if (!list) {
        this.lists.set(only, (list = [only]));
        this.kept++;
      }
      c.operands = list;
    } else c.operands = c.operands.map((o) => this.operand(o));
  }

  private operand(o: Operand): Operand {
    const span = this.span(o.span);
    if (o.kind === 'ref') {
      this.ref(o.ref);
      o.span = span;
      return o;
    }
    let bySpan = this.operands.get(o.value);
    if (!bySpan) this.operands.set(o.value, (bySpan = new Map()));
    const known = bySpan.get(span);
    if (known) return known;
    o.span = span;
    bySpan.set(span, o);
    this.kept++;
    return o;
  }

  private ref(r: AtomRef): void {
    r.span = this.span(r.span);
  }

  private span(s: Span): Span {
    if (s.start >= SPAN_LIMIT || s.end >= SPAN_LIMIT || s.start < 0 || s.end < 0) return s;
    const key = s.start * SPAN_LIMIT + s.end;
    const known = this.spans.get(key);
    if (known) return known;
    this.spans.set(key, s);
    this.kept++;
    return s;
  }
}
