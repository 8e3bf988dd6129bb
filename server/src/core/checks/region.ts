/**
 * Value-set algebra for the rule checks: which cases (combinations of input
 * values) a condition allows, and set operations over them.
 *
 * - A **ValueSet** is the set of values one input may take. Each set has a
 *   *sort*: numbers (interval sets; `unit` is `'percent'`, a currency code,
 *   or absent — an absent unit is compatible with every unit), dates
 *   (interval sets over epoch ms), booleans, and text (finite or co-finite
 *   sets compared case-insensitively with whitespace collapsed; inside the
 *   universe of a `one of` input every text set is finite).
 * - A **Box** maps input keys to value sets; an absent key is unconstrained.
 * - A **Region** is a union of boxes (disjunctive normal form). Boxes in a
 *   region are never empty, so a region is empty iff it has no boxes.
 *
 * Decisions:
 * - A value has one sort, so sets of different sorts (or of numbers with two
 *   different units, e.g. percent vs CAD) share no value: their
 *   intersection is empty and subtracting one from the other changes
 *   nothing. Complements are taken within the sort of the set complemented.
 * - A comparison whose operand cannot be resolved, whose operands mix
 *   sorts, or whose operator does not apply to the sort (`<` on text) is
 *   *unconstrained*: we cannot tell which cases it allows, and assuming it
 *   allows all of them keeps conflicts visible rather than hiding them.
 * - Growth is bounded: when an intersection or a subtraction would exceed
 *   `MAX_BOXES` boxes, it returns an operand that contains the exact answer
 *   (the left one for `a − b`, the smaller one for `a ∩ b`). The result is
 *   then an over-approximation, treated as non-empty: `isSubset` answers
 *   false (no redundant-rule) and an overlap is assumed (a conflict may be
 *   reported). Used as an exception subtracted from a rule, such an
 *   over-approximation narrows the rule too much; exceptions that explode
 *   are not realistic, so we accept that.
 */
import type { Comparison, Condition, Operand, Value } from '../model';
import { normalizeName } from '../model';
import { unitsCompatible, valuesEqual } from '../values';

/** Beyond this many boxes a region stops being refined (see the module comment). */
export const MAX_BOXES = 2000;

/** One interval of the number line; infinite bounds are always open. `*Text` is the bound's display form. */
export interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
  loText?: string;
  hiText?: string;
}

/** Numbers or dates: sorted, disjoint, non-touching, non-empty intervals. */
export interface NumericSet {
  sort: 'number' | 'date';
  unit?: string;
  intervals: readonly Interval[];
}

/**
 * Texts by normalised form (→ display form). `negated` means "every text
 * but `items`"; it is always false when `universe` (the `one of` values) is
 * known, and then `items` ⊆ `universe`.
 */
export interface TextSet {
  sort: 'text';
  negated: boolean;
  items: ReadonlyMap<string, string>;
  universe?: ReadonlyMap<string, string>;
}

export interface BooleanSet {
  sort: 'boolean';
  yes: boolean;
  no: boolean;
}

export type ValueSet = NumericSet | TextSet | BooleanSet;
export type Box = ReadonlyMap<string, ValueSet>;
export type Region = readonly Box[];

export type Resolver = (operand: Operand) => Value | undefined;
export type Enumeration = (key: string) => readonly Value[] | undefined;

/** The region of every case. */
export const ANYTHING: Region = [new Map()];
export const NOTHING: Region = [];

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

export { valuesEqual };

/** The text a value stands for when compared with texts (a `one of` input mixing kinds). */
export function textForm(v: Value): string {
  return v.kind === 'text' ? v.value : v.canonical;
}

const universes = new WeakMap<readonly Value[], ReadonlyMap<string, string> | null>();

/**
 * The text universe of an enumerated input: defined when the `one of` list
 * holds any text (its other values then count as texts too); undefined for
 * lists of numbers, dates or booleans, which keep their own sort.
 */
export function textUniverse(values: readonly Value[] | undefined): ReadonlyMap<string, string> | undefined {
  if (!values) return undefined;
  let universe = universes.get(values);
  if (universe === undefined) {
    universe = values.some((v) => v.kind === 'text') ? new Map(values.map((v) => [normalizeName(textForm(v)), textForm(v)])) : null;
    universes.set(values, universe);
  }
  return universe ?? undefined;
}

// ---------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------

