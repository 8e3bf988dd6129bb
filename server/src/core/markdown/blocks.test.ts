import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRegion, parseText } from './blocks';

describe('chunked parsing', () => {
  it('equals parsing the whole text at once on random large documents (property)', () => {
    const pieces = [
      '# Heading\n\n',
      '## Section\n\n',
      'A paragraph with **bold** and [[Ref]].\n\n',
      '- item\n  - nested\n\n',
      '1. one\n2. two\n\n',
      '> quote\n> more\n\n',
      '```\n\n# not a heading\n\n',
      '```\n\n',
      '~~~\ncode\n~~~\n\n',
      '  ```\n',
      '| IF A | THEN B |\n| --- | --- |\n| 1 | 2 |\n\n',
      '    indented code\n\n',
      'Setext\n---\n\n',
      '#not-a-heading\n\n',
      'lazy\n# right after\n\n',
      'Plain paragraph\nover two lines\n\n',
      '1) ordered\n\n',
      '2. continued\n\n',
      '+ plus item\n\n',
      '*emphasis* starts a paragraph\n\n',
      '***\n\n',
      '- loose\n\n  continued item\n\n',
      'a | b\n-- | --\n1 | 2\n\n',
      '[[Ref]] first\n\n',
      'IF A = 1 THEN B = 2\n\n',
    ];
    const rare = ['[x]: https://example.org\n\n', '<!-- comment\n\n# inside\n-->\n\n', '<div>\n# in html\n</div>\n\n'];
    fc.assert(
      fc.property(fc.array(fc.oneof({ arbitrary: fc.constantFrom(...pieces), weight: 30 }, { arbitrary: fc.constantFrom(...rare), weight: 1 }), { minLength: 5, maxLength: 60 }), (parts) => {
        const text = parts.join('');
        // A tiny chunk size so that every eligible heading becomes a cut.
        expect(parseText(text, 0, text.length, 0, 8)).toEqual(parseRegion(text, 0, text.length));
      }),
      { numRuns: Number(process.env.KOS_PROPERTY_RUNS ?? 300) },
    );
  }, 600_000);

  it('cuts a large document into several chunks', () => {
    const text = Array.from({ length: 40 }, (_, i) => `## Part ${i}\n\n${'Some text. '.repeat(100)}\n\n`).join('');
    const chunked = parseText(text);
    expect(chunked).toEqual(parseRegion(text, 0, text.length));
    expect(chunked.segments.filter((s) => s.kind === 'heading')).toHaveLength(40);
  });
});
