/** Helpers for the CLI's tests: fabricated findings and in-memory IO. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Range } from '../core/model';
import { nodeFileSystem } from './fileSystem';
import type { CliIO } from './io';

export const CWD = path.resolve('/repo');

export function uriOf(relative: string, cwd = CWD): string {
  return pathToFileURL(path.join(cwd, relative)).href;
}

export function range(line: number, character: number, endLine: number, endCharacter: number): Range {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

/** Three findings in two files, deliberately out of report order. */
export function sampleFindings(cwd = CWD): Finding[] {
  return [
    {
      code: 'unknown-atom',
      severity: 'warning',
      uri: uriOf('docs/tax.md', cwd),
      range: range(4, 2, 4, 14),
      message: 'Unknown atom [[Quebec Tax]]; did you mean [[Quebec Tax Rate]]?',
      related: [],
      data: { suggestion: 'Quebec Tax Rate' },
    },
    {
      code: 'redundant-rule',
      severity: 'information',
      uri: uriOf('docs/pay.md', cwd),
      range: range(6, 0, 6, 28),
      message: 'This rule is covered by the rule at docs/pay.md:3',
      related: [{ location: { uri: uriOf('docs/pay.md', cwd), range: range(2, 0, 2, 30) }, message: 'the broader rule' }],
    },
    {
      code: 'rule-conflict',
      severity: 'error',
      uri: uriOf('docs/pay.md', cwd),
      range: range(2, 0, 2, 30),
      message: 'Sets [[Bonus]] to 10%, but the rule at docs/tax.md:2 sets it to 5%',
      related: [{ location: { uri: uriOf('docs/tax.md', cwd), range: range(1, 4, 1, 20) }, message: 'sets [[Bonus]] to 5%' }],
    },
  ];
}

export interface TestIO extends CliIO {
  out(): string;
  err(): string;
}

/** Real files under `cwd`, captured output, no terminal, empty environment. */
export function testIO(cwd: string, overrides: Partial<CliIO> = {}): TestIO {
  let out = '';
  let err = '';
  return {
    cwd,
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    isTTY: { stdout: false, stderr: false },
    env: {},
    fs: nodeFileSystem,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

/** A fresh temporary folder holding `files` (relative path → content). */
export function tempTree(files: Record<string, string | Uint8Array>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kos-cli-')));
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(root, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}
