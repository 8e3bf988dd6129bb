import { describe, expect, it } from 'vitest';
import { checkConstraints } from './constraints';
import { and, constraint, define, domainView, is, refTo, render, rule, table, type ViewSpec } from './testing';

function check(spec: ViewSpec, expected: string[]): void {
  expect(render(checkConstraints(domainView(spec)))).toEqual(expected);
}

const atMost30 = constraint('tax/limits.md:3', is('Withholding Rate', '<=', '30%'), { enforcement: 'block' });
const JURISDICTION = define('tax/inputs.md:1', 'Jurisdiction', ['Quebec', 'Ontario', 'Alberta']);

describe('constraint-violation: MUST BE', () => {
  it('fires at a definition that breaks a constraint', () => {
    check({ constraints: [atMost30], definitions: [define('tax/rates.md:5', 'Withholding Rate', '35%')] }, [
      'error constraint-violation tax/rates.md:5: Withholding Rate = 35% breaks the constraint Withholding Rate ≤ 30% at tax/limits.md:3 [→ tax/limits.md:3]',
    ]);
  });

  it('does not fire at a definition exactly at the bound', () => {
    check({ constraints: [atMost30], definitions: [define('tax/rates.md:5', 'Withholding Rate', '30%')] }, []);
  });

  it('fires at a rule result, with the constraint’s enforcement', () => {
    const warn = constraint('tax/limits.md:3', is('Withholding Rate', '<=', '30%'));
    check({ constraints: [warn], rules: [rule('tax/rrsp.md:9', { when: is('Jurisdiction', '=', 'Quebec'), then: { 'Withholding Rate': '35%' } })] }, [
      'warning constraint-violation tax/rrsp.md:9: Withholding Rate = 35% breaks the constraint Withholding Rate ≤ 30% at tax/limits.md:3 [→ tax/limits.md:3]',
    ]);
  });

  it('fires at a table output', () => {
    const rates = table('tax/table.md:20', ['Jurisdiction'], ['Withholding Rate'], [['Quebec', '10%'], ['Ontario', '40%']]);
    check({ constraints: [atMost30], tables: [rates] }, [
      'error constraint-violation tax/table.md:22: Withholding Rate = 40% breaks the constraint Withholding Rate ≤ 30% at tax/limits.md:3 [→ tax/limits.md:3]',
    ]);
  });

  it('follows a result that refers to another atom', () => {
    check(
      {
        constraints: [atMost30],
        definitions: [define('tax/rates.md:1', 'Quebec Tax Rate', '45%')],
        rules: [rule('tax/rrsp.md:9', { when: is('Jurisdiction', '=', 'Quebec'), then: { 'Withholding Rate': refTo('Quebec Tax Rate') } })],
      },
      [
        'error constraint-violation tax/rrsp.md:9: Withholding Rate = 45% breaks the constraint Withholding Rate ≤ 30% at tax/limits.md:3 [→ tax/limits.md:3]',
      ],
    );
  });

  describe('constraint exceptions', () => {
    const exempt = constraint('tax/limits.md:3', is('Withholding Rate', '<=', '30%'), { unless: [is('Resident Status', '=', 'non-resident')] });
    const result = (when: Parameters<typeof rule>[1]['when']) => rule('tax/rrsp.md:9', { when, then: { 'Withholding Rate': '35%' } });

    it('skip a rule that applies only inside the exception', () => {
      check({ constraints: [exempt], rules: [result(and(is('Jurisdiction', '=', 'Quebec'), is('Resident Status', '=', 'Non-Resident')))] }, []);
    });

    it('do not skip a rule that also applies outside it', () => {
      check({ constraints: [exempt], rules: [result(is('Jurisdiction', '=', 'Quebec'))] }, [
        'warning constraint-violation tax/rrsp.md:9: Withholding Rate = 35% breaks the constraint Withholding Rate ≤ 30% at tax/limits.md:3 [→ tax/limits.md:3]',
      ]);
    });

    it('are ignored for definitions', () => {
      check({ constraints: [exempt], definitions: [define('tax/rates.md:5', 'Withholding Rate', '35%')] }, [
        'warning constraint-violation tax/rates.md:5: Withholding Rate = 35% breaks the constraint Withholding Rate ≤ 30% at tax/limits.md:3 [→ tax/limits.md:3]',
      ]);
    });
  });

  it.each<[string, ReturnType<typeof constraint>, string, boolean]>([
    ['date at the lower bound', constraint('l.md:1', is('Effective Date', '>=', '2020-01-01')), '2020-01-01', false],
    ['date before the lower bound', constraint('l.md:1', is('Effective Date', '>=', '2020-01-01')), '2019-12-31', true],
    ['between, inside', constraint('l.md:1', is('Effective Date', 'between', '2020-01-01', '2020-12-31')), '2020-06-01', false],
    ['MUST NOT BE the value', constraint('l.md:1', is('Effective Date', '!=', '2020-01-01')), '2020-01-01', true],
    ['IN, outside the list', constraint('l.md:1', is('Effective Date', 'in', '2020-01-01', '2021-01-01')), '2022-01-01', true],
    ['incomparable: percent against a date', constraint('l.md:1', is('Effective Date', '<=', '30%')), '2022-01-01', false],
    ['unknown bound', constraint('l.md:1', is('Effective Date', '<=', refTo('Nowhere'))), '2022-01-01', false],
  ])('%s', (_, c, value, fires) => {
    const findings = checkConstraints(domainView({ constraints: [c], definitions: [define('d.md:9', 'Effective Date', value)] }));
    expect(findings.length).toBe(fires ? 1 : 0);
  });

  it('does not compare percent with money', () => {
    check({ constraints: [atMost30], definitions: [define('tax/rates.md:5', 'Withholding Rate', '$35')] }, []);
  });

  it('describes the other forms of constraint', () => {
    const notIn = constraint('l.md:1', is('Effective Date', 'not in', '2020-01-01', '2021-01-01'), { enforcement: 'inform' });
    check({ constraints: [notIn], definitions: [define('d.md:9', 'Effective Date', '2021-01-01')] }, [
      'information constraint-violation d.md:9: Effective Date = 2021-01-01 breaks the constraint Effective Date not in (2020-01-01, 2021-01-01) ' +
        'at l.md:1 [→ l.md:1]',
    ]);
  });
});

