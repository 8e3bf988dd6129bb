/** The shape of a `kos` subcommand and the exit statuses they share. */
import type { CliIO } from './io';

export interface Command {
  name: string;
  /** One line for `kos --help`. */
  summary: string;
  /** The full text of `kos help <name>` and `kos <name> --help`. */
  help: string;
  /** Resolves to the exit status. */
  run(args: string[], io: CliIO): Promise<number>;
}

export const EXIT_OK = 0;
/** At least one finding is an error (a `{block}` rule). */
export const EXIT_ERRORS = 1;
/** Bad usage, a path that does not exist, or an internal error. */
export const EXIT_USAGE = 2;
