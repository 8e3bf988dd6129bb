import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Comparison, ComparisonOp, Condition, Operand, Value } from '../model';
import { normalizeName } from '../model';
import {
  ANYTHING,
  MAX_BOXES,
  conditionToRegion,
  describeBox,
  describeCase,
  intersect,
  intersectSets,
  isEmpty,
  isEmptySet,
  isSubset,
  regionsOverlap,
  setsOverlap,
  subtract,
  union,
  type Box,
  type Region,
  type ValueSet,
} from './region';
import { and, is, or, refTo, val } from './testing';

const ENUMS: Record<string, Value[]> = {
  jurisdiction: ['Quebec', 'Ontario', 'Alberta'].map(val),
  e: ['x', 'y', 'z'].map(val),
};
const resolve = (o: Operand): Value | undefined => (o.kind === 'value' ? o.value : undefined);
const enumeration = (key: string) => ENUMS[key];
const region = (c: Condition) => conditionToRegion(c, resolve, enumeration);
const names = new Map([
  ['jurisdiction', 'Jurisdiction'],
  ['withdrawal amount', 'Withdrawal Amount'],
  ['rate', 'Rate'],
  ['effective date', 'Effective Date'],
  ['status', 'Status'],
  ['requires sin', 'Requires SIN'],
]);
const show = (r: Region) => r.map((b) => describeBox(b, names));

describe('conditionToRegion and describeBox', () => {
  it.each<[string, Condition, string[]]>([
    ['equality', is('Jurisdiction', '=', 'Quebec'), ['Jurisdiction = Quebec']],
    ['money bound', is('Withdrawal Amount', '>', '$5,000'), ['Withdrawal Amount > $5,000']],
    ['percent bound', is('Rate', '<=', '10%'), ['Rate ≤ 10%']],
    ['plain number', is('Withdrawal Amount', '>=', '5,000'), ['Withdrawal Amount ≥ 5,000']],
    ['between', is('Withdrawal Amount', 'between', '$5,000', '$10,000'), ['Withdrawal Amount between $5,000 and $10,000']],
    ['between reversed', is('Withdrawal Amount', 'between', '$10,000', '$5,000'), ['Withdrawal Amount between $5,000 and $10,000']],
    ['date between', is('Effective Date', 'between', '2026-01-01', '2026-12-31'), ['Effective Date between 2026-01-01 and 2026-12-31']],
    ['not equal, free text', is('Status', '!=', 'resident'), ['Status ≠ resident']],
    ['not equal, enumerated', is('Jurisdiction', '!=', 'Quebec'), ['Jurisdiction in (Ontario, Alberta)']],
    ['not in, enumerated', is('Jurisdiction', 'not in', 'Quebec', 'ontario'), ['Jurisdiction = Alberta']],
    ['not equal, number', is('Withdrawal Amount', '!=', '$5,000'), ['Withdrawal Amount ≠ $5,000']],
    ['in, numbers', is('Withdrawal Amount', 'in', '$10', '$5'), ['Withdrawal Amount in ($5, $10)']],
    ['not in, dates', is('Effective Date', 'not in', '2026-01-01', '2025-01-01'), ['Effective Date not in (2025-01-01, 2026-01-01)']],
    ['boolean', is('Requires SIN', '=', 'yes'), ['Requires SIN = yes']],
    ['and', and(is('Jurisdiction', '=', 'Quebec'), is('Withdrawal Amount', '>', '$5,000')), ['Jurisdiction = Quebec, Withdrawal Amount > $5,000']],
    ['or', or(is('Jurisdiction', '=', 'Quebec'), is('Rate', '<', '5%')), ['Jurisdiction = Quebec', 'Rate < 5%']],
    ['and of ranges', and(is('Withdrawal Amount', '>', '$5,000'), is('Withdrawal Amount', '<=', '$10,000')), ['Withdrawal Amount > $5,000 and ≤ $10,000']],
    ['contradiction', and(is('Withdrawal Amount', '<=', '$5,000'), is('Withdrawal Amount', '>', '$5,000')), []],
    ['value outside the enumeration', is('Jurisdiction', '=', 'Quebek'), []],
    ['unresolved reference: unconstrained', is('Rate', '=', refTo('Nowhere')), ['']],
    ['mixed kinds: unconstrained', is('Rate', 'in', '10%', 'Quebec'), ['']],
    ['ordering on text: unconstrained', is('Status', '>', 'resident'), ['']],
    ['between with one operand: unconstrained', is('Rate', 'between', '5%'), ['']],
  ])('%s', (_, cond, expected) => {
    expect(show(region(cond))).toEqual(expected);
  });

  it('describes cases for messages', () => {
    expect(describeCase(ANYTHING, names)).toBe('in every case');
    expect(describeCase(region(or(is('Jurisdiction', '=', 'Quebec'), is('Rate', '<', '5%'))), names)).toBe(
      'when Jurisdiction = Quebec (and 1 more case)',
    );
  });
});

