import { describe, expect, it } from 'vitest';
import { CWD, sampleFindings } from '../testing';
import { formatJson } from './json';

describe('formatJson', () => {
  it('prints the findings in report order with 0-based LSP positions and only the documented fields', () => {
    const out = formatJson(sampleFindings(), { cwd: CWD, files: 3, skipped: 0, color: true });
    expect(out.endsWith('}\n]\n')).toBe(true);
    expect(JSON.parse(out)).toStrictEqual([
      {
        file: 'docs/pay.md',
        range: { start: { line: 2, character: 0 }, end: { line: 2, character: 30 } },
        severity: 'error',
        code: 'rule-conflict',
        message: 'Sets [[Bonus]] to 10%, but the rule at docs/tax.md:2 sets it to 5%',
        related: [
          {
            file: 'docs/tax.md',
            range: { start: { line: 1, character: 4 }, end: { line: 1, character: 20 } },
            message: 'sets [[Bonus]] to 5%',
          },
        ],
      },
      {
        file: 'docs/pay.md',
        range: { start: { line: 6, character: 0 }, end: { line: 6, character: 28 } },
        severity: 'information',
        code: 'redundant-rule',
        message: 'This rule is covered by the rule at docs/pay.md:3',
        related: [
          {
            file: 'docs/pay.md',
            range: { start: { line: 2, character: 0 }, end: { line: 2, character: 30 } },
            message: 'the broader rule',
          },
        ],
      },
      {
        file: 'docs/tax.md',
        range: { start: { line: 4, character: 2 }, end: { line: 4, character: 14 } },
        severity: 'warning',
        code: 'unknown-atom',
        message: 'Unknown atom [[Quebec Tax]]; did you mean [[Quebec Tax Rate]]?',
        related: [],
      },
    ]);
  });

  it('prints an empty array when there is nothing to report', () => {
    expect(formatJson([], { cwd: CWD, files: 0, skipped: 0, color: false })).toBe('[]\n');
  });

  it('orders findings at the same place by code', () => {
    const [finding] = sampleFindings();
    const out = JSON.parse(
      formatJson([finding, { ...finding, code: 'duplicate-atom' }], { cwd: CWD, files: 1, skipped: 0, color: false }),
    );
    expect(out.map((f: { code: string }) => f.code)).toEqual(['duplicate-atom', 'unknown-atom']);
  });
});
