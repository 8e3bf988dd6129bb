import { describe, expect, it } from 'vitest';
import type { Condition } from '../model';
import { checkExceptions } from './exceptions';
import { and, constraint, define, domainView, exception, is, or, render, rule, type ViewSpec } from './testing';

const JURISDICTION = define('tax/inputs.md:1', 'Jurisdiction', ['Quebec', 'Ontario', 'Alberta']);

function check(spec: ViewSpec, expected: string[]): void {
  expect(render(checkExceptions(domainView({ definitions: [JURISDICTION], ...spec })))).toEqual(expected);
}

/** A rule at tax/rrsp.md:4 with one UNLESS (at line 5). */
const ruleWith = (when: Condition, unless: Condition) =>
  rule('tax/rrsp.md:4', { when, then: { 'Withholding Rate': '10%' }, unless: [unless] });

describe('orphan-exception', () => {
  it('fires at an UNLESS with no rule', () => {
    check({ orphans: [exception('tax/rrsp.md:2', is('Resident Status', '=', 'non-resident'), null)] }, [
      'warning orphan-exception tax/rrsp.md:2: This UNLESS has no rule to attach to: nest it under the rule it narrows, or write it at the end of that rule',
    ]);
  });

  it('fires at an UNLESS whose rule is not known', () => {
    check({ orphans: [exception('tax/rrsp.md:2', is('Resident Status', '=', 'non-resident'), 'gone')] }, [
      'warning orphan-exception tax/rrsp.md:2: This UNLESS has no rule to attach to: nest it under the rule it narrows, or write it at the end of that rule',
    ]);
  });

  it('fires at an UNLESS that can never apply inside its rule', () => {
    check({ rules: [ruleWith(is('Jurisdiction', '=', 'Quebec'), is('Jurisdiction', '=', 'Ontario'))] }, [
      'warning orphan-exception tax/rrsp.md:5: This UNLESS can never apply inside its rule: the rule at tax/rrsp.md:4 applies only ' +
        'when Jurisdiction = Quebec [→ tax/rrsp.md:4]',
    ]);
  });

  it('fires at an UNLESS that can never be true', () => {
    check({ rules: [ruleWith(is('Jurisdiction', '=', 'Quebec'), and(is('Withdrawal Amount', '<', '$5'), is('Withdrawal Amount', '>', '$10')))] }, [
      'warning orphan-exception tax/rrsp.md:5: This UNLESS can never apply inside its rule: its condition can never be true [→ tax/rrsp.md:4]',
    ]);
  });

  it.each<[string, Condition, Condition]>([
    ['an UNLESS on another input', is('Jurisdiction', '=', 'Quebec'), is('Resident Status', '=', 'non-resident')],
    ['an UNLESS narrowing the same input', is('Withdrawal Amount', '>', '$5,000'), is('Withdrawal Amount', '>', '$10,000')],
    ['an UNLESS touching one branch of an OR', or(is('Jurisdiction', '=', 'Quebec'), is('Withdrawal Amount', '<', '$5')), is('Jurisdiction', '=', 'Ontario')],
    ['an UNLESS at the closed bound', is('Withdrawal Amount', '>=', '$5,000'), is('Withdrawal Amount', '<=', '$5,000')],
  ])('does not fire at %s', (_, when, unless) => {
    check({ rules: [ruleWith(when, unless)] }, []);
  });

  it('does not fire at the UNLESS of a constraint', () => {
    const c = constraint('tax/limits.md:3', is('Withholding Rate', '<=', '30%'), { unless: [is('Jurisdiction', '=', 'Quebec')] });
    check({ constraints: [c] }, []);
  });
});
