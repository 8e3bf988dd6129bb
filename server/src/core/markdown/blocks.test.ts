import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largeDocument } from '../../../../test/bench/generate';
import { exampleTexts } from '../testing/examples';
import { parseMarkdown, parseMarkdownWithGfm, parseRegion, parseText } from './blocks';

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

describe('parsing without autolink literals', () => {
  const gfmPieces = [
    '| IF A | THEN B |\n| --- | --- |\n| 1 | 2 |\n\n',
    'a ~~struck~~ word and ~one~ tilde\n\n',
    '- [ ] open task\n- [x] done task\n\n',
    'A note[^1].\n\n[^1]: The footnote.\n\n',
    'Text with a ww.not-a-link and http:/half and user at example.org\n\n',
    '# Heading with *emphasis* and `code`\n\n',
    '- IF [[Income]] > $50,000 THEN [[Rate]] = 30%\n  - UNLESS [[Province]] = Quebec\n\n',
    '<span>inline html</span> and <b>bold</b>\n\n',
    '[link](http) and ![image](x.png)\n\n',
    '```json\n{"a": 1}\n```\n\n',
  ];

  it('gives the same tree as remark-gfm on text that holds no @, www. or :// (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...gfmPieces), { minLength: 1, maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect(/@|www\.|:\/\//i.test(text)).toBe(false);
        expect(parseMarkdown(text)).toEqual(parseMarkdownWithGfm(text));
      }),
      { numRuns: 200 },
    );
  });

  it('still turns bare links and e-mail addresses into links', () => {
    const tree = parseMarkdown('See www.canada.ca, https://cra.gc.ca/x and ask help@cra.example.org.');
    const links = JSON.stringify(tree).match(/"type":"link"/g) ?? [];
    expect(links).toHaveLength(3);
    expect(tree).toEqual(parseMarkdownWithGfm('See www.canada.ca, https://cra.gc.ca/x and ask help@cra.example.org.'));
  });

  it('gives the same tree as remark-gfm on the bundled examples and the generated benchmark file', () => {
    const examples = exampleTexts();
    expect(examples.length).toBeGreaterThan(3);
    const texts = [...examples, largeDocument(400)];
    for (const text of texts) expect(parseMarkdown(text)).toEqual(parseMarkdownWithGfm(text));
  });
});
