import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { knowledgeLine, knowledgeText } from './arbitraries';
import { canonicalJson } from './checksum';
import { documentRecords, type DocumentRecords } from './records';
import { tenant } from './sql/tenant';

/** Every row of `records`, with its canonical JSON computed again from a plain copy (not the fast path records take). */
function rowsAndSlowJson(records: DocumentRecords): [object, string][] {
  const rows: object[] = [records.domain, records.document, ...records.blocks, ...records.atoms, ...records.molecules];
  return rows.map((row) => [row, canonicalJson(JSON.parse(JSON.stringify(row)))]);
}

describe('document records', () => {
  it('have the canonical JSON (and so the checksums) of their content, whichever way it is computed', () => {
    fc.assert(
      fc.property(fc.array(knowledgeLine, { maxLength: 10 }), (lines) => {
        const records = documentRecords(tenant('acme'), parseDocument('file:///kb/domains/tax/doc.md', knowledgeText('tax', lines)));
        for (const [row, slow] of rowsAndSlowJson(records)) expect(canonicalJson(row)).toBe(slow);
      }),
      { numRuns: 100 },
    );
    const text = [
      '---\ndomain: tax\nz: 1\nowner: { b: 2, a: [3, { d: 4, c: 5 }] }\n__proto__: { x: 1 }\n---',
      '# Rates',
      '- **Config**: `{"b": 1, "a": {"__proto__": 2, "10": 3, "9": 4}}`',
      '- **Region**: one of Quebec, Ontario',
      '- IF [[Region]] = Quebec AND Amount > $5,000 THEN Withholding = 10% {warn}\n  - UNLESS Status = non-resident',
      '- Withdrawal REQUIRES [[Config]]',
      '| IF Region | THEN Fee |\n| --- | --- |\n| Quebec | 5% |',
      'Text with "quotes", \\backslashes\\ and a value of 12% in it.',
    ].join('\n\n');
    for (const [row, slow] of rowsAndSlowJson(documentRecords(tenant('acme'), parseDocument('file:///kb/domains/tax/x.md', text)))) {
      expect(canonicalJson(row)).toBe(slow);
    }
  });
});
