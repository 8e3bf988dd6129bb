import { describe, expect, it } from 'vitest';
import { runKos } from './dispatch';
import { KOS_VERSION } from './meta';
import { testIO } from './testing';

async function kos(...argv: string[]) {
  const io = testIO(process.cwd());
  const code = await runKos(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('runKos', () => {
  it('lists the commands on --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, out, err } = await kos(flag);
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: kos <command> \[options\]\n/);
      expect(out).toContain('\n  check   check Markdown knowledge files and report findings\n');
      expect(err).toBe('');
    }
  });

  it('prints the version', async () => {
    expect(await kos('--version')).toEqual({ code: 0, out: `${KOS_VERSION}\n`, err: '' });
    expect(KOS_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("prints a command's help for help <command> and <command> --help", async () => {
    const help = await kos('help', 'check');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: kos check \[paths…\] \[options\]\n/);
    expect(help.out).toContain('--format text|json|sarif');
    expect(help.out).toContain('Exit status:');
    expect(await kos('check', '--help')).toEqual(help);
    expect(await kos('check', 'docs', '-h')).toEqual(help);
  });

  it('exits 2 with the overview on stderr when no command is given', async () => {
    const { code, out, err } = await kos();
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^Usage: kos <command>/);
  });

  it('exits 2 on an unknown command', async () => {
    for (const argv of [['frobnicate'], ['help', 'frobnicate']]) {
      expect(await kos(...argv)).toEqual({
        code: 2,
        out: '',
        err: "kos: unknown command 'frobnicate'\nRun 'kos --help' for the list of commands.\n",
      });
    }
  });

  it('passes bad usage of a command through as exit 2', async () => {
    const { code, err } = await kos('check', '--format', 'xml');
    expect(code).toBe(2);
    expect(err).toContain("unknown format 'xml'");
    for (const jobs of [['--jobs', '0'], ['--jobs=two'], ['--jobs']]) {
      const lsp = await kos('lsp', '--stdio', ...jobs);
      expect(lsp.code).toBe(2);
      expect(lsp.err).toMatch(/^kos lsp: --jobs must be a positive whole number/);
    }
  });
});
