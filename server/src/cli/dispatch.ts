/** `kos <command> …`: help, version, and the subcommands. */
import { checkCommand } from './check';
import { EXIT_OK, EXIT_USAGE, type Command } from './command';
import { impactCommand } from './impact';
import type { CliIO } from './io';
import { lspCommand } from './lsp';
import { KOS_VERSION } from './meta';
import { syncCommand } from './sync';

const COMMANDS: Command[] = [checkCommand, syncCommand, impactCommand, lspCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: kos <command> [options]

Commands:
${list}

Run 'kos help <command>' for a command's options.
Options: -h, --help  show this help; -v, --version  show the version
`;
}

export async function runKos(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(overview());
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    io.stdout.write(overview());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${KOS_VERSION}\n`);
    return EXIT_OK;
  }
  const name = first === 'help' ? rest[0] : first;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`kos: unknown command '${name}'\nRun 'kos --help' for the list of commands.\n`);
    return EXIT_USAGE;
  }
  if (first === 'help' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr.write(`kos: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_USAGE;
  }
}
