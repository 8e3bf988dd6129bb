import { describe, expect, it } from 'vitest';
import { canonicalJson, checksum, pgSafe } from './checksum';

describe('checksum', () => {
  it('ignores key order, not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(checksum({ a: 1, b: 2 })).toBe(checksum({ b: 2, a: 1 }));
    expect(checksum([1, 2])).not.toBe(checksum([2, 1]));
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
  });

  it('replaces only what PostgreSQL cannot store', () => {
    expect(pgSafe({ 'k\0': ['a\0b', '\uD800x', '😀', "'); DROP TABLE x; --"], n: 1, d: null })).toEqual({
      'k\uFFFD': ['a\uFFFDb', '\uFFFDx', '😀', "'); DROP TABLE x; --"],
      n: 1,
      d: null,
    });
  });
});
