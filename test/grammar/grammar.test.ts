/**
 * The TextMate grammar (syntaxes/knowledge.injection.tmLanguage.json) against
 * the cases in test/grammar/*.mdtest, with vscode-tmgrammar-test: each case
 * file is Markdown with `<!--  ^^ scope` lines asserting the scopes of the
 * line above. The grammar is injected the way VS Code does it, from the
 * `contributes.grammars` entry of package.json (injectTo text.html.markdown),
 * into a small stand-in for VS Code's Markdown grammar
 * (test/grammar/markdown.tmLanguage.json).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const CLI = require.resolve('vscode-tmgrammar-test/dist/unit.js');

function runCases(glob: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [CLI, '--compact', '-g', 'test/grammar/markdown.tmLanguage.json', glob], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the TextMate grammar', () => {
  it('gives every case in test/grammar the asserted scopes', () => {
    const { status, output } = runCases('test/grammar/*.mdtest');
    expect(output, output).not.toMatch(/failed|grammar not found/i);
    expect(output).toMatch(/definitions\.mdtest/);
    expect(output).toMatch(/rules\.mdtest/);
    expect(output).toMatch(/tables\.mdtest/);
    expect(output).toMatch(/not-knowledge\.mdtest/);
    expect(status, output).toBe(0);
  });

  it('reports a wrong expectation (the runner can fail)', () => {
    const { status, output } = runCases('test/grammar/must-fail/*.mdtest');
    expect(status).not.toBe(0);
    expect(output).toMatch(/keyword\.control\.conditional\.knowledge/);
  });
});
