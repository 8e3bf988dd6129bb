/**
 * `kos check` on worker threads (`checkWorkers.ts`) through the real bundle
 * (`dist/cli.js`, built by the global setup): the same report as one thread,
 * whichever worker parsed which file.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { section } from '../../../test/bench/generate';
import { tempTree } from './testing';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

async function check(root: string, jobs: number): Promise<{ code: number; findings: unknown[]; stderr: string }> {
  const result = await run(process.execPath, [CLI, 'check', '--format', 'json', '--jobs', String(jobs)], { cwd: root, maxBuffer: 256 << 20 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  return { code: result.code, findings: JSON.parse(result.stdout) as unknown[], stderr: result.stderr };
}

/** More files than the parallel threshold (200), with findings within and across files of each domain. */
function workspace(files: (i: number) => [string, string]): string {
  const tree: Record<string, string> = {};
  for (let i = 0; i < 260; i++) {
    const [name, text] = files(i);
    tree[name] = text;
  }
  const root = tempTree(tree);
  roots.push(root);
  return root;
}

const conflict = (n: number, rate: number) => `- IF [[Province ${n}]] = Quebec THEN [[Tax ${n}]] = ${rate}% {block}\n`;

describe('kos check on worker threads', () => {
  it('reports exactly what one thread reports, across domains, moved documents and parse problems', async () => {
    const root = workspace((i) => {
      const domain = ['tax', 'pension', 'payroll'][i % 3];
      // Every tenth file declares another domain than its folder, half of them in a form the worker
      // assignment does not read (a trailing comment): those snapshots move to their domain's worker.
      const declared = ['pension', 'payroll', 'tax'][i % 3];
      const frontMatter = i % 10 !== 0 ? '' : i % 20 === 0 ? `---\ndomain: "${declared}" # moved\n---\n` : `---\ndomain: ${declared}\n---\n`;
      // Conflicts between files (the same rule with two rates, twenty files apart), unknown atoms, duplicates.
      const body = `${section(i)}${conflict(i % 20, Math.floor(i / 20) % 2 === 0 ? 10 : 12)}- **Shared Rate**: ${i % 4}%\n[[Unknwn ${i}]]\n`;
      const broken = i === 77 ? '---\ndomain: [unclosed\n---\n' : '';
      return [`domains/${domain}/file-${String(i).padStart(3, '0')}.md`, `${broken}${frontMatter}# File ${i}\n\n${body}`];
    });
    const one = await check(root, 1);
    const two = await check(root, 2);
    expect(one.code).toBe(1);
    expect(one.findings.length).toBeGreaterThan(1000);
    const codes = new Set(one.findings.map((f) => (f as { code: string }).code));
    for (const code of ['rule-conflict', 'duplicate-atom', 'unknown-atom', 'parse-error']) expect(codes).toContain(code);
    expect(two.code).toBe(one.code);
    expect(two.findings).toEqual(one.findings);
  }, 240_000);

  it('splits one big domain between the workers and still checks it as one', async () => {
    const root = workspace((i) => [`notes/file-${String(i).padStart(3, '0')}.md`, `# Note ${i}\n\n${conflict(i % 30, Math.floor(i / 30) % 2 === 0 ? 5 : 6)}- **Rate ${i % 50}**: ${i}%\n`]);
    const one = await check(root, 1);
    const three = await check(root, 3);
    expect(one.findings.filter((f) => (f as { code: string }).code === 'rule-conflict').length).toBeGreaterThan(100);
    expect(three.findings).toEqual(one.findings);
    expect(three.code).toBe(one.code);
  }, 240_000);
});
