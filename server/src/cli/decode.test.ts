import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMarkdown } from './decode';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('decodeMarkdown', () => {
  it('decodes UTF-8, including characters outside the BMP', () => {
    expect(decodeMarkdown(bytes('# Taxes 🇨🇦 é\n'))).toEqual({ text: '# Taxes 🇨🇦 é\n' });
  });

  it('strips a byte order mark', () => {
    expect(decodeMarkdown(bytes([0xef, 0xbb, 0xbf], '# Title\n'))).toEqual({ text: '# Title\n' });
  });

  it('names the first invalid byte and its offset', () => {
    expect(decodeMarkdown(bytes('# Title\nabc', [0xff], 'rest'))).toEqual({
      reason: 'not valid UTF-8 (byte 0xff at offset 11)',
    });
  });

  it('points at the first byte of an unfinished character, not the byte that interrupts it', () => {
    // A Latin-1 "é" (0xe9) before a space; a UTF-16 surrogate encoded in UTF-8.
    expect(decodeMarkdown(bytes('caf', [0xe9], ' au lait'))).toEqual({
      reason: 'not valid UTF-8 (byte 0xe9 at offset 3)',
    });
    expect(decodeMarkdown(bytes('ab', [0xed, 0xa0, 0x80]))).toEqual({
      reason: 'not valid UTF-8 (byte 0xed at offset 2)',
    });
  });

  it('recognises a file cut in the middle of a character', () => {
    expect(decodeMarkdown(bytes('price: 5', [0xe2, 0x82]))).toEqual({
      reason: 'not valid UTF-8 (byte 0xe2 at offset 8)',
    });
  });

  it('treats NUL bytes as binary', () => {
    expect(decodeMarkdown(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]))).toEqual({
      reason: 'looks binary (NUL byte at offset 8)',
    });
  });

  it('accepts an empty file', () => {
    expect(decodeMarkdown(new Uint8Array())).toEqual({ text: '' });
  });
});

describe('decodeMarkdown on arbitrary bytes', () => {
  it('fails exactly when the strict decoder does (or on NUL), at a byte whose prefix is still valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (input) => {
        const result = decodeMarkdown(input);
        const strict = (bytes: Uint8Array, stream = false) => {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream });
            return true;
          } catch {
            return false;
          }
        };
        if ('text' in result) return strict(input) && !input.includes(0);
        const offset = Number(/offset (\d+)\)$/.exec(result.reason)?.[1]);
        if (result.reason.startsWith('looks binary')) return input.indexOf(0) === offset;
        return !input.includes(0) && !strict(input) && offset < input.length && strict(input.subarray(0, offset), true);
      }),
    );
  });
});
