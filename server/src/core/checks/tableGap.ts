/**
 * `table-gap` (knowledge-markdown §4): input combinations of a decision
 * table that no row covers.
 *
 * Each input is cut into cells: the `one of` values of an enumerated input,
 * yes / no for a boolean one, and for numbers and dates the stretches
 * between (and the points at) every bound the rows use. Each cell lies
 * wholly inside or outside every row's set, so a combination of cells is
 * covered iff some row overlaps each of its cells. A depth-first walk over
 * the inputs, keeping the rows still alive, finds the uncovered
 * combinations; when no row is left it reports the whole subtree as one gap
 * (`Jurisdiction = Alberta`, whatever the other inputs), and it merges the
 * uncovered cells of one input under the same prefix into one gap.
 *
 * A table with a text input that has no `one of` list is not enumerable and
 * gets no table-gap. Coverage uses the rows' conditions only (not their
 * exceptions), restricted to the header inputs.
 */
import type { Finding, Value } from '../model';
import { finding, type DomainView, type TableEntry } from './context';
import {
  conditionToRegion,
  copyBox,
  describeBox,
  partitionLine,
  setsOverlap,
  unionSets,
  valueToSet,
  type Box,
  type Interval,
  type NumericSet,
  type ValueSet,
} from './region';

/** Nodes the walk may visit per table before it stops (and says so). */
export const MAX_COMBINATIONS = 10_000;
const LISTED = 5;

/** A cell of one input; undefined is the single "any value" cell of an input no row constrains. */
type Cell = ValueSet | undefined;

export function checkTableGaps(view: DomainView): Finding[] {
  // Position-free, so memoised whole while the tables (headers and rows) are the same.
  const gaps = view.memo(
    'whole:table-gaps',
    [view.answers.generation, view.tables],
    () => view.tables.map((table) => describedGaps(view, table)),
    () => {
      const structure: unknown[] = [view.answers.generation];
      for (const t of view.tables) structure.push(t.uri, t.blockId, t.inputs, t.outputs, t.rows.length, ...t.rows);
      return structure;
    },
  );
  const findings: Finding[] = [];
  view.tables.forEach((table, i) => {
    const found = gaps[i];
    if (found) findings.push(report(view, table, found));
  });
  return findings;
}

interface Gaps {
  boxes: Box[];
  capped: boolean;
}

/** What a table's finding says (position-free): its message and the described gaps. */
interface DescribedGaps {
  message: string;
  gaps: string[];
  capped: boolean;
}

/** The table's gaps, described; memoised while its header, its rows and the definitions of their names are unchanged. */
function describedGaps(view: DomainView, table: TableEntry): DescribedGaps | undefined {
  if (table.rows.length === 0) return undefined;
  const deps: unknown[] = [table.inputs.length];
  for (const input of table.inputs) deps.push(input.key, input.name, view.answers.tokenOfName(input.key));
  for (const row of table.rows) deps.push(row.molecule, view.answers.token(row.molecule));
  return view.memo(() => `table:${table.uri}#${table.blockId}`, deps, () => {
    const found = tableGaps(view, table);
    return found && describe(table, found);
  });
}

