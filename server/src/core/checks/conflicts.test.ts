import { describe, expect, it } from 'vitest';
import { checkConflicts } from './conflicts';
import type { RuleEntry } from './context';
import { and, define, domainView, is, refTo, render, rule, table, type ViewSpec } from './testing';

const JURISDICTION = define('tax/inputs.md:1', 'Jurisdiction', ['Quebec', 'Ontario', 'Alberta']);

function check(rules: RuleEntry[], expected: string[], spec: ViewSpec = {}): void {
  const view = domainView({ definitions: [JURISDICTION], ...spec, rules });
  expect(render(checkConflicts(view))).toEqual(expected);
}

const quebec = is('Jurisdiction', '=', 'Quebec');
const large = is('Withdrawal Amount', '>', '$5,000');
const rate = (r: string) => ({ 'Withholding Rate': r });

describe('rule-conflict', () => {
  it('fires at both rules, naming the case, the values and the other place', () => {
    check(
      [
        rule('tax/rrsp.md:14', { when: and(quebec, large), then: rate('10%') }),
        rule('tax/other.md:3', { when: quebec, then: rate('15%') }),
      ],
      [
        'warning rule-conflict tax/rrsp.md:14: Conflicts with the rule at tax/other.md:3: both apply when Jurisdiction = Quebec, ' +
          'Withdrawal Amount > $5,000 but set Withholding Rate to 10% here and 15% there [→ tax/other.md:3]',
        'warning rule-conflict tax/other.md:3: Conflicts with the rule at tax/rrsp.md:14: both apply when Jurisdiction = Quebec, ' +
          'Withdrawal Amount > $5,000 but set Withholding Rate to 15% here and 10% there [→ tax/rrsp.md:14]',
      ],
    );
  });

  it('puts the other rule and the target in data, and uses the stricter enforcement', () => {
    const view = domainView({
      definitions: [JURISDICTION],
      rules: [
        rule('a.md:1', { when: quebec, then: rate('10%'), enforcement: 'inform' }),
        rule('a.md:2', { when: quebec, then: rate('15%'), enforcement: 'block' }),
      ],
    });
    const [first, second] = checkConflicts(view);
    expect([first.severity, second.severity]).toEqual(['error', 'error']);
    expect(first.data).toEqual({ otherRuleId: 'block:a.md:2', otherUri: 'a.md', target: 'withholding rate' });
  });

  // [case, rule at a.md:1, rule at a.md:2, conflict?]
  it.each<[string, RuleEntry, RuleEntry, boolean]>([
    [
      'touching intervals do not overlap',
      rule('a.md:1', { when: is('Withdrawal Amount', '<=', '$5,000'), then: rate('5%') }),
      rule('a.md:2', { when: is('Withdrawal Amount', '>', '$5,000'), then: rate('10%') }),
      false,
    ],
    [
      'closed bounds overlap at the bound',
      rule('a.md:1', { when: is('Withdrawal Amount', '>=', '$5,000'), then: rate('5%') }),
      rule('a.md:2', { when: is('Withdrawal Amount', '<=', '$5,000'), then: rate('10%') }),
      true,
    ],
    [
      'an exception covering the whole overlap',
      rule('a.md:1', { when: quebec, then: rate('5%'), unless: [large] }),
      rule('a.md:5', { when: and(quebec, large), then: rate('10%') }),
      false,
    ],
    [
      'an exception covering part of the overlap',
      rule('a.md:1', { when: quebec, then: rate('5%'), unless: [is('Withdrawal Amount', '>', '$10,000')] }),
      rule('a.md:5', { when: and(quebec, large), then: rate('10%') }),
      true,
    ],
    [
      'equal results',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: large, then: rate('10.0%') }),
      false,
    ],
    [
      'different targets',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: quebec, then: { 'Filing Deadline': '2026-04-30' } }),
      false,
    ],
    [
      'IN lists overlapping',
      rule('a.md:1', { when: is('Jurisdiction', 'in', 'Quebec', 'Ontario'), then: rate('10%') }),
      rule('a.md:2', { when: is('Jurisdiction', 'in', 'Ontario', 'Alberta'), then: rate('15%') }),
      true,
    ],
    [
      'IN lists disjoint',
      rule('a.md:1', { when: is('Jurisdiction', 'in', 'Quebec'), then: rate('10%') }),
      rule('a.md:2', { when: is('Jurisdiction', 'in', 'Ontario', 'Alberta'), then: rate('15%') }),
      false,
    ],
    [
      '!= against = of the same value',
      rule('a.md:1', { when: is('Jurisdiction', '!=', 'Quebec'), then: rate('10%') }),
      rule('a.md:2', { when: quebec, then: rate('15%') }),
      false,
    ],
    [
      '!= against = of another value',
      rule('a.md:1', { when: is('Jurisdiction', '!=', 'Ontario'), then: rate('10%') }),
      rule('a.md:2', { when: quebec, then: rate('15%') }),
      true,
    ],
    [
      'dates as intervals, disjoint',
      rule('a.md:1', { when: is('Effective Date', '>=', '2026-01-01'), then: rate('10%') }),
      rule('a.md:2', { when: is('Effective Date', '<', '2026-01-01'), then: rate('15%') }),
      false,
    ],
    [
      'dates as intervals, overlapping',
      rule('a.md:1', { when: is('Effective Date', '>=', '2026-01-01'), then: rate('10%') }),
      rule('a.md:2', { when: is('Effective Date', 'between', '2025-06-01', '2026-06-30'), then: rate('15%') }),
      true,
    ],
    [
      'percent and money are not comparable',
      rule('a.md:1', { when: is('Withdrawal Amount', '>', '10%'), then: rate('10%') }),
      rule('a.md:2', { when: is('Withdrawal Amount', '>', '$5'), then: rate('15%') }),
      false,
    ],
    [
      'results of different units differ',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: quebec, then: rate('$10') }),
      true,
    ],
    [
      'texts compare case-insensitively',
      rule('a.md:1', { when: quebec, then: { Form: 'T4RSP' } }),
      rule('a.md:2', { when: is('Jurisdiction', '=', 'quebec'), then: { Form: 't4rsp' } }),
      false,
    ],
    [
      'an unresolved result is unknown',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: quebec, then: { 'Withholding Rate': refTo('Undefined Rate') } }),
      false,
    ],
    [
      'inputs only one rule constrains',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: large, then: rate('15%') }),
      true,
    ],
    [
      'a rule that can never apply',
      rule('a.md:1', { when: is('Jurisdiction', '=', 'Quebek'), then: rate('10%') }),
      rule('a.md:2', { when: large, then: rate('15%') }),
      false,
    ],
  ])('%s', (_, a, b, expected) => {
    const findings = checkConflicts(domainView({ definitions: [JURISDICTION], rules: [a, b] }));
    expect(findings.filter((f) => f.code === 'rule-conflict').length).toBe(expected ? 2 : 0);
  });

  it('names the part of the overlap an exception leaves', () => {
    check(
      [
        rule('a.md:1', { when: quebec, then: rate('5%'), unless: [is('Withdrawal Amount', '>', '$10,000')] }),
        rule('a.md:5', { when: and(quebec, large), then: rate('10%') }),
      ],
      [
        'warning rule-conflict a.md:1: Conflicts with the rule at a.md:5: both apply when Jurisdiction = Quebec, ' +
          'Withdrawal Amount > $5,000 and ≤ $10,000 but set Withholding Rate to 5% here and 10% there [→ a.md:5]',
        'warning rule-conflict a.md:5: Conflicts with the rule at a.md:1: both apply when Jurisdiction = Quebec, ' +
          'Withdrawal Amount > $5,000 and ≤ $10,000 but set Withholding Rate to 10% here and 5% there [→ a.md:1]',
      ],
    );
  });

  it('reports rows of one decision table', () => {
    const rows = table(
      'tax/table.md:10',
      ['Jurisdiction', 'Withdrawal Amount'],
      ['Withholding Rate'],
      [
        ['Quebec', { op: '<=', values: ['$5,000'] }, '5%'],
        ['Quebec', null, '10%'],
      ],
    );
    check([], [
      'warning rule-conflict tax/table.md:11: Conflicts with the rule at tax/table.md:12: both apply when Jurisdiction = Quebec, ' +
        'Withdrawal Amount ≤ $5,000 but set Withholding Rate to 5% here and 10% there [→ tax/table.md:12]',
      'warning rule-conflict tax/table.md:12: Conflicts with the rule at tax/table.md:11: both apply when Jurisdiction = Quebec, ' +
        'Withdrawal Amount ≤ $5,000 but set Withholding Rate to 10% here and 5% there [→ tax/table.md:11]',
    ], { tables: [rows] });
  });

  it('phrases rules without conditions', () => {
    check(
      [rule('a.md:1', { when: and(), then: rate('10%') }), rule('a.md:2', { when: and(), then: rate('15%') })],
      [
        'warning rule-conflict a.md:1: Conflicts with the rule at a.md:2: both apply in every case but set Withholding Rate to 10% here and 15% there [→ a.md:2]',
        'warning rule-conflict a.md:2: Conflicts with the rule at a.md:1: both apply in every case but set Withholding Rate to 15% here and 10% there [→ a.md:1]',
      ],
    );
  });

  it('compares only rules that share a target, over hundreds of rules', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      rule(`big.md:${i}`, { when: and(quebec, is('Withdrawal Amount', 'between', `$${i * 10}`, `$${i * 10 + 9}`)), then: { [`Target ${i % 40}`]: `${i}%` } }),
    );
    const started = performance.now();
    expect(checkConflicts(domainView({ definitions: [JURISDICTION], rules: many }))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('redundant-rule', () => {
  it('fires at a rule another one covers with the same result', () => {
    check(
      [
        rule('a.md:1', { when: quebec, then: rate('10%') }),
        rule('a.md:2', { when: and(quebec, large), then: rate('10%') }),
      ],
      ['information redundant-rule a.md:2: Redundant: the rule at a.md:1 already sets Withholding Rate to 10% whenever this rule applies [→ a.md:1]'],
    );
  });

  it('reports only the later of two rules that cover each other', () => {
    check(
      [rule('b.md:7', { when: quebec, then: rate('10%') }), rule('b.md:3', { when: is('Jurisdiction', 'in', 'quebec'), then: rate('10%') })],
      ['information redundant-rule b.md:7: Redundant: the rule at b.md:3 already sets Withholding Rate to 10% whenever this rule applies [→ b.md:3]'],
    );
  });

  it.each<[string, RuleEntry, RuleEntry]>([
    ['partial overlap', rule('a.md:1', { when: quebec, then: rate('10%') }), rule('a.md:2', { when: large, then: rate('10%') })],
    [
      'the covering rule does not set every result',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: and(quebec, large), then: { ...rate('10%'), Form: 'T4RSP' } }),
    ],
    [
      'an exception of the covering rule leaves part uncovered',
      rule('a.md:1', { when: quebec, then: rate('10%'), unless: [is('Withdrawal Amount', '>', '$10,000')] }),
      rule('a.md:5', { when: and(quebec, large), then: rate('10%') }),
    ],
    [
      'different results (a conflict, not a redundancy)',
      rule('a.md:1', { when: quebec, then: rate('10%') }),
      rule('a.md:2', { when: and(quebec, large), then: rate('15%') }),
    ],
  ])('does not fire: %s', (_, a, b) => {
    const findings = checkConflicts(domainView({ definitions: [JURISDICTION], rules: [a, b] }));
    expect(findings.filter((f) => f.code === 'redundant-rule')).toEqual([]);
  });

  it('covers a rule whose results include several targets', () => {
    check(
      [
        rule('a.md:1', { when: quebec, then: { ...rate('10%'), Form: 'T4RSP' } }),
        rule('a.md:2', { when: and(quebec, large), then: { Form: 't4rsp' } }),
      ],
      ['information redundant-rule a.md:2: Redundant: the rule at a.md:1 already sets Form to t4rsp whenever this rule applies [→ a.md:1]'],
    );
  });
});

describe('rules that set one target, in a view without a memo (a worker, `kos check`)', () => {
  it("work out each rule's region once, not once per pair", () => {
    const n = 60;
    const rules = Array.from({ length: n }, (_, i) =>
      rule(`fees.md:${i + 1}`, { when: and(is('Withdrawal Amount', '>', `$${i * 100}`), is('Withdrawal Amount', '<=', `$${i * 100 + 100}`)), then: { Fee: `${i % 7}%` } }),
    );
    const view = domainView({ rules });
    // A region asks for the values its subjects may take once per comparison.
    let asked = 0;
    const counted = { ...view, enumeration: (key: string) => (asked++, view.enumeration(key)) };
    // Disjoint amounts: no conflict, every pair compared.
    expect(render(checkConflicts(counted))).toEqual([]);
    expect(asked).toBe(2 * n);
  });
});