function intervalEmpty(i: Interval): boolean {
  return i.lo > i.hi || (i.lo === i.hi && (i.loOpen || i.hiOpen));
}

/** Sorts, drops empty intervals and merges overlapping or touching ones (`[0,5] ∪ (5,9]` = `[0,9]`, `[0,5) ∪ (5,9]` stays). */
function normalizeIntervals(list: Interval[]): Interval[] {
  // One interval (a comparison's, most intersections'): nothing to sort or merge.
  if (list.length === 1) return intervalEmpty(list[0]) ? [] : list;
  const sorted = list
    .filter((i) => !intervalEmpty(i))
    .sort((a, b) => a.lo - b.lo || Number(a.loOpen) - Number(b.loOpen));
  const out: Interval[] = [];
  for (const next of sorted) {
    const cur = out[out.length - 1];
    if (cur && (next.lo < cur.hi || (next.lo === cur.hi && !(cur.hiOpen && next.loOpen)))) {
      if (next.hi > cur.hi || (next.hi === cur.hi && !next.hiOpen)) {
        out[out.length - 1] = { ...cur, hi: next.hi, hiOpen: next.hiOpen, hiText: next.hiText };
      }
    } else out.push(next);
  }
  return out;
}

function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const lo = x.lo > y.lo || (x.lo === y.lo && x.loOpen) ? x : y;
      const hi = x.hi < y.hi || (x.hi === y.hi && x.hiOpen) ? x : y;
      const i = { lo: lo.lo, loOpen: lo.loOpen, loText: lo.loText, hi: hi.hi, hiOpen: hi.hiOpen, hiText: hi.hiText };
      if (!intervalEmpty(i)) out.push(i);
    }
  }
  return normalizeIntervals(out);
}

function complementIntervals(list: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let lo = -Infinity;
  let loOpen = true;
  let loText: string | undefined;
  for (const i of list) {
    out.push({ lo, loOpen, loText, hi: i.lo, hiOpen: !i.loOpen, hiText: i.loText });
    lo = i.hi;
    loOpen = !i.hiOpen;
    loText = i.hiText;
  }
  out.push({ lo, loOpen, loText, hi: Infinity, hiOpen: true });
  return out.filter((i) => !intervalEmpty(i));
}

// ---------------------------------------------------------------------------
// Value sets
// ---------------------------------------------------------------------------

/** A text set, finite inside a known universe. */
function textSet(negated: boolean, items: ReadonlyMap<string, string>, universe?: ReadonlyMap<string, string>): TextSet {
  if (!universe || (!negated && everyKey(items, (k) => universe.has(k)))) return { sort: 'text', negated, items, universe };
  const kept = new Map<string, string>();
  universe.forEach((display, k) => {
    if (items.has(k) !== negated) kept.set(k, display);
  });
  return { sort: 'text', negated: false, items: kept, universe };
}

/** Whether every key of `items` passes `test` (without an iterator's garbage). */
function everyKey(items: ReadonlyMap<string, string>, test: (key: string) => boolean): boolean {
  let all = true;
  items.forEach((_, key) => {
    if (all && !test(key)) all = false;
  });
  return all;
}

/** The entries of `items` whose key `keep` accepts; `items` itself when it keeps them all. */
function filterItems(items: ReadonlyMap<string, string>, keep: (key: string) => boolean): ReadonlyMap<string, string> {
  if (everyKey(items, keep)) return items;
  const kept = new Map<string, string>();
  items.forEach((value, key) => {
    if (keep(key)) kept.set(key, value);
  });
  return kept;
}

/** True when two sets can hold a common value (same sort, compatible units). */
export function compatibleSets(a: ValueSet, b: ValueSet): boolean {
  if (a.sort !== b.sort) return false;
  return a.sort !== 'number' || unitsCompatible(a.unit, (b as NumericSet).unit);
}

export function isEmptySet(s: ValueSet): boolean {
  switch (s.sort) {
    case 'number':
    case 'date':
      return s.intervals.length === 0;
    case 'text':
      return !s.negated && s.items.size === 0;
    case 'boolean':
      return !s.yes && !s.no;
  }
}

/** True when the set allows every value of its sort (nothing to describe). */
export function isFullSet(s: ValueSet): boolean {
  switch (s.sort) {
    case 'number':
    case 'date':
      return s.intervals.length === 1 && s.intervals[0].lo === -Infinity && s.intervals[0].hi === Infinity;
    case 'text':
      return s.universe ? s.items.size === s.universe.size : s.negated && s.items.size === 0;
    case 'boolean':
      return s.yes && s.no;
  }
}