/** The uncovered combinations, or undefined when there are none or the table is not enumerable. */
function tableGaps(view: DomainView, table: TableEntry): Gaps | undefined {
  if (table.rows.length === 0) return undefined;
  const rows = table.rows.flatMap((r) => conditionToRegion(r.molecule.condition, view.resolve, view.enumeration));
  const keys = table.inputs.map((i) => i.key);
  const cells: Cell[][] = [];
  for (const key of keys) {
    const c = cellsOf(key, rows, view.enumeration(key));
    if (!c) return undefined;
    cells.push(c);
  }
  // covers[r][i][c]: row box r overlaps cell c of input i.
  const covers = rows.map((row) => keys.map((key, i) => cells[i].map((cell) => coversCell(row.get(key), cell))));

  const boxes: Box[] = [];
  let visited = 0;
  let capped = false;
  const walk = (depth: number, prefix: Map<string, ValueSet>, alive: number[]): void => {
    if (depth === keys.length || capped) return; // rows still alive cover this combination
    if (++visited > MAX_COMBINATIONS) {
      capped = true;
      return;
    }
    let uncovered: ValueSet | undefined; // union of this input's cells no alive row covers
    const inputCells = cells[depth];
    for (let c = 0; c < inputCells.length; c++) {
      const cell = inputCells[c];
      const next = alive.filter((r) => covers[r][depth][c]);
      if (next.length > 0) walk(depth + 1, cell ? copyBox(prefix).set(keys[depth], cell) : prefix, next);
      // (the "any value" cell is covered by every alive row, so an uncovered cell is a set)
      else if (cell) uncovered = uncovered ? unionSets(uncovered, cell) : cell;
    }
    if (uncovered) boxes.push(copyBox(prefix).set(keys[depth], uncovered));
  };
  if (rows.length === 0) boxes.push(new Map()); // no row can ever apply: every case is a gap
  else walk(0, new Map(), rows.map((_, r) => r));
  return boxes.length > 0 ? { boxes, capped } : undefined;
}

/** The cells of one input, or undefined when it is not enumerable. */
function cellsOf(key: string, rows: readonly Box[], enumeration: readonly Value[] | undefined): Cell[] | undefined {
  if (enumeration) {
    const cells = enumeration.map((v) => valueToSet(v, enumeration));
    return cells.every((c) => c !== undefined) ? cells : undefined;
  }
  const sets = rows.flatMap((row) => row.get(key) ?? []);
  if (sets.length === 0) return [undefined];
  if (sets.every((s) => s.sort === 'boolean')) {
    return [
      { sort: 'boolean', yes: true, no: false },
      { sort: 'boolean', yes: false, no: true },
    ];
  }
  const sort = sets[0].sort;
  if (sort !== 'number' && sort !== 'date') return undefined;
  const numeric = sets.filter((s): s is NumericSet => s.sort === sort);
  const units = new Set(numeric.map((s) => s.unit).filter((u) => u !== undefined));
  if (numeric.length !== sets.length || units.size > 1) return undefined;
  const cells = partitionLine(numeric);
  // Money comes in whole cents: `<= $5,000` and `$5,000.01..$15,000` leave no gap between them.
  const unit = [...units][0];
  return sort === 'number' && unit !== undefined && unit !== 'percent' ? cells.filter((c) => c.intervals.some(holdsACent)) : cells;
}

/** Whether an interval contains an amount of whole cents. */
function holdsACent(i: Interval): boolean {
  const cents = (x: number) => {
    const c = x * 100;
    return Math.abs(c - Math.round(c)) < 1e-6 ? Math.round(c) : c;
  };
  const lo = cents(i.lo);
  const hi = cents(i.hi);
  const first = Number.isInteger(lo) ? (i.loOpen ? lo + 1 : lo) : Math.ceil(lo);
  const last = Number.isInteger(hi) ? (i.hiOpen ? hi - 1 : hi) : Math.floor(hi);
  return first <= last;
}

function coversCell(rowSet: ValueSet | undefined, cell: Cell): boolean {
  return !rowSet || !cell || setsOverlap(rowSet, cell);
}

function describe(table: TableEntry, { boxes, capped }: Gaps): DescribedGaps {
  const names = new Map(table.inputs.map((i) => [i.key, i.name]));
  const gaps = boxes.map((box) => describeBox(box, names) || 'every case');
  const listed = gaps.slice(0, LISTED);
  const more = boxes.length > LISTED ? ` (and ${boxes.length - LISTED} more)` : '';
  const cap = capped ? ` (stopped after ${MAX_COMBINATIONS.toLocaleString('en-US')} combinations; there may be more)` : '';
  return { message: `No row covers: ${listed.join('; ')}${more}${cap}`, gaps, capped };
}

function report(view: DomainView, table: TableEntry, { message, gaps, capped }: DescribedGaps): Finding {
  const first = table.rows[0].molecule;
  return finding(view, 'table-gap', 'information', { uri: table.uri, blockId: table.blockId, span: first.span }, message, [], {
    gaps: [...gaps],
    capped,
  });
}
