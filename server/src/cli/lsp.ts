/** `kos lsp`: the language server, over stdio (any editor) or Node IPC (the VS Code extension). */
import { createConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { createServer } from '../lsp/server';
import { EXIT_USAGE, type Command } from './command';
import { tuneGarbageCollection } from './heap';
import type { CliIO } from './io';

const HELP = `Usage: kos lsp [--stdio | --node-ipc] [--jobs N]

Start the Knowledge OS language server. Editors start it themselves:
  --stdio     speak LSP over standard input and output (Neovim, Helix, Zed…)
  --node-ipc  speak LSP over Node's IPC channel (the VS Code extension)
  --jobs N    index large workspaces on up to N worker threads (default:
              the cores, at most 4; 1 indexes on the server's own thread)

Settings come from the editor (section "knowledge") and, as defaults, from
the environment: KNOWLEDGE_TENANT, KNOWLEDGE_POSTGRES_URL,
KNOWLEDGE_NEO4J_URL, KNOWLEDGE_NEO4J_USER, KNOWLEDGE_NEO4J_PASSWORD.
`;

export async function runLsp(args: string[], io: CliIO): Promise<number> {
  let jobs: number | undefined;
  const jobsAt = args.findIndex((a) => a === '--jobs' || a.startsWith('--jobs='));
  if (jobsAt >= 0) {
    const value = args[jobsAt].startsWith('--jobs=') ? args[jobsAt].slice('--jobs='.length) : args[jobsAt + 1];
    jobs = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isInteger(jobs) || jobs < 1) {
      io.stderr.write(`kos lsp: --jobs must be a positive whole number, not '${value ?? ''}'\n`);
      return EXIT_USAGE;
    }
    args = args.filter((_, i) => i !== jobsAt && !(i === jobsAt + 1 && args[jobsAt] === '--jobs'));
  }
  const transport = args.find((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--clientProcessId'));
  const unknown = args.filter((a) => a !== '--stdio' && a !== '--node-ipc' && !a.startsWith('--clientProcessId'));
  if (unknown.length > 0 || (transport !== '--stdio' && transport !== '--node-ipc')) {
    io.stderr.write(unknown.length > 0 ? `kos lsp: unknown option '${unknown[0]}'\n${HELP}` : `kos lsp: say --stdio or --node-ipc\n${HELP}`);
    return EXIT_USAGE;
  }
  const connection =
    transport === '--stdio'
      ? createConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout))
      : createConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  // Anything printed to stdout would corrupt the protocol: send it to the client's log instead.
  console.log = (...parts: unknown[]) => connection.console.log(parts.map(String).join(' '));
  console.info = console.log;
  console.warn = (...parts: unknown[]) => connection.console.warn(parts.map(String).join(' '));
  console.error = (...parts: unknown[]) => connection.console.error(parts.map(String).join(' '));
  tuneGarbageCollection();
  createServer(connection, { env: io.env, jobs });
  connection.listen();
  // The connection keeps the process alive; `exit` ends it (vscode-languageserver calls process.exit).
  return new Promise<number>(() => undefined);
}

export const lspCommand: Command = {
  name: 'lsp',
  summary: 'start the language server (--stdio or --node-ipc)',
  help: HELP,
  run: runLsp,
};