/** The complement of a set within its own sort. */
export function complementSet(s: ValueSet): ValueSet {
  switch (s.sort) {
    case 'number':
    case 'date':
      return { ...s, intervals: complementIntervals(s.intervals) };
    case 'text':
      return textSet(!s.negated, s.items, s.universe);
    case 'boolean':
      return { sort: 'boolean', yes: !s.yes, no: !s.no };
  }
}

export function intersectSets(a: ValueSet, b: ValueSet): ValueSet {
  if (!compatibleSets(a, b)) return emptyLike(a);
  switch (a.sort) {
    case 'number':
    case 'date': {
      const n = b as NumericSet;
      return { sort: a.sort, unit: a.unit ?? n.unit, intervals: intersectIntervals(a.intervals, n.intervals) };
    }
    case 'text': {
      const t = b as TextSet;
      const universe = a.universe ?? t.universe;
      if (!a.negated && !t.negated) return textSet(false, filterItems(a.items, (k) => t.items.has(k)), universe);
      if (!a.negated) return textSet(false, filterItems(a.items, (k) => !t.items.has(k)), universe);
      if (!t.negated) return textSet(false, filterItems(t.items, (k) => !a.items.has(k)), universe);
      return textSet(true, new Map([...a.items, ...t.items]), universe);
    }
    case 'boolean': {
      const o = b as BooleanSet;
      return { sort: 'boolean', yes: a.yes && o.yes, no: a.no && o.no };
    }
  }
}

/** `a` minus `b`; `a` itself when they share no value. */
export function subtractSets(a: ValueSet, b: ValueSet): ValueSet {
  return compatibleSets(a, b) ? intersectSets(a, complementSet(b)) : a;
}

/** `a ∪ b` for sets of the same sort (De Morgan keeps this exact for every sort). */
export function unionSets(a: ValueSet, b: ValueSet): ValueSet {
  return complementSet(intersectSets(complementSet(a), complementSet(b)));
}

/** Whether `a ∩ b` holds a value: `!isEmptySet(intersectSets(a, b))`, without making the intersection. */
export function setsOverlap(a: ValueSet, b: ValueSet): boolean {
  if (!compatibleSets(a, b)) return false;
  switch (a.sort) {
    case 'number':
    case 'date': {
      const other = (b as NumericSet).intervals;
      for (const x of a.intervals) for (const y of other) if (intervalsMeet(x, y)) return true;
      return false;
    }
    case 'text': {
      const t = b as TextSet;
      const universe = a.universe ?? t.universe;
      // A value of the intersection: in the items of a set that is not negated (in both when neither
      // is), in none of a negated one's, and in the universe when there is one.
      const inside = (k: string) => universe === undefined || universe.has(k);
      if (!a.negated && !t.negated) return someKey(a.items, (k) => t.items.has(k) && inside(k));
      if (!a.negated) return someKey(a.items, (k) => !t.items.has(k) && inside(k));
      if (!t.negated) return someKey(t.items, (k) => !a.items.has(k) && inside(k));
      return universe === undefined || someKey(universe, (k) => !a.items.has(k) && !t.items.has(k));
    }
    case 'boolean': {
      const o = b as BooleanSet;
      return (a.yes && o.yes) || (a.no && o.no);
    }
  }
}

/** Whether two intervals share a point (`intersectIntervals` would keep their intersection). */
function intervalsMeet(x: Interval, y: Interval): boolean {
  const lo = x.lo > y.lo || (x.lo === y.lo && x.loOpen) ? x : y;
  const hi = x.hi < y.hi || (x.hi === y.hi && x.hiOpen) ? x : y;
  return !(lo.lo > hi.hi || (lo.lo === hi.hi && (lo.loOpen || hi.hiOpen)));
}

function someKey(items: ReadonlyMap<string, string>, test: (key: string) => boolean): boolean {
  return !everyKey(items, (k) => !test(k));
}

function emptyLike(s: ValueSet): ValueSet {
  switch (s.sort) {
    case 'number':
    case 'date':
      return { ...s, intervals: [] };
    case 'text':
      return { sort: 'text', negated: false, items: new Map(), universe: s.universe };
    case 'boolean':
      return { sort: 'boolean', yes: false, no: false };
  }
}

/**
 * The set `{ value }` — inside the text universe of `enumeration` when it
 * has one. Undefined for JSON values, which have no comparable sort.
 */
