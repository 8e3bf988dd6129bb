import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largeDocument, section } from '../../../../test/bench/generate';
import { exampleTexts } from '../testing/examples';
import { parseRegion, parseRegionWithRemark } from './blocks';
import { parseSimpleMarkdown } from './simple';

const RUNS = Number(process.env.KOS_PROPERTY_RUNS ?? 300);

/** The fast parser either declines or gives exactly remark's blocks and segments. */
function expectSameAsRemark(text: string): boolean {
  let remark;
  try {
    remark = parseRegionWithRemark(text, 0, text.length);
  } catch (error) {
    // mdast-util-gfm-task-list-item asserts on some task-like text (`1.\n[ ]\nword`) in development
    // builds, which tests run; such text is one the fast parser declines anyway.
    expect(parseSimpleMarkdown(text)).toBeNull();
    expect((error as { code?: string }).code).toBe('ERR_ASSERTION');
    return false;
  }
  const fast = parseSimpleMarkdown(text) !== null;
  expect(parseRegion(text, 0, text.length)).toEqual(remark);
  return fast;
}

// Lines built from fragments that exercise the block and inline rules (and some the parser must decline).
const inlineFragments = [
  'word', 'Rate', ' ', ' ', '  ', '*', '**', '***', '_', '__', '`', '``', '[', ']', '](u)', '](file.pdf)', '](a (t))', '](a "t")',
  '![', '(', ')', '\\', '\\*', '\\[', '!', '.', ',', ':', '$5,000', '30%', '[[Rate 1]]', 'é', '—', '😀', '<=', '>', '=', '|',
  '#', '{warn}', 'IF', 'THEN', 'MUST BE', 'a_b', '2*3', '\u00a0', ' #', '"', "'", '-', '+', '1.',
];
/** Fragments the parser leaves to remark (rarer, so that most documents take the fast path). */
const declined = ['~', '&amp;', '<b>', '[^1]', 'x@y', 'http://x', '[ ]', '[x]: u', '\t'];
const prefixes = ['', '', '', '', ' ', '  ', '   ', '    ', '# ', '## ', '###### ', '####### ', '#', '- ', '* ', '+ ', '1. ', '2) ', '10. ',
  '> ', '>', '> - ', '- - ', '  - ', '    - ', '   1. ', '| ', '- [ ] ', '> [!NOTE] ', '> > ', '  ```', '- # ', '1. - ', '>  '];
const wholeLines = ['', '', '', '---', '***', '* * *', '- - -', '___', '===', '```', '```js', '``` x`y', '| --- | :-: |', '| - |', '--- | ---',
  '|a|b|', '| a | b |', '| 1 | 2 |', 'a | b', '-', '1.', '>', '  ', '\\', '---\nk: v\n---'];

const line = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...prefixes), fc.array(fc.oneof({ weight: 60, arbitrary: fc.constantFrom(...inlineFragments) }, { weight: 1, arbitrary: fc.constantFrom(...declined) }), { maxLength: 8 })).map(([p, f]) => p + f.join('')) },
  { weight: 1, arbitrary: fc.constantFrom(...wholeLines) },
);
/** Lines ended by `\n`, or (in a quarter of the documents each) by `\r\n` or by a mix of both. */
const document = fc.tuple(fc.array(line, { minLength: 1, maxLength: 14 }), fc.constantFrom('lf', 'lf', 'crlf', 'mixed')).map(([lines, eol]) => {
  if (eol === 'lf') return lines.join('\n');
  if (eol === 'crlf') return lines.join('\n').replace(/\n/g, '\r\n');
  return lines.reduce((text, l, i) => (i === 0 ? l : text + (i % 2 ? '\r\n' : '\n') + l), '');
});

describe('the simple Markdown parser', () => {
  it('gives remark’s blocks or declines, on random documents (property)', () => {
    let fast = 0;
    fc.assert(
      fc.property(document, (text) => {
        if (expectSameAsRemark(text)) fast++;
      }),
      { numRuns: RUNS * 10 },
    );
    // The property must exercise the fast parser, not only its refusals.
    expect(fast).toBeGreaterThan(RUNS * 2);
  }, 600_000);

  it('gives remark’s blocks on documents of knowledge-like sections (property)', () => {
    const pieces = [
      ...Array.from({ length: 5 }, (_, n) => section(n)),
      '> [!NOTE]\n> A callout over\n> two lines, and a lazy\nthird.\n\n',
      '- a\n  - b\n    - c\n  continued\n\n',
      '1. one\n2. two\n   - inner\n\n10. ten\n\n',
      '- loose\n\n  second paragraph\n\n- next\n\n',
      '```json\n{"a": [1, 2]}\n```\n\n',
      '| A | B |\n|:--|--:|\n| *x* | `y` |\n\n',
      'Text with [a link](rates.md), ![a chart](chart.png) and `code`.\n\n',
      '![only an image](chart.png)\n\n',
      '[the guide](guide.pdf)\n\n',
      '***\n\n',
      '### Heading ###\n\n',
      'Escaped \\*stars\\* and a hard  \nbreak and \\\nanother.\n\n',
      '# Written on Windows\r\n\r\n- **Rate**: 5%\r\n- IF [[Rate]] > 1% THEN Fee = 2%\r\n  - UNLESS Status = exempt\r\n\r\n| IF A | THEN B |\r\n| --- | --- |\r\n| 1 | 2 |\r\n\r\nA paragraph  \r\nwith *a break*\r\nand more.\r\n\r\n```\r\ncode\r\n```\r\n\r\n',
      // Half-typed rules in the middle of other blocks.
      '| IF A | THEN B |\n- IF [[A]| --- | --- |\n| 1 | 2 |\n\n',
      '| IF A | THEN B |\n| --- | --- |\n- IF [[A]] = 1 THEN| 1 | 2 |\n| 3 | 4 |\n\n',
      '- IF [[A]] = 1 THEN B = 2\n- IF [[A]] = 2 THEN\n- **C**: 3\n\n',
      '- **Rate**: 5%\n- IF [[Rate]]See [[Rate]] in the text.\n\n',
      '- **Rate**: 5%\n-\n- **Fee**: 2%\n\n',
      '- **Rate**: 5%\n- \n\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(expectSameAsRemark(text)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads the generated benchmark workspace and the bundled examples it accepts exactly as remark', () => {
    expect(expectSameAsRemark(largeDocument(400))).toBe(true);
    const examples = exampleTexts();
    expect(examples.length).toBeGreaterThan(3);
    for (const text of examples) expectSameAsRemark(text);
  });

  it('declines what it leaves to remark', () => {
    for (const text of [
      'Title\n=====\n',
      'old Mac\rline endings\r',
      'Title\n---\n',
      '    indented code\n',
      '```\nunclosed\n',
      '<div>html</div>\n',
      'a ~~strike~~\n',
      'see https://cra.gc.ca\n',
      '[x]: https://example.org\n',
      'a note[^1]\n',
      '- [ ] task\n',
      'tab\there\n',
      'AT&amp;T\n',
      '- > quote in a list\n',
      '> ```\n> code in a quote\n> ```\n',
      '>  * 1.  word\n> - word',
      '> * a\n>   - b\n>\n> 1. c\n',
    ]) {
      expect(parseSimpleMarkdown(text), text).toBeNull();
      expectSameAsRemark(text);
    }
  });
});
