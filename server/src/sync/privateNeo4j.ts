/**
 * Test helper: a PRIVATE Neo4j (own free port, own temp data dir, own process
 * group) from the launcher `scripts/services.sh` builds (`test/neo4j/target`),
 * for tests that stop and start the server. It never touches the shared one.
 *
 *     const neo = await createPrivateNeo4j({ password: 'pw' });
 *     await neo.start();   // waits for `NEO4J_READY`
 *     await neo.stop();    // SIGTERM to the group, waits for exit
 *     await neo.start();   // same port, same data dir
 *     await neo.dispose(); // stops, deletes the data dir
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPort } from './testing';

const LAUNCHER_DIR = fileURLToPath(new URL('../../../test/neo4j/', import.meta.url));
const MAIN_CLASS = 'dev.knowledgeos.neo4j.Neo4jLauncher';
/** As `scripts/services.sh` (smaller heap: the tests push a handful of documents). */
const JVM_FLAGS = [
  '-Xms64m',
  '-Xmx384m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-OmitStackTraceInFastThrow',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djdk.nio.maxCachedBufferSize=1024',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dlog4j2.disable.jmx=true',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
];
const LOG_TAIL = 4_000;

export interface PrivateNeo4jOptions {
  /** Enables auth: user `neo4j` with this password. */
  password?: string;
  /** Bound on waiting for `NEO4J_READY` (default 90 s). */
  readyTimeoutMs?: number;
  /** Bound on waiting for exit after SIGTERM before SIGKILL (default 30 s). */
  stopTimeoutMs?: number;
}

export interface PrivateNeo4j {
  readonly port: number;
  readonly dataDir: string;
  /** `bolt://127.0.0.1:<port>`. */
  readonly url: string;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it (if running) and deletes the data dir. */
  dispose(): Promise<void>;
}

/** The reason a private Neo4j cannot run here, or null. */
export function privateNeo4jUnavailable(): string | null {
  const built = existsSync(join(LAUNCHER_DIR, 'target/classes/dev/knowledgeos/neo4j/Neo4jLauncher.class')) && existsSync(join(LAUNCHER_DIR, 'target/lib'));
  return built ? null : `the Neo4j launcher is not built in ${LAUNCHER_DIR}target (run: scripts/services.sh build)`;
}

export async function createPrivateNeo4j(options: PrivateNeo4jOptions = {}): Promise<PrivateNeo4j> {
  const missing = privateNeo4jUnavailable();
  if (missing) throw new Error(missing);
  const port = await closedPort();
  const dataDir = await mkdtemp(join(tmpdir(), 'kos-neo4j-'));
  const java = process.env.JAVA || (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  // A crashed test process must not leave the JVM behind.
  const killOnExit = () => {
    if (child?.pid) tryKill(-child.pid, 'SIGKILL');
  };
  process.on('exit', killOnExit);

  const start = async () => {
    if (child) throw new Error(`private Neo4j on port ${port} is already running`);
    const args = [...JVM_FLAGS, '-cp', `${LAUNCHER_DIR}target/classes:${LAUNCHER_DIR}target/lib/*`, MAIN_CLASS];
    args.push('--port', String(port), '--data-dir', dataDir, '--ready-timeout', String(Math.ceil((options.readyTimeoutMs ?? 90_000) / 1000)));
    args.push(...(options.password ? ['--password', options.password] : ['--no-auth']));
    log = '';
    const proc = spawn(java, args, { cwd: LAUNCHER_DIR, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
    const keep = (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-LOG_TAIL));
    proc.stderr!.on('data', keep);
    try {
      await new Promise<void>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`private Neo4j not ready within ${options.readyTimeoutMs ?? 90_000} ms`)), options.readyTimeoutMs ?? 90_000);
        const done = (error?: Error) => {
          clearTimeout(timer);
          proc.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        };
        const onExit = (code: number | null, signal: string | null) => done(new Error(`private Neo4j exited before ready (code ${code}, signal ${signal})`));
        proc.once('exit', onExit);
        proc.once('error', (error) => done(error));
        proc.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          keep(chunk);
          if (/^NEO4J_READY /m.test(stdout)) done();
        });
      });
    } catch (error) {
      await stop().catch(() => {});
      throw new Error(`${(error as Error).message}\n--- launcher output (tail) ---\n${log}`);
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc?.pid) return;
    const pid = proc.pid;
    if (proc.exitCode === null && proc.signalCode === null) tryKill(-pid, 'SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 30_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      tryKill(-pid, 'SIGKILL');
      await exited;
    }
    // Anything else left in the group (there should be nothing) goes too.
    tryKill(-pid, 'SIGKILL');
    child = null;
  };

  return {
    port,
    dataDir,
    url: `bolt://127.0.0.1:${port}`,
    get running() {
      return child !== null;
    },
    start,
    stop,
    async dispose() {
      try {
        await stop();
      } finally {
        process.off('exit', killOnExit);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