export function valueToSet(value: Value, enumeration?: readonly Value[]): ValueSet | undefined {
  return pointsSet([value], textUniverse(enumeration));
}

/** The set of the given values, or undefined when they are of mixed sorts or units (incomparable). */
function pointsSet(values: readonly Value[], universe: ReadonlyMap<string, string> | undefined): ValueSet | undefined {
  if (universe) return textSet(false, textItems(values), universe);
  const first = values[0];
  if (!first || first.kind === 'json' || values.some((v) => v.kind !== first.kind)) return undefined;
  switch (first.kind) {
    case 'number':
    case 'date': {
      // One unit at most among the values (a value without one goes with any).
      let unit: string | undefined;
      for (const v of values) {
        const u = v.kind === 'number' ? v.unit : undefined;
        if (u === undefined) continue;
        if (unit !== undefined && u !== unit) return undefined;
        unit = u;
      }
      const intervals = values.map((v) => {
        const n = v.value as number;
        return { lo: n, hi: n, loOpen: false, hiOpen: false, loText: v.canonical, hiText: v.canonical };
      });
      return { sort: first.kind, unit, intervals: normalizeIntervals(intervals) };
    }
    case 'boolean':
      return { sort: 'boolean', yes: values.some((v) => v.value === true), no: values.some((v) => v.value === false) };
    case 'text':
      return textSet(false, textItems(values));
  }
}

/** Values as a text set's items: normalised form → display form. */
function textItems(values: readonly Value[]): Map<string, string> {
  const items = new Map<string, string>();
  for (let i = 0; i < values.length; i++) {
    const text = textForm(values[i]);
    items.set(normalizeName(text), text);
  }
  return items;
}

/**
 * The values a comparison allows for its subject, or undefined when
 * unconstrained (an operand is unknown, the operands are incomparable, or
 * the operator does not apply to their sort).
 */
export function comparisonToSet(cmp: Comparison, resolve: Resolver, enumeration: Enumeration): ValueSet | undefined {
  const values: Value[] = [];
  for (const operand of cmp.operands) {
    const v = resolve(operand);
    if (!v) return undefined;
    values.push(v);
  }
  const scalar = cmp.op !== 'in' && cmp.op !== 'not in' && cmp.op !== 'between';
  if (values.length === 0 || (scalar && values.length !== 1) || (cmp.op === 'between' && values.length !== 2)) return undefined;
  const universe = textUniverse(enumeration(cmp.subject.key));
  const points = pointsSet(values, universe);
  if (!points) return undefined;
  switch (cmp.op) {
    case '=':
    case 'in':
      return points;
    case '!=':
    case 'not in':
      return complementSet(points);
  }
  if (points.sort !== 'number' && points.sort !== 'date') return undefined;
  // The operands as sorted points: the first is the lowest, the last the highest.
  const low = points.intervals[0];
  const high = points.intervals[points.intervals.length - 1];
  const interval = (lo: Interval | null, loOpen: boolean, hi: Interval | null, hiOpen: boolean): Interval => ({
    lo: lo ? lo.lo : -Infinity,
    loOpen,
    hi: hi ? hi.hi : Infinity,
    hiOpen,
    loText: lo?.loText,
    hiText: hi?.hiText,
  });
  const only =
    cmp.op === '<'
      ? interval(null, true, low, true)
      : cmp.op === '<='
        ? interval(null, true, low, false)
        : cmp.op === '>'
          ? interval(low, true, null, true)
          : cmp.op === '>='
            ? interval(low, false, null, true)
            : // between: inclusive, bounds in either order (`BETWEEN 10 AND 5` reads as 5..10)
              interval(low, false, high, false);
  return { ...points, intervals: [only] };
}

/**
 * Cuts the line at every bound the sets use into cells — the open stretches
 * between bounds and the bounds themselves — so that each cell lies wholly
 * inside or wholly outside every one of the sets. The sets share one sort
 * (and unit).
 */
