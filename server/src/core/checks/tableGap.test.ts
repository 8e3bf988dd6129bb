import { describe, expect, it } from 'vitest';
import { checkTableGaps, MAX_COMBINATIONS } from './tableGap';
import { cell, define, domainView, render, table, type Cell } from './testing';

const JURISDICTION = define('tax/inputs.md:1', 'Jurisdiction', ['Quebec', 'Ontario', 'Alberta']);
const INPUTS = ['Jurisdiction', 'Withdrawal Amount'];

/** A table at tax/table.md:10 (rows from line 11) over Jurisdiction and Withdrawal Amount, setting Withholding Rate. */
function check(rows: Cell[][], expected: string[], inputs = INPUTS): void {
  const t = table('tax/table.md:10', inputs, ['Withholding Rate'], rows);
  expect(render(checkTableGaps(domainView({ definitions: [JURISDICTION], tables: [t] })))).toEqual(expected);
}

const small = cell('<=', '$5,000');
const large = cell('>', '$5,000');

describe('table-gap', () => {
  it('does not fire at a complete table', () => {
    check(
      [
        ['Quebec', small, '5%'],
        ['Quebec', large, '10%'],
        [['Ontario', 'Alberta'], null, '10%'],
      ],
      [],
    );
  });

  it('fires at a missing enumerated value, whatever the other inputs', () => {
    check(
      [
        ['Quebec', small, '5%'],
        ['Quebec', large, '10%'],
        ['Ontario', null, '10%'],
      ],
      ['information table-gap tax/table.md:11: No row covers: Jurisdiction = Alberta'],
    );
  });

  it('fires at a missing range and merges adjacent cells', () => {
    check(
      [
        ['Quebec', cell('<', '$5,000'), '5%'],
        ['Quebec', cell('>', '$10,000'), '10%'],
        [['Ontario', 'Alberta'], null, '10%'],
      ],
      ['information table-gap tax/table.md:11: No row covers: Jurisdiction = Quebec, Withdrawal Amount between $5,000 and $10,000'],
    );
  });

  it('treats money as whole cents: $5,000.01.. follows <= $5,000 without a gap', () => {
    check(
      [
        ['Quebec', small, '5%'],
        ['Quebec', cell('between', '$5,000.01', '$15,000'), '10%'],
        ['Quebec', cell('>', '$15,000'), '15%'],
        [['Ontario', 'Alberta'], null, '10%'],
      ],
      [],
    );
  });

  it('still sees a gap of one cent or more between money bands', () => {
    check(
      [
        ['Quebec', small, '5%'],
        ['Quebec', cell('between', '$5,000.02', '$15,000'), '10%'],
        ['Quebec', cell('>', '$15,000'), '15%'],
        [['Ontario', 'Alberta'], null, '10%'],
      ],
      ['information table-gap tax/table.md:11: No row covers: Jurisdiction = Quebec, Withdrawal Amount > $5,000 and < $5,000.02'],
    );
  });

  it('keeps open and closed bounds apart', () => {
    check(
      [
        ['Quebec', cell('<', '$5,000'), '5%'],
        ['Quebec', large, '10%'],
        [['Ontario', 'Alberta'], null, '10%'],
      ],
      ['information table-gap tax/table.md:11: No row covers: Jurisdiction = Quebec, Withdrawal Amount = $5,000'],
    );
  });

  it('lists at most five gaps', () => {
    const rows: Cell[][] = ['$0', '$1', '$2', '$3', '$4', '$5', '$6'].map((v) => [v, 'yes', '5%']);
    check(
      rows,
      [
        'information table-gap tax/table.md:11: No row covers: Withdrawal Amount = $0, Requires SIN = no; ' +
          'Withdrawal Amount = $1, Requires SIN = no; Withdrawal Amount = $2, Requires SIN = no; ' +
          'Withdrawal Amount = $3, Requires SIN = no; Withdrawal Amount = $4, Requires SIN = no (and 3 more)',
      ],
      ['Withdrawal Amount', 'Requires SIN'],
    );
  });

  it('enumerates booleans and names each uncovered combination', () => {
    check(
      [
        ['Quebec', 'yes', '5%'],
        ['Ontario', 'no', '10%'],
        ['Alberta', null, '10%'],
      ],
      ['information table-gap tax/table.md:11: No row covers: Jurisdiction = Quebec, Requires SIN = no; Jurisdiction = Ontario, Requires SIN = yes'],
      ['Jurisdiction', 'Requires SIN'],
    );
  });

  it('treats dates as ranges', () => {
    check(
      [
        [cell('<', '2026-01-01'), '5%'],
        [cell('>', '2026-01-01'), '10%'],
      ],
      ['information table-gap tax/table.md:11: No row covers: Effective Date = 2026-01-01'],
      ['Effective Date'],
    );
  });

  it('does not fire when a text input has no one-of list', () => {
    check(
      [
        ['resident', '5%'],
        ['non-resident', '10%'],
      ],
      [],
      ['Resident Status'],
    );
  });

  it('says so when it stops before the end', () => {
    const inputs = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    // Three bounds cut each input into 7 cells, 5 of which some row covers: the walk has 5^7 leaves to visit.
    const rows: Cell[][] = [1, 2, 3].map((v) => [...inputs.map(() => cell('<', String(v))), '5%']);
    const findings = checkTableGaps(domainView({ tables: [table('t.md:1', inputs, ['R'], rows)] }));
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/\(stopped after 10,000 combinations; there may be more\)$/);
    expect(findings[0].data).toMatchObject({ capped: true });
    expect(MAX_COMBINATIONS).toBe(10_000);
  });
});
