/** Everything a command touches outside itself, so tests can run it in-process. */
import { nodeFileSystem, type FileSystem } from './fileSystem';

export interface OutputStream {
  write(text: string): unknown;
}

export interface CliIO {
  cwd: string;
  /** The report only, so that `--format json > out.json` is clean. */
  stdout: OutputStream;
  /** Messages, skips and progress. */
  stderr: OutputStream;
  /** Colour needs a terminal on stdout; the progress line one on stderr. */
  isTTY: { stdout: boolean; stderr: boolean };
  env: Record<string, string | undefined>;
  fs: FileSystem;
}

export function processIO(): CliIO {
  for (const stream of [process.stdout, process.stderr]) {
    // `kos check | head` closes the pipe early: stop quietly.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit();
    });
  }
  return {
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
    env: process.env,
    fs: nodeFileSystem,
  };
}
