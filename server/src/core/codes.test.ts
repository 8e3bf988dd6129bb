/** docs/findings.md, which diagnostics link to, has a section for every finding code. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CODE_LIST, FINDING_CODES } from './codes';

describe('docs/findings.md', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/findings.md'), 'utf8');
  it.each(FINDING_CODE_LIST)('has a section for %s with its help text', (code) => {
    expect(doc).toContain(`\n## ${code}\n`);
    expect(doc).toContain(FINDING_CODES[code].help);
  });
});
