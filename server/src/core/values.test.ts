import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Value } from './model';
import { compareValues, parseValue, parseValueList, valuesEqual } from './values';

/** `kind value [unit] | canonical`, e.g. `number 5000 $ | $5,000`. */
function compact(v: Value): string {
  const shown = v.kind === 'date' ? new Date(v.value).toISOString().slice(0, 10) : String(v.value);
  const unit = v.kind === 'number' && v.unit ? ` ${v.unit}` : '';
  return `${v.kind} ${shown}${unit} | ${v.canonical}`;
}

describe('parseValue', () => {
  const cases: [string, string][] = [
    // percent
    ['10%', 'number 0.1 percent | 10%'],
    ['12.5 %', 'number 0.125 percent | 12.5%'],
    ['12.50%', 'number 0.125 percent | 12.5%'],
    ['-2%', 'number -0.02 percent | -2%'],
    ['0.5%', 'number 0.005 percent | 0.5%'],
    // money
    ['$5,000', 'number 5000 $ | $5,000'],
    ['$5000', 'number 5000 $ | $5,000'],
    ['CAD 5,000', 'number 5000 CAD | CAD 5,000'],
    ['cad 5000', 'number 5000 CAD | CAD 5,000'],
    ['5 000 $', 'number 5000 $ | $5,000'],
    ['5\u00a0000 $', 'number 5000 $ | $5,000'],
    ['USD 12.50', 'number 12.5 USD | US$12.50'],
    ['$12.5', 'number 12.5 $ | $12.50'],
    ['€1,200.50', 'number 1200.5 EUR | €1,200.50'],
    ['5,000 CAD', 'number 5000 CAD | CAD 5,000'],
    ['CA$5,000', 'number 5000 CAD | CAD 5,000'],
    ['C$ 250', 'number 250 CAD | CAD 250'],
    ['US$1', 'number 1 USD | US$1'],
    ['£3', 'number 3 GBP | £3'],
    ['-$5', 'number -5 $ | -$5'],
    ['CAD -5', 'number -5 CAD | CAD -5'],
    // European decimal comma: not supported (documented), so text
    ['€1.200,50', 'text €1.200,50 | €1.200,50'],
    ['€1.200', 'text €1.200 | €1.200'],
    // unknown currency codes are not money
    ['Top 100', 'text Top 100 | Top 100'],
    // plain numbers
    ['42', 'number 42 | 42'],
    ['-3.5', 'number -3.5 | -3.5'],
    ['1,250', 'number 1250 | 1,250'],
    ['1 250', 'number 1250 | 1,250'],
    ['1250', 'number 1250 | 1250'],
    ['+7', 'number 7 | 7'],
    ['.5', 'number 0.5 | 0.5'],
    ['1,25', 'text 1,25 | 1,25'],
    // dates
    ['2026-01-01', 'date 2026-01-01 | 2026-01-01'],
    ['January 1, 2026', 'date 2026-01-01 | 2026-01-01'],
    ['Jan 1, 2026', 'date 2026-01-01 | 2026-01-01'],
    ['Sept. 30, 2026', 'date 2026-09-30 | 2026-09-30'],
    ['1 Jan 2026', 'date 2026-01-01 | 2026-01-01'],
    ['1 January 2026', 'date 2026-01-01 | 2026-01-01'],
    ['29 February 2028', 'date 2028-02-29 | 2028-02-29'],
    ['2026-02-30', 'text 2026-02-30 | 2026-02-30'],
    ['29 February 2026', 'text 29 February 2026 | 29 February 2026'],
    ['Janu 1, 2026', 'text Janu 1, 2026 | Janu 1, 2026'],
    // booleans
    ['yes', 'boolean true | yes'],
    ['No', 'boolean false | no'],
    ['TRUE', 'boolean true | yes'],
    ['false', 'boolean false | no'],
    // text
    ['  Quebec  ', 'text Quebec | Quebec'],
    ['British Columbia', 'text British Columbia | British Columbia'],
    ['"Quebec"', 'text Quebec | Quebec'],
    ["'Quebec'", 'text Quebec | Quebec'],
    ['“Quebec”', 'text Quebec | Quebec'],
    ['"10%"', 'text 10% | 10%'],
    ['"yes"', 'text yes | yes'],
    ['', 'text  | '],
    // decoration
    ['**10%**', 'number 0.1 percent | 10%'],
    ['`10%`', 'number 0.1 percent | 10%'],
    ['_x_', 'text x | x'],
    ['**_yes_**', 'boolean true | yes'],
    ['*a* and *b*', 'text *a* and *b* | *a* and *b*'],
    ['snake_case_value', 'text snake_case_value | snake_case_value'],
    ['\\*literal\\*', 'text *literal* | *literal*'],
  ];
  it.each(cases)('%j → %s', (raw, expected) => {
    expect(compact(parseValue(raw))).toBe(expected);
  });

  it('keeps the trimmed source as raw', () => {
    expect(parseValue('  **10%** ').raw).toBe('**10%**');
  });

  it('never throws, and typed values survive a round trip through their canonical form', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const v = parseValue(s);
        if (v.kind !== 'text') expect(valuesEqual(parseValue(v.canonical), v)).toBe(true);
      }),
    );
    const written = fc.oneof(
      fc.tuple(fc.constantFrom('$', 'CAD ', '€', 'CA$'), fc.integer({ min: 0, max: 10_000_000 })).map(([c, n]) => `${c}${n.toLocaleString('en-US')}`),
      fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 99 })).map(([i, f]) => `${i}.${f}%`),
      fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    );
    fc.assert(
      fc.property(written, (s) => {
        const v = parseValue(s);
        expect(v.kind).not.toBe('text');
        expect(valuesEqual(parseValue(v.canonical), v)).toBe(true);
        expect(parseValue(v.canonical).canonical).toBe(v.canonical);
      }),
    );
  });

  it('handles a 1 MB value without throwing', () => {
    expect(parseValue('*'.repeat(1_000_000)).kind).toBe('text');
    expect(parseValue('1 '.repeat(500_000)).kind).toBe('text');
  });
});