export function partitionLine(sets: readonly NumericSet[]): NumericSet[] {
  const bounds = new Map<number, string | undefined>();
  for (const set of sets) {
    for (const i of set.intervals) {
      if (Number.isFinite(i.lo)) bounds.set(i.lo, bounds.get(i.lo) ?? i.loText);
      if (Number.isFinite(i.hi)) bounds.set(i.hi, bounds.get(i.hi) ?? i.hiText);
    }
  }
  const cells: Interval[] = [];
  let lo = -Infinity;
  let loText: string | undefined;
  for (const b of [...bounds.keys()].sort((x, y) => x - y)) {
    const text = bounds.get(b);
    cells.push({ lo, loOpen: true, loText, hi: b, hiOpen: true, hiText: text });
    cells.push({ lo: b, loOpen: false, loText: text, hi: b, hiOpen: false, hiText: text });
    lo = b;
    loText = text;
  }
  cells.push({ lo, loOpen: true, loText, hi: Infinity, hiOpen: true });
  const sort = sets[0]?.sort ?? 'number';
  const unit = sets.find((s) => s.unit !== undefined)?.unit;
  return cells.map((i) => ({ sort, unit, intervals: [i] }));
}

// ---------------------------------------------------------------------------
// Boxes and regions
// ---------------------------------------------------------------------------

function intersectBoxes(a: Box, b: Box): Box | undefined {
  const out = copyBox(a);
  let empty = false;
  b.forEach((set, key) => {
    if (empty) return;
    const cur = out.get(key);
    const next = cur ? intersectSets(cur, set) : set;
    if (isEmptySet(next)) empty = true;
    else out.set(key, next);
  });
  return empty ? undefined : out;
}

/** A copy of a box to add to (`forEach`: `new Map(box)` makes an iterator result and an entry per key). */
export function copyBox(box: Box): Map<string, ValueSet> {
  const out = new Map<string, ValueSet>();
  box.forEach((set, key) => out.set(key, set));
  return out;
}

/** `a − b` as disjoint boxes: at most one piece per key `b` constrains. */
function subtractBox(a: Box, b: Box): Box[] {
  const inside = new Map<string, ValueSet>();
  for (const [key, set] of b) {
    const cur = a.get(key);
    const both = cur ? intersectSets(cur, set) : set;
    if (isEmptySet(both)) return [a]; // disjoint: nothing to remove
    inside.set(key, both);
  }
  const pieces: Box[] = [];
  const rest = new Map(a);
  for (const [key, set] of b) {
    const cur = rest.get(key);
    const outside = cur ? subtractSets(cur, set) : complementSet(set);
    if (!isEmptySet(outside)) pieces.push(new Map(rest).set(key, outside));
    rest.set(key, inside.get(key)!);
  }
  return pieces;
}

export function union(a: Region, b: Region): Region {
  return [...a, ...b];
}

/** `a ∩ b`; over-approximated by the smaller operand past `MAX_BOXES`. */
export function intersect(a: Region, b: Region): Region {
  const smaller = a.length <= b.length ? a : b;
  if (a.length * b.length > MAX_BOXES * 50) return smaller;
  const out: Box[] = [];
  for (const x of a) {
    for (const y of b) {
      const box = intersectBoxes(x, y);
      if (box) out.push(box);
    }
    if (out.length > MAX_BOXES) return smaller;
  }
  return out;
}

/** `a − b` as a union of boxes (disjoint when `a`'s are); `a` itself past `MAX_BOXES`. */
export function subtract(a: Region, b: Region): Region {
  let out: Region = a;
  for (const cut of b) {
    if (out.length === 0) break;
    const next = out.flatMap((box) => subtractBox(box, cut));
    if (next.length > MAX_BOXES) return a;
    out = next;
  }
  return out;
}

/** Whether `a ∩ b` is not empty: `!isEmpty(intersect(a, b))`, without making it (but past `MAX_BOXES`). */
export function regionsOverlap(a: Region, b: Region): boolean {
  if (a.length * b.length > MAX_BOXES * 50) return !isEmpty(intersect(a, b));
  for (const x of a) for (const y of b) if (boxesOverlap(x, y)) return true;
  return false;
}

function boxesOverlap(a: Box, b: Box): boolean {
  let overlap = true;
  b.forEach((set, key) => {
    if (!overlap) return;
    const cur = a.get(key);
    if (cur ? !setsOverlap(cur, set) : isEmptySet(set)) overlap = false;
  });
  return overlap;
}

export function isEmpty(r: Region): boolean {
  return r.length === 0;
}

/** `a ⊆ b` (false when the computation was cut short). */
export function isSubset(a: Region, b: Region): boolean {
  return isEmpty(subtract(a, b));
}