describe('region operations', () => {
  const overlap = (a: Condition, b: Condition) => !isEmpty(intersect(region(a), region(b)));

  it.each<[string, Condition, Condition, boolean]>([
    ['touching intervals', is('Withdrawal Amount', '<=', '$5,000'), is('Withdrawal Amount', '>', '$5,000'), false],
    ['closed bounds meet at the point', is('Withdrawal Amount', '>=', '$5,000'), is('Withdrawal Amount', '<=', '$5,000'), true],
    ['a missing unit is compatible', is('Withdrawal Amount', '>=', '5000'), is('Withdrawal Amount', '<=', '$5,000'), true],
    ['percent vs money', is('Withdrawal Amount', '>', '10%'), is('Withdrawal Amount', '>', '$5'), false],
    ['texts compare case-insensitively', is('Status', '=', 'Non  Resident'), is('Status', '=', 'non resident'), true],
    ['= vs != of the same value', is('Status', '=', 'resident'), is('Status', '!=', 'resident'), false],
    ['= vs != of another value', is('Status', '=', 'resident'), is('Status', '!=', 'visitor'), true],
    ['IN lists overlapping', is('Jurisdiction', 'in', 'Quebec', 'Ontario'), is('Jurisdiction', 'in', 'Ontario', 'Alberta'), true],
    ['IN lists disjoint', is('Jurisdiction', 'in', 'Quebec'), is('Jurisdiction', 'in', 'Ontario', 'Alberta'), false],
    ['dates as intervals', is('Effective Date', '>=', '2026-01-01'), is('Effective Date', '<', '2026-01-01'), false],
    ['different inputs never prevent overlap', is('Jurisdiction', '=', 'Quebec'), is('Rate', '>', '5%'), true],
  ])('%s', (_, a, b, expected) => {
    expect(overlap(a, b)).toBe(expected);
  });

  it('subtracts into disjoint boxes', () => {
    const a = region(is('Withdrawal Amount', 'between', '$0', '$10,000'));
    const b = region(and(is('Withdrawal Amount', '>', '$5,000'), is('Jurisdiction', '=', 'Quebec')));
    expect(show(subtract(a, b))).toEqual([
      'Withdrawal Amount between $0 and $5,000',
      'Withdrawal Amount > $5,000 and ≤ $10,000, Jurisdiction in (Ontario, Alberta)',
    ]);
  });

  it('finite universes make complements finite', () => {
    const all = union(union(region(is('Jurisdiction', '=', 'Quebec')), region(is('Jurisdiction', '=', 'Ontario'))), region(is('Jurisdiction', '=', 'alberta')));
    expect(isSubset(ANYTHING, all)).toBe(true); // every case has one of the three jurisdictions
    expect(isSubset(ANYTHING, union(region(is('Jurisdiction', '=', 'Quebec')), region(is('Jurisdiction', '=', 'Ontario'))))).toBe(false);
    expect(isSubset(region(is('Status', '!=', 'resident')), region(is('Status', '=', 'visitor')))).toBe(false);
  });

  it('stops refining an exploding subtraction and keeps the left operand', () => {
    // Each cut constrains three inputs of its own, so every cut triples the pieces: 3^8 > MAX_BOXES.
    const cuts = Array.from({ length: 8 }, (_, i) => and(...[0, 1, 2].map((j) => is(`k${i}.${j}`, '=', 'v'))));
    const b = cuts.map(region).reduce(union);
    const started = performance.now();
    const result = subtract(ANYTHING, b);
    expect(result).toBe(ANYTHING);
    expect(isSubset(ANYTHING, b)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(3 ** 8).toBeGreaterThan(MAX_BOXES);
  });
});

// ---------------------------------------------------------------------------
// Property: the algebra agrees with evaluating conditions point by point.
// ---------------------------------------------------------------------------

/** A case: n is a number, t free text, b a boolean, e an input enumerated as x, y, z. */
interface Point {
  n: number;
  t: string;
  b: boolean;
  e: string;
}

const POINTS: Point[] = [];
for (let n = -1; n <= 5; n += 0.5) {
  for (const t of ['a', 'b', 'c', 'd', 'other']) for (const b of [true, false]) for (const e of ['x', 'y', 'z']) POINTS.push({ n, t, b, e });
}

function evalCmp(c: Comparison, p: Point): boolean {
  const vs = c.operands.map((o) => (o as { value: Value }).value);
  const key = c.subject.key as keyof Point;
  const x = p[key];
  const eq = (v: Value) => (v.kind === 'text' ? normalizeName(v.value) === x : v.value === x);
  switch (c.op) {
    case '=':
      return eq(vs[0]);
    case '!=':
      return !eq(vs[0]);
    case 'in':
      return vs.some(eq);
    case 'not in':
      return !vs.some(eq);
  }
  const [a, b] = vs.map((v) => v.value as number);
  const n = x as number;
  switch (c.op) {
    case '<':
      return n < a;
    case '<=':
      return n <= a;
    case '>':
      return n > a;
    case '>=':
      return n >= a;
    case 'between':
      return Math.min(a, b) <= n && n <= Math.max(a, b);
  }
}

function evalCond(c: Condition, p: Point): boolean {
  if (c.kind === 'cmp') return evalCmp(c, p);
  return c.kind === 'and' ? c.items.every((i) => evalCond(i, p)) : c.items.some((i) => evalCond(i, p));
}

function inSet(s: ValueSet, x: number | string | boolean): boolean {
  switch (s.sort) {
    case 'number':
    case 'date':
      return s.intervals.some(
        (i) => (i.loOpen ? (x as number) > i.lo : (x as number) >= i.lo) && (i.hiOpen ? (x as number) < i.hi : (x as number) <= i.hi),
      );
    case 'text':
      return s.items.has(x as string) !== s.negated;
    case 'boolean':
      return x ? s.yes : s.no;
  }
}

const inBox = (box: Box, p: Point) => [...box].every(([k, s]) => inSet(s, p[k as keyof Point]));
const inRegion = (r: Region, p: Point) => r.some((box) => inBox(box, p));

const ops = (...list: ComparisonOp[]) => fc.constantFrom(...list);
const small = fc.integer({ min: 0, max: 4 }).map(String);
const arbCmp: fc.Arbitrary<Condition> = fc.oneof(
  fc.tuple(ops('=', '!=', '<', '<=', '>', '>='), small).map(([op, v]) => is('n', op, v)),
  fc.tuple(ops('in', 'not in'), fc.array(small, { minLength: 1, maxLength: 3 })).map(([op, vs]) => is('n', op, ...vs)),
  fc.tuple(small, small).map(([a, b]) => is('n', 'between', a, b)),
  fc.tuple(ops('=', '!=', 'in', 'not in'), fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 3 })).map(([op, vs]) =>
    is('t', op, ...(op === 'in' || op === 'not in' ? vs : vs.slice(0, 1))),
  ),
  fc.tuple(ops('=', '!='), fc.constantFrom('yes', 'no')).map(([op, v]) => is('b', op, v)),
  fc.tuple(ops('=', '!=', 'in', 'not in'), fc.array(fc.constantFrom('x', 'y', 'z', 'w'), { minLength: 1, maxLength: 2 })).map(([op, vs]) =>
    is('e', op, ...(op === 'in' || op === 'not in' ? vs : vs.slice(0, 1))),
  ),
);
const arbCond: fc.Arbitrary<Condition> = fc.letrec<{ cond: Condition }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbCmp,
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((items) => and(...items)),
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((items) => or(...items)),
  ),
})).cond;

