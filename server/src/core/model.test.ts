import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeName } from './model';

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