describe('valuesEqual and compareValues', () => {
  const cases: [string, string, boolean, number | undefined][] = [
    ['10%', '10 %', true, 0],
    ['10%', '0.1', false, undefined], // percent only with percent
    ['10%', '$10', false, undefined],
    ['$5,000', 'USD 5000', true, 0],
    ['$5,000', '5000', true, 0], // no unit: compatible with any currency
    ['5000', '$6,000', false, -1],
    ['$5,000', 'CAD 5,000', true, 0],
    ['US$5,000', 'CAD 5,000', false, undefined],
    ['$5,000', '€5,000', false, undefined],
    ['5%', '10%', false, -1],
    ['2026-01-01', 'January 1, 2026', true, 0],
    ['2026-01-02', '2026-01-01', false, 1],
    ['yes', 'TRUE', true, 0],
    ['no', 'yes', false, -1],
    ['British  Columbia', 'british columbia', true, 0],
    ['Alberta', 'Quebec', false, -1],
    ['Quebec', '10', false, undefined],
    ['yes', '"yes"', false, undefined],
    ['2026-01-01', '2026', false, undefined],
  ];
  it.each(cases)('%j vs %j', (a, b, equal, order) => {
    const x = parseValue(a);
    const y = parseValue(b);
    expect(valuesEqual(x, y)).toBe(equal);
    expect(valuesEqual(y, x)).toBe(equal);
    expect(compareValues(x, y)).toBe(order);
    expect(compareValues(y, x)).toBe(order === undefined ? undefined : order === 0 ? 0 : -order);
  });

  it('tolerates rounding in computed numbers', () => {
    const a: Value = { kind: 'number', value: 0.1 + 0.2, raw: '', canonical: '' };
    expect(valuesEqual(a, parseValue('0.3'))).toBe(true);
    expect(compareValues(a, parseValue('0.3'))).toBe(0);
  });

  it('compares JSON structurally', () => {
    const json = (value: unknown): Value => ({ kind: 'json', value, raw: '', canonical: '' });
    expect(valuesEqual(json({ a: [1, { b: 2 }] }), json({ a: [1, { b: 2 }] }))).toBe(true);
    expect(valuesEqual(json({ a: 1, b: 2 }), json({ b: 2, a: 1 }))).toBe(true);
    expect(valuesEqual(json([1]), json({ 0: 1 }))).toBe(false);
    expect(compareValues(json(1), json(2))).toBeUndefined();
  });
});

describe('parseValueList', () => {
  const cases: [string, string[]][] = [
    ['1,250', ['1,250']],
    ['$5,000, $10,000', ['$5,000', '$10,000']],
    ['Quebec, Ontario', ['Quebec', 'Ontario']],
    ['1,2,3', ['1', '2', '3']],
    ['1,2345', ['1', '2345']],
    ['1,250,000, 7', ['1,250,000', '7']],
    ['1,250.50,3', ['1,250.50', '3']],
    ['Quebec,Ontario , Alberta', ['Quebec', 'Ontario', 'Alberta']],
    ['"Smith, John", Doe', ['"Smith, John"', 'Doe']],
    ['[[A, B]], C', ['[[A, B]]', 'C']],
    ['a,,b,', ['a', 'b']],
    ['', []],
  ];
  it.each(cases)('%j', (raw, expected) => {
    expect(parseValueList(raw)).toEqual(expected);
  });

  it('stays fast on hostile input', () => {
    expect(parseValueList('[['.repeat(500_000))).toHaveLength(1);
  });
});
