import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atomName, normalizeName, spanAt } from './model';

/** What names match on, written out in full (the function takes a shortcut for plain names). */
const reference = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();

describe('normalizeName', () => {
  it('folds case, trims, collapses whitespace and composes accents', () => {
    expect(normalizeName('  Basic   Personal\tAmount ')).toBe('basic personal amount');
    expect(normalizeName('Cafe\u0301 Rate')).toBe('café rate');
    expect(normalizeName('Rate\u00a0A')).toBe('rate a');
    expect(normalizeName('RRSP Limit')).toBe('rrsp limit');
  });

  it('agrees with the full normalisation on any text', () => {
    const piece = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2003', 'e\u0301', 'É', 'ß', 'İ', 'A', 'z', '7', '%', '$');
    const text = fc.oneof(fc.string(), fc.array(piece).map((p) => p.join('')), fc.array(fc.oneof(piece, fc.string({ maxLength: 3 }))).map((p) => p.join('')));
    fc.assert(fc.property(text, (name) => normalizeName(name) === reference(name)), { numRuns: 3000 });
  });
});

describe('atomName', () => {
  it('gives a name as written and its key, also once its table has been emptied', () => {
    expect(atomName('  Basic Personal Amount')).toEqual(['  Basic Personal Amount', 'basic personal amount']);
    // Far more names than the table keeps: every answer is still the name's own.
    for (let i = 0; i < 5_000; i++) expect(atomName(`Rate ${i}`)).toEqual([`Rate ${i}`, `rate ${i}`]);
    expect(atomName('RRSP Limit')).toEqual(['RRSP Limit', 'rrsp limit']);
    expect(atomName('rrsp limit')).toEqual(['rrsp limit', 'rrsp limit']);
  });
});

describe('spanAt', () => {
  it('gives the span asked for, at small and large offsets alike', () => {
    const cases: [number, number][] = [[0, 0], [3, 10], [511, 638], [511, 639], [512, 513], [0, 200], [40_000, 40_100], [7, 3]];
    for (const [start, end] of cases) expect(spanAt(start, end)).toEqual({ start, end });
    // Asked for twice: equal whether shared or not.
    expect(spanAt(3, 10)).toEqual(spanAt(3, 10));
  });
});
