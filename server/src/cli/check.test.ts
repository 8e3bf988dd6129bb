import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../core/model';
import type { Analyse, AnalyseOptions } from './analyse';
import { runCheck } from './check';
import type { SourceFile } from './sources';
import { sampleFindings, tempTree, testIO } from './testing';

const roots: string[] = [];
afterEach(() => {
  roots.splice(0).forEach((root) => fs.rmSync(root, { recursive: true, force: true }));
  vi.useRealTimers();
});

function project(files: Record<string, string | Uint8Array> = { 'docs/pay.md': '# Pay\n', 'docs/tax.md': '# Tax\n' }) {
  const root = tempTree(files);
  roots.push(root);
  return root;
}

/** Stands in for the core: records what it was given, returns `findings`. */
function fakeAnalyse(findings: Finding[] = [], during?: (options: AnalyseOptions) => void) {
  const calls: { sources: SourceFile[]; options: AnalyseOptions }[] = [];
  const analyse: Analyse = async (sources, options) => {
    calls.push({ sources, options });
    during?.(options);
    return { findings, skipped: [] };
  };
  return { analyse, calls };
}

const errorsOnly = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');
const withoutErrors = (findings: Finding[]) => findings.filter((f) => f.severity !== 'error');

describe('runCheck', () => {
  it('prints the report on stdout only and exits 1 when a finding is an error', async () => {
    const root = project();
    const io = testIO(root);
    const { analyse, calls } = fakeAnalyse(sampleFindings(root));
    expect(await runCheck([], io, analyse)).toBe(1);
    expect(io.out()).toMatch(/^docs\/pay\.md:3:1 error rule-conflict /);
    expect(io.out()).toMatch(/\n1 error, 1 warning, 1 info in 2 files\n$/);
    expect(io.err()).toBe('');
    expect(calls[0].sources).toEqual([
      { path: path.join(root, 'docs/pay.md'), uri: pathToFileURL(path.join(root, 'docs/pay.md')).href, text: '# Pay\n' },
      { path: path.join(root, 'docs/tax.md'), uri: pathToFileURL(path.join(root, 'docs/tax.md')).href, text: '# Tax\n' },
    ]);
  });

  it('exits 0 when there are only warnings and infos, or nothing', async () => {
    const root = project();
    expect(await runCheck([], testIO(root), fakeAnalyse(withoutErrors(sampleFindings(root))).analyse)).toBe(0);
    expect(await runCheck([], testIO(root), fakeAnalyse([]).analyse)).toBe(0);
  });

  it('passes the tenant and job count to the analysis', async () => {
    const root = project();
    const { analyse, calls } = fakeAnalyse();
    await runCheck(['docs/tax.md', '--tenant', 'acme', '--jobs', '3'], testIO(root), analyse);
    expect(calls[0].options).toMatchObject({ tenant: 'acme', jobs: 3 });
    expect(calls[0].sources.map((s) => s.text)).toEqual(['# Tax\n']);
  });

  it('writes nothing but the report to stdout in the machine formats', async () => {
    const root = project();
    for (const format of ['json', 'sarif']) {
      const io = testIO(root, { isTTY: { stdout: true, stderr: true } });
      expect(await runCheck(['--format', format], io, fakeAnalyse(sampleFindings(root)).analyse)).toBe(1);
      expect(() => JSON.parse(io.out())).not.toThrow();
    }
  });

  it('skips unreadable, non-UTF-8 and binary files with a message, counts them, and checks the rest', async () => {
    const root = project({
      'ok.md': '# OK\n',
      'bom.md': new Uint8Array([0xef, 0xbb, 0xbf, 0x23, 0x0a]),
      'examples/x.md': new Uint8Array([...Buffer.from('# Café au lait '), 0xff]),
      'image.md': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00]),
    });
    const io = testIO(root);
    const { analyse, calls } = fakeAnalyse();
    expect(await runCheck([], io, analyse)).toBe(0);
    expect(io.err()).toBe(
      'kos: skipped examples/x.md: not valid UTF-8 (byte 0xff at offset 16)\n' +
        'kos: skipped image.md: looks binary (NUL byte at offset 4)\n',
    );
    expect(calls[0].sources.map((s) => [path.relative(root, s.path), s.text])).toEqual([
      ['bom.md', '#\n'],
      ['ok.md', '# OK\n'],
    ]);
    expect(io.out()).toBe('0 errors, 0 warnings, 0 infos in 2 files (2 skipped)\n');
  });

  it('counts files the parser gave up on as skipped', async () => {
    const root = project();
    const io = testIO(root);
    const analyse: Analyse = async (sources) => ({
      findings: [],
      skipped: [{ path: sources[0].path, reason: 'the parser failed: oops' }],
    });
    expect(await runCheck([], io, analyse)).toBe(0);
    expect(io.err()).toBe('kos: skipped docs/pay.md: the parser failed: oops\n');
    expect(io.out()).toBe('0 errors, 0 warnings, 0 infos in 1 file (1 skipped)\n');
  });

  it('reports a path that does not exist, checks the others, and exits 2', async () => {
    const root = project();
    const io = testIO(root);
    const { analyse, calls } = fakeAnalyse(sampleFindings(root));
    expect(await runCheck(['docs/nope.md', 'docs'], io, analyse)).toBe(2);
    expect(io.err()).toBe('kos: no such file or directory: docs/nope.md\n');
    expect(calls[0].sources).toHaveLength(2);
    expect(io.out()).toContain('1 error, 1 warning, 1 info in 2 files');
  });

  it.each([[['--format', 'xml']], [['--frobnicate']], [['--jobs=-1']]])(
    'exits 2 on bad usage %j without checking anything',
    async (args) => {
      const root = project();
      const io = testIO(root);
      const { analyse, calls } = fakeAnalyse();
      expect(await runCheck(args, io, analyse)).toBe(2);
      expect(io.out()).toBe('');
      expect(io.err()).toMatch(/^kos check: .+\nRun 'kos help check' for usage\.\n$/);
      expect(calls).toHaveLength(0);
    },
  );

  it('colours the text report only on a terminal without NO_COLOR', async () => {
    const root = project();
    const tty = { stdout: true, stderr: false };
    const coloured = testIO(root, { isTTY: tty });
    await runCheck([], coloured, fakeAnalyse(sampleFindings(root)).analyse);
    expect(coloured.out()).toContain('\x1b[31merror\x1b[0m');
    const plain = testIO(root, { isTTY: tty, env: { NO_COLOR: '1' } });
    await runCheck([], plain, fakeAnalyse(sampleFindings(root)).analyse);
    expect(plain.out()).not.toContain('\x1b[');
  });

  describe('progress', () => {
    /** An analysis that takes two (fake) seconds per file. */
    const slow = () =>
      fakeAnalyse([], ({ onProgress }) => {
        for (const done of [1, 2]) {
          vi.setSystemTime(Date.now() + 2000);
          onProgress(done);
        }
      }).analyse;

    it('is shown on a terminal during long runs, then cleared', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const root = project();
      const io = testIO(root, { isTTY: { stdout: false, stderr: true } });
      await runCheck([], io, slow());
      expect(io.err()).toBe('\r\x1b[2KChecking 1/2 files…\r\x1b[2KChecking 2/2 files…\r\x1b[2K');
    });

    it.each([
      ['stderr is not a terminal', [], { isTTY: { stdout: true, stderr: false } }],
      ['--no-progress is given', ['--no-progress'], { isTTY: { stdout: false, stderr: true } }],
      ['CI is set', [], { isTTY: { stdout: false, stderr: true }, env: { CI: 'true' } }],
    ])('is never shown when %s', async (_, args, overrides) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const root = project();
      const io = testIO(root, overrides);
      await runCheck(args, io, slow());
      expect(io.err()).toBe('');
    });
  });

  it('exits 1 on errors whatever the format', async () => {
    const root = project();
    for (const format of ['text', 'json', 'sarif']) {
      expect(await runCheck(['--format', format], testIO(root), fakeAnalyse(errorsOnly(sampleFindings(root))).analyse)).toBe(1);
    }
  });
});
