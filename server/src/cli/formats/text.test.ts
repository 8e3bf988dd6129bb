import { describe, expect, it } from 'vitest';
import { CWD, sampleFindings } from '../testing';
import { formatText } from './text';

const context = { cwd: CWD, files: 3, skipped: 1, color: false };

describe('formatText', () => {
  it('prints compiler-style lines with 1-based positions, related places and a summary', () => {
    expect(formatText(sampleFindings(), context).split('\n')).toEqual([
      'docs/pay.md:3:1 error rule-conflict Sets [[Bonus]] to 10%, but the rule at docs/tax.md:2 sets it to 5%',
      '  related: docs/tax.md:2:5 sets [[Bonus]] to 5%',
      'docs/pay.md:7:1 info redundant-rule This rule is covered by the rule at docs/pay.md:3',
      '  related: docs/pay.md:3:1 the broader rule',
      'docs/tax.md:5:3 warning unknown-atom Unknown atom [[Quebec Tax]]; did you mean [[Quebec Tax Rate]]?',
      '',
      '1 error, 1 warning, 1 info in 3 files (1 skipped)',
      '',
    ]);
  });

  it('prints only the summary when there is nothing to report', () => {
    expect(formatText([], { ...context, files: 1, skipped: 0 })).toBe('0 errors, 0 warnings, 0 infos in 1 file\n');
  });

  it('colours places and severities only when asked', () => {
    const [first] = formatText(sampleFindings(), { ...context, color: true }).split('\n');
    expect(first).toBe(
      '\x1b[1mdocs/pay.md:3:1\x1b[0m \x1b[31merror\x1b[0m \x1b[2mrule-conflict\x1b[0m Sets [[Bonus]] to 10%, but the rule at docs/tax.md:2 sets it to 5%',
    );
    expect(formatText(sampleFindings(), context)).not.toContain('\x1b[');
  });

  it('shows URIs that are not files as they are', () => {
    const [finding] = sampleFindings();
    const out = formatText([{ ...finding, uri: 'kos://acme/tax/rates.md' }], context);
    expect(out).toMatch(/^kos:\/\/acme\/tax\/rates\.md:5:3 warning unknown-atom /);
  });
});
