/** `kos check`: find the Markdown files, read them, run the core, print a report. */
import os from 'node:os';
import type { Analyse } from './analyse';
import { parseCheckArgs } from './args';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, type Command } from './command';
import { discoverFiles, relativePath, type Skip } from './files';
import { FORMATTERS } from './formats';
import type { CliIO } from './io';
import { createProgress, silentProgress } from './progress';
import { readSources } from './sources';

const HELP = `Usage: kos check [paths…] [options]

Check Markdown knowledge files and report rule conflicts, duplicate atoms,
broken constraints and the other findings of knowledge-markdown §4.

Paths default to the current directory. Directories are searched for *.md
and *.markdown files, honouring .gitignore files and always skipping
node_modules, .git and .knowledge; files named explicitly are always checked.

Options:
  --format text|json|sarif  report format on stdout (default: text)
  --tenant NAME             the tenant whose knowledge is checked
  --jobs N                  parse and check on up to N worker threads on large
                            runs (default: the number of CPUs; 1: no workers)
  --no-progress             never show the progress line (it only appears on
                            a terminal, after a second, and not when CI is set)
  -h, --help                show this help

Files that cannot be read, are not valid UTF-8 or look binary are skipped
with a message on stderr; the rest is still checked.

Exit status:
  0  no errors (warnings and infos do not fail the check)
  1  at least one error (a rule with {block} enforcement)
  2  bad usage (unknown option or value), a path that does not exist (the
     other paths are still checked and reported), or an internal error
`;

/** The real core, loaded when a check runs: help and usage errors never load it, tests inject their own. */
const analyseWithCore: Analyse = async (sources, options) => (await import('./analyse')).analyseSources(sources, options);

export async function runCheck(args: string[], io: CliIO, analyse: Analyse = analyseWithCore): Promise<number> {
  const options = parseCheckArgs(args, os.availableParallelism());
  if ('error' in options) {
    io.stderr.write(`kos check: ${options.error}\nRun 'kos help check' for usage.\n`);
    return EXIT_USAGE;
  }
  const found = await discoverFiles(options.paths, io.cwd, io.fs);
  for (const arg of found.missing) io.stderr.write(`kos: no such file or directory: ${arg}\n`);
  const read = await readSources(found.files, io.fs);
  const reportSkips = (skips: Skip[]) => {
    for (const { path, reason } of skips) io.stderr.write(`kos: skipped ${relativePath(io.cwd, path)}: ${reason}\n`);
  };
  reportSkips([...found.skipped, ...read.skipped]);

  const showProgress = options.progress && io.isTTY.stderr && !io.env.CI;
  const progress = showProgress ? createProgress({ stream: io.stderr, total: read.sources.length }) : silentProgress;
  let analysis;
  try {
    analysis = await analyse(read.sources, { tenant: options.tenant, jobs: options.jobs, cwd: io.cwd, onProgress: progress.update });
  } finally {
    progress.finish();
  }
  reportSkips(analysis.skipped);

  const report = FORMATTERS[options.format](analysis.findings, {
    cwd: io.cwd,
    files: read.sources.length - analysis.skipped.length,
    skipped: found.skipped.length + read.skipped.length + analysis.skipped.length,
    color: io.isTTY.stdout && !io.env.NO_COLOR,
  });
  io.stdout.write(report);
  if (found.missing.length > 0) return EXIT_USAGE;
  return analysis.findings.some((f) => f.severity === 'error') ? EXIT_ERRORS : EXIT_OK;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check Markdown knowledge files and report findings',
  help: HELP,
  run: (args, io) => runCheck(args, io),
};