describe('region algebra properties', () => {
  it('conditionToRegion, intersect, subtract, isEmpty and isSubset agree with point evaluation', () => {
    fc.assert(
      fc.property(arbCond, arbCond, (ca, cb) => {
        const a = region(ca);
        const b = region(cb);
        const both = intersect(a, b);
        const diff = subtract(a, b);
        for (const p of POINTS) {
          const inA = evalCond(ca, p);
          const inB = evalCond(cb, p);
          expect(inRegion(a, p)).toBe(inA);
          expect(inRegion(both, p)).toBe(inA && inB);
          expect(inRegion(diff, p)).toBe(inA && !inB);
        }
        // The sample has a point in every non-empty region (bounds are integers, cases are half-integers).
        expect(isEmpty(diff)).toBe(!POINTS.some((p) => evalCond(ca, p) && !evalCond(cb, p)));
        expect(isSubset(a, b)).toBe(POINTS.every((p) => !evalCond(ca, p) || evalCond(cb, p)));
        // Overlap told without making the intersection, for regions and for every pair of their sets.
        expect(regionsOverlap(a, b)).toBe(!isEmpty(both));
        expect(regionsOverlap(a, b)).toBe(POINTS.some((p) => evalCond(ca, p) && evalCond(cb, p)));
        for (const x of a) for (const y of b) for (const [key, set] of x) if (y.has(key)) expect(setsOverlap(set, y.get(key)!)).toBe(!isEmptySet(intersectSets(set, y.get(key)!)));
      }),
      { numRuns: 300 },
    );
  });

  it('subtraction yields disjoint boxes when the left side is one box', () => {
    fc.assert(
      fc.property(arbCmp, arbCond, (ca, cb) => {
        const diff = subtract(region(ca), region(cb));
        for (const p of POINTS) expect(diff.filter((box) => inBox(box, p)).length).toBeLessThanOrEqual(1);
      }),
    );
  });
});