describe('constraint-violation: one of', () => {
  const withRule = (spec: Parameters<typeof rule>[1]) => ({ definitions: [JURISDICTION], rules: [rule('tax/rrsp.md:7', spec)] });

  it('fires at a comparison with a value outside the list, with a suggestion', () => {
    const spec = withRule({ when: is('Jurisdiction', '=', 'Quebek'), then: { 'Withholding Rate': '10%' } });
    check(spec, [
      'warning constraint-violation tax/rrsp.md:7: "Quebek" is not one of Jurisdiction\'s values: Quebec, Ontario, Alberta — did you mean "Quebec"? ' +
        '[→ tax/inputs.md:1]',
    ]);
    expect(checkConstraints(domainView(spec))[0].data).toEqual({ suggestion: 'Quebec' });
  });

  it('fires without a suggestion when nothing is close', () => {
    check(withRule({ when: is('Jurisdiction', 'in', 'Ontario', 'Texas'), then: { 'Withholding Rate': '10%' } }), [
      'warning constraint-violation tax/rrsp.md:7: "Texas" is not one of Jurisdiction\'s values: Quebec, Ontario, Alberta [→ tax/inputs.md:1]',
    ]);
  });

  it('fires at a result outside the list', () => {
    check(withRule({ when: is('Province Code', '=', 'QC'), then: { Jurisdiction: 'Yukon' } }), [
      'warning constraint-violation tax/rrsp.md:7: "Yukon" is not one of Jurisdiction\'s values: Quebec, Ontario, Alberta [→ tax/inputs.md:1]',
    ]);
  });

  it('fires in an exception', () => {
    check(withRule({ when: is('Withdrawal Amount', '>', '$5,000'), then: { 'Withholding Rate': '10%' }, unless: [is('Jurisdiction', '!=', 'Albreta')] }), [
      'warning constraint-violation tax/rrsp.md:8: "Albreta" is not one of Jurisdiction\'s values: Quebec, Ontario, Alberta — did you mean "Alberta"? ' +
        '[→ tax/inputs.md:1]',
    ]);
  });

  it.each([
    ['a listed value in another case', is('Jurisdiction', '=', 'QUEBEC')],
    ['an input without a list', is('Resident Status', '=', 'Quebek')],
    ['an ordering comparison', is('Jurisdiction', '>', 'Quebek')],
  ])('does not fire at %s', (_, when) => {
    check(withRule({ when, then: { 'Withholding Rate': '10%' } }), []);
  });
});
