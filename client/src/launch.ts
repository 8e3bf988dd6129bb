/**
 * How the extension starts the language server: `dist/cli.js lsp`, forked by
 * vscode-languageclient over Node IPC (the client appends `--node-ipc` and
 * `--clientProcessId=<pid>`, which `kos lsp` accepts), with the embedded
 * database in the workspace's storage folder. Pure, so a test starts the
 * server exactly this way without VS Code.
 */

/** The bundle that carries the CLI and the language server, relative to the extension's folder. */
export const SERVER_MODULE = 'dist/cli.js';

/**
 * Node flags for the server process: none. A 64 MB semi-space (Node 20
 * defaults to 16 MB) once made the checks of 10,000 files on the server's
 * thread ~15% cheaper; since worker threads parse and check a large
 * workspace, it only raised the peak of a cold index of 10,000 files
 * (~1,300-1,550 MiB with it, ~900-1,080 without, the same time within noise)
 * and the memory at rest (RSS ~340 vs ~270 MiB), for keystrokes ~0.3 ms
 * faster at the median. Kept as the one place to put a flag. (How far the
 * heap grows, and that it scavenges on one thread while index workers run,
 * is set by the server itself: `server/src/cli/heap.ts`.)
 */
export const SERVER_NODE_FLAGS: readonly string[] = [];

/** Arguments before the ones the language client appends. */
export const SERVER_ARGS: readonly string[] = ['lsp'];

/** What vscode-languageclient appends for `TransportKind.ipc` (see its `node/main.js`). */
export function clientAppendedArgs(clientPid: number): string[] {
  return ['--node-ipc', `--clientProcessId=${clientPid}`];
}

/**
 * glibc's malloc arenas for the server process (`MALLOC_ARENA_MAX`; other C
 * libraries ignore it), unless the user set their own. By default glibc
 * gives each thread that allocates an arena of its own, up to eight per
 * core, and an arena keeps what was freed in it for that thread: the
 * server's thread, two index workers (deflating texts, passing messages),
 * V8's platform threads and libuv's pool held ~20 MiB more at the peak of
 * a cold index of 10,000 files than with two arenas, in the same time
 * (docs/benchmarks.md).
 */
export const SERVER_MALLOC_ARENAS = '2';

/** The environment the server process is tuned with: what `serverEnv` adds besides `KNOWLEDGE_HOME` (benchmarks start the server with it too). */
export function serverTuning(env: Record<string, string | undefined>): Record<string, string> {
  return { MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX?.trim() || SERVER_MALLOC_ARENAS };
}

/**
 * The server's extra environment: `KNOWLEDGE_HOME` (where PGlite keeps its
 * data) is the extension's storage folder for the workspace, unless the user
 * set it (then the extension shares the command line's store), and
 * `serverTuning`.
 */
export function serverEnv(storageFolder: string, env: Record<string, string | undefined>): Record<string, string> {
  return { KNOWLEDGE_HOME: env.KNOWLEDGE_HOME?.trim() || storageFolder, ...serverTuning(env) };
}
