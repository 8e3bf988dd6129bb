/** `kos check` over real files with the real knowledge core. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from './check';
import { tempTree, testIO } from './testing';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function project(files: Record<string, string | Uint8Array>) {
  const root = tempTree(files);
  roots.push(root);
  return root;
}

const conflicting = (enforcement: string) => `# Withholding

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% ${enforcement}
- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% ${enforcement}
`;

describe('kos check with the real core', () => {
  it('fails on a conflict between {block} rules, reporting both rules', async () => {
    const root = project({
      'domains/tax/rates.md': conflicting('{block}'),
      'domains/tax/notes.md': '# Notes\n\nNothing to see.\n',
      'domains/tax/latin1.md': new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
    });
    const io = testIO(root);
    expect(await runCheck(['--jobs', '1'], io)).toBe(1);
    const lines = io.out().split('\n');
    expect(lines.filter((l) => / error rule-conflict /.test(l)).map((l) => l.split(' ')[0].replace(/:\d+$/, ''))).toEqual([
      'domains/tax/rates.md:3',
      'domains/tax/rates.md:4',
    ]);
    expect(lines).toContain('2 errors, 0 warnings, 0 infos in 2 files (1 skipped)');
    expect(io.err()).toBe('kos: skipped domains/tax/latin1.md: not valid UTF-8 (byte 0xe9 at offset 3)\n');
  });

  it('passes when the conflicting rules only warn, and reports them in JSON', async () => {
    const root = project({ 'domains/tax/rates.md': conflicting('{warn}') });
    const io = testIO(root);
    expect(await runCheck(['--format', 'json', '--jobs', '1'], io)).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.map((f: { file: string; code: string; severity: string; range: { start: { line: number } } }) => [
      f.file,
      f.range.start.line,
      f.code,
      f.severity,
    ])).toEqual([
      ['domains/tax/rates.md', 2, 'rule-conflict', 'warning'],
      ['domains/tax/rates.md', 3, 'rule-conflict', 'warning'],
    ]);
  });

  it('passes on knowledge without problems', async () => {
    const root = project({
      'domains/tax/rates.md': '# Rates\n\n- **Quebec Tax Rate**: 10%\n- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = [[Quebec Tax Rate]]\n',
    });
    const io = testIO(root);
    expect(await runCheck(['--jobs', '1'], io)).toBe(0);
    expect(io.out()).toBe('0 errors, 0 warnings, 0 infos in 1 file\n');
  });
});
