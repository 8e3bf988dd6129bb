import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCopy, canonicalJson, checksum, pgSafe } from './checksum';

describe('checksum', () => {
  it('ignores key order, not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(checksum({ a: 1, b: 2 })).toBe(checksum({ b: 2, a: 1 }));
    expect(checksum([1, 2])).not.toBe(checksum([2, 1]));
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
  });

  it('canonical copies: JSON.stringify of one (and canonicalJson of what holds it) is the canonical JSON of the original', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', '0', '1', '10', '01', '4294967295', 'span', 'toJSON', ''));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node')), fc.dictionary(key, tie('node'))),
      leaf: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: true })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const copy = canonicalCopy(v);
        expect(JSON.stringify(copy)).toBe(canonicalJson(v));
        expect(canonicalJson({ b: copy, a: [copy] })).toBe(canonicalJson({ b: v, a: [v] }));
        // Without the omitted members, at every depth.
        const omit = new Set(['span']);
        const drop = (x: unknown): unknown =>
          Array.isArray(x)
            ? x.map(drop)
            : x && typeof x === 'object' && !(x instanceof Date)
              ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'span').map(([k, y]) => [k, drop(y)]))
              : x;
        expect(canonicalJson(canonicalCopy(v, omit))).toBe(canonicalJson(drop(v)));
      }),
      { numRuns: 500 },
    );
    // What is not plain data is copied as it is, and checksummed the slow way.
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
    }
    const odd = { b: new Point(2, 1), a: new Map() };
    expect(canonicalJson(canonicalCopy(odd))).toBe(canonicalJson(odd));
    expect(canonicalJson(canonicalCopy({ p: new Point(2, 1), span: 1 }, new Set(['span'])))).toBe('{"p":{"x":1,"y":2}}');
  });

  it('replaces only what PostgreSQL cannot store', () => {
    expect(pgSafe({ 'k\0': ['a\0b', '\uD800x', '😀', "'); DROP TABLE x; --"], n: 1, d: null })).toEqual({
      'k\uFFFD': ['a\uFFFDb', '\uFFFDx', '😀', "'); DROP TABLE x; --"],
      n: 1,
      d: null,
    });
  });
});
