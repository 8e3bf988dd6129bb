/**
 * Block checksums and ids are stored (PostgreSQL, Neo4j): they must stay
 * what the `createHash` implementation gave, for every text.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from './hash';
import { checksum } from './markdown/blocks';
import { uuidFrom } from './markdown/ids';

/** The ids as they were first written. */
function referenceUuid(key: string): string {
  const h = createHash('sha256').update(key).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const texts = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '\0', '\uD800', 'a\uDC00b', '🙂'));

describe('hashes', () => {
  it('give the same ids and checksums as createHash, for any text (lone surrogates included)', () => {
    fc.assert(
      fc.property(texts, texts, (type, own) => {
        expect(sha256(own)).toBe(createHash('sha256').update(own).digest('hex'));
        expect(uuidFrom(own)).toBe(referenceUuid(own));
        expect(checksum(type, own)).toBe(createHash('sha256').update(type).update('\0').update(own).digest('hex'));
      }),
      { numRuns: 2000 },
    );
  });

  it('set the version and variant bits of every id', () => {
    for (let i = 0; i < 256; i++) expect(uuidFrom(`key ${i}`)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