/** The cases a condition allows. */
export function conditionToRegion(cond: Condition, resolve: Resolver, enumeration: Enumeration): Region {
  switch (cond.kind) {
    case 'cmp': {
      const set = comparisonToSet(cond, resolve, enumeration);
      if (!set) return ANYTHING;
      return isEmptySet(set) ? NOTHING : [new Map<string, ValueSet>().set(cond.subject.key, set)];
    }
    case 'and':
      return cond.items.reduce<Region>(
        (acc, item) => (isEmpty(acc) ? acc : intersect(acc, conditionToRegion(item, resolve, enumeration))),
        ANYTHING,
      );
    case 'or':
      return cond.items.flatMap((item) => conditionToRegion(item, resolve, enumeration));
  }
}

/** Records the display name of every subject in a condition (first written form wins). */
export function collectNames(cond: Condition, into: Map<string, string>): Map<string, string> {
  if (cond.kind === 'cmp') {
    if (!into.has(cond.subject.key)) into.set(cond.subject.key, cond.subject.name);
  } else for (const item of cond.items) collectNames(item, into);
  return into;
}

// ---------------------------------------------------------------------------
// Descriptions
// ---------------------------------------------------------------------------

function formatBound(n: number, set: NumericSet): string {
  if (set.sort === 'date') return new Date(n).toISOString().slice(0, 10);
  const plain = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 10 });
  if (set.unit === 'percent') return `${plain(Number((n * 100).toPrecision(12)))}%`;
  if (set.unit === 'USD' || set.unit === 'CAD') return `${n < 0 ? '-' : ''}$${plain(Math.abs(n))}`;
  return set.unit ? `${plain(n)} ${set.unit}` : plain(n);
}

function describeInterval(i: Interval, set: NumericSet): string {
  // Only finite bounds are formatted (infinite ones are never shown).
  const lo = () => i.loText ?? formatBound(i.lo, set);
  const hi = () => i.hiText ?? formatBound(i.hi, set);
  if (i.lo === i.hi) return `= ${lo()}`;
  const upper = () => `${i.hiOpen ? '<' : '≤'} ${hi()}`;
  const lower = () => `${i.loOpen ? '>' : '≥'} ${lo()}`;
  if (i.lo === -Infinity) return upper();
  if (i.hi === Infinity) return lower();
  return !i.loOpen && !i.hiOpen ? `between ${lo()} and ${hi()}` : `${lower()} and ${upper()}`;
}

/** The condition a set stands for, without the subject (`> $5,000`, `in (Quebec, Ontario)`); undefined when full. */
export function describeSet(set: ValueSet): string | undefined {
  if (isFullSet(set)) return undefined;
  switch (set.sort) {
    case 'number':
    case 'date': {
      if (set.intervals.length === 0) return 'is impossible';
      // Lists of points read as the IN / NOT IN that wrote them.
      const points = (list: readonly Interval[]) => list.every((i) => i.lo === i.hi) && list.map((i) => i.loText ?? formatBound(i.lo, set));
      const listed = set.intervals.length > 1 && points(set.intervals);
      if (listed) return `in (${listed.join(', ')})`;
      const holes = points(complementIntervals(set.intervals));
      if (holes) return holes.length === 1 ? `≠ ${holes[0]}` : `not in (${holes.join(', ')})`;
      return set.intervals.map((i) => describeInterval(i, set)).join(' or ');
    }
    case 'text': {
      const items = [...set.items.values()];
      if (items.length === 1) return `${set.negated ? '≠' : '='} ${items[0]}`;
      if (items.length === 0) return 'is impossible';
      return `${set.negated ? 'not in' : 'in'} (${items.join(', ')})`;
    }
    case 'boolean':
      return set.yes ? '= yes' : set.no ? '= no' : 'is impossible';
  }
}

/** A human-readable case: `Jurisdiction = Quebec, Withdrawal Amount > $5,000`; empty for the unconstrained box. */
export function describeBox(box: Box, names: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [key, set] of box) {
    const text = describeSet(set);
    if (text !== undefined) parts.push(`${names.get(key) ?? key} ${text}`);
  }
  return parts.join(', ');
}

/** `when <first case>` (noting further cases), or `in every case`, for messages. */
export function describeCase(region: Region, names: ReadonlyMap<string, string>): string {
  const first = region[0] ? describeBox(region[0], names) : '';
  const more = region.length > 1 ? ` (and ${region.length - 1} more case${region.length > 2 ? 's' : ''})` : '';
  return first ? `when ${first}${more}` : `in every case${more}`;
}
