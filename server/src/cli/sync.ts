/** `kos sync`: write the knowledge files to PostgreSQL, remove vanished ones, push the changes to the graph. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { toGraph, type DocumentGraph } from '../graph/model';
import type { SqlClient } from '../persistence/sql/client';
import type { Tenant } from '../persistence/sql/tenant';
import { removeDocument } from '../persistence/writer';
import { repositories } from '../persistence/repositories';
import { ConfigError, describeConfig, loadConfig, redactConfigSecrets, type KnowledgeConfig } from '../sync/config';
import { SourceWriter, sourceChecksum, storedChecksums } from '../sync/sources';
import { loadGraph, openGraph, openSql } from '../sync/stores';
import { drainSyncState } from '../sync/worker';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, type Command } from './command';
import { discoverFiles, relativePath } from './files';
import type { CliIO } from './io';
import { parseSafely } from './parse';
import { readSources, type SourceFile } from './sources';
import { createPhaseProgress, silentPhaseProgress, type PhaseProgress } from './syncProgress';

const HELP = `Usage: kos sync [paths…] [options]

Write Markdown knowledge files to PostgreSQL and push the changes to the
knowledge graph. Files are found as by 'kos check'. Documents stored from
the folders given (default: the current directory) whose files are gone are
removed. Changes the graph could not take stay pending and are pushed by the
next 'kos sync', even one with no changes of its own.

Options:
  --no-progress  never show the progress line (it only appears on a
                 terminal, after a second, and not when CI is set)
  -h, --help     show this help

Environment:
  KNOWLEDGE_POSTGRES_URL    PostgreSQL; unset: PGlite in KNOWLEDGE_HOME
                            (default ./.knowledge)
  KNOWLEDGE_NEO4J_URL       Neo4j, with KNOWLEDGE_NEO4J_USER and
                            KNOWLEDGE_NEO4J_PASSWORD; unset: an in-memory graph
  KNOWLEDGE_TENANT          the tenant (default: default)

Prints 'N documents, M changes, K synced': files written, rows changed in
PostgreSQL (written or removed), sync_state rows pushed to the graph.

Exit status:
  0  everything written and synced
  1  some changes could not be pushed to the graph (they stay pending)
  2  bad usage, a path that does not exist, bad configuration, or PostgreSQL
     unavailable
`;

export async function runSync(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'no-progress': { type: 'boolean', default: false } } });
  } catch (error) {
    io.stderr.write(`kos sync: ${(error as Error).message}\nRun 'kos help sync' for usage.\n`);
    return EXIT_USAGE;
  }
  let config: KnowledgeConfig;
  try {
    config = loadConfig(io.env, io.cwd);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`kos sync: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ['.'];
  const found = await discoverFiles(paths, io.cwd, io.fs);
  for (const arg of found.missing) io.stderr.write(`kos: no such file or directory: ${arg}\n`);
  const read = await readSources(found.files, io.fs);
  const skipped = [...found.skipped, ...read.skipped];
  for (const { path: p, reason } of skipped) io.stderr.write(`kos: skipped ${relativePath(io.cwd, p)}: ${reason}\n`);

  let sql: SqlClient;
  try {
    sql = await openSql(config);
  } catch (error) {
    io.stderr.write(`kos sync: cannot open PostgreSQL (${describeConfig(config)}): ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const showProgress = !parsed.values['no-progress'] && io.isTTY.stderr && !io.env.CI;
  const progress = showProgress ? createPhaseProgress(io.stderr) : silentPhaseProgress;
  try {
    const written = await writeAll(sql, config.tenant, read.sources, io, progress);
    const folders = await foldersOf(paths, io);
    const removed = await removeVanished(sql, config.tenant, folders, [...read.sources.map((s) => s.uri), ...skipped.map((s) => pathToFileURL(s.path).href)]);
    const changes = written.changes + removed;
    const summary = (synced: number) => io.stdout.write(`${written.documents} documents, ${changes} changes, ${synced} synced\n`);

    let opened;
    try {
      opened = await openGraph(config);
    } catch (error) {
      progress.finish();
      io.stderr.write(`kos sync: the graph store is unavailable; the changes stay pending: ${(error as Error).message}\n`);
      summary(0);
      return EXIT_ERRORS;
    }
    try {
      const graphOf = (uri: string, sum: string) => (written.graphs.get(uri)?.checksum === sum ? written.graphs.get(uri)?.graph : undefined);
      if (opened.ephemeral) await loadGraph(sql, opened.graph, config, graphOf);
      const result = await drainSyncState(sql, config.tenant, opened.graph, {
        secrets: config.secrets,
        graphOf,
        onProgress: (done, total) => progress.update('Syncing', done, total),
      });
      progress.finish();
      for (const e of result.errors) io.stderr.write(`kos sync: could not sync document ${e.documentId}: ${e.error}\n`);
      summary(result.synced);
      if (found.missing.length > 0) return EXIT_USAGE;
      return result.failed > 0 ? EXIT_ERRORS : EXIT_OK;
    } finally {
      await opened.graph.close();
    }
  } catch (error) {
    throw new Error(redactConfigSecrets(config, error instanceof Error ? (error.stack ?? error.message) : String(error)));
  } finally {
    progress.finish();
    await sql.close();
  }
}

/** Graphs kept from the write for the graph sync: ~20 KB each for a typical document. */
const GRAPH_CACHE = 5_000;

/**
 * Writes the files whose text changed since they were last written. Unchanged
 * files are not written again: with a name defined in two documents (a
 * `duplicate-atom`), rewriting both would flip the atom's value and back.
 */
async function writeAll(sql: SqlClient, t: Tenant, sources: SourceFile[], io: CliIO, progress: PhaseProgress) {
  let documents = 0;
  let changes = 0;
  /** The graphs of documents written, for the graph sync (up to GRAPH_CACHE of them; the worker parses the others). */
  const graphs = new Map<string, { checksum: string; graph: DocumentGraph }>();
  const stored = await storedChecksums(sql, t);
  const writer = new SourceWriter(sql, t, {
    onWritten: (result) => {
      changes += result.changes.length;
      documents += result.documentIds.length;
    },
  });
  for (const [i, source] of sources.entries()) {
    const outcome = stored.get(source.uri) === sourceChecksum(source.text) ? 'unchanged' : parseSafely(source);
    if (outcome === 'unchanged') documents++;
    else if ('error' in outcome) io.stderr.write(`kos: skipped ${relativePath(io.cwd, source.path)}: the parser failed: ${outcome.error}\n`);
    else {
      if (graphs.size < GRAPH_CACHE) graphs.set(source.uri, { checksum: sourceChecksum(source.text), graph: toGraph(t.id, outcome.snapshot) });
      await writer.add({ snapshot: outcome.snapshot, text: source.text });
    }
    progress.update('Writing', i + 1, sources.length);
  }
  await writer.finish();
  return { documents, changes, graphs };
}

/** `file://` prefixes of the directories among the paths. */
async function foldersOf(paths: string[], io: CliIO): Promise<string[]> {
  const folders: string[] = [];
  for (const p of paths) {
    const full = path.resolve(io.cwd, p);
    if ((await io.fs.kind(full)) === 'directory') folders.push(pathToFileURL(full).href.replace(/\/?$/, '/'));
  }
  return folders;
}

/** Removes the stored documents under `folders` that are not (or not under) `keep`; returns the rows changed. */
async function removeVanished(sql: SqlClient, t: Tenant, folders: string[], keep: string[]): Promise<number> {
  const kept = (uri: string) => keep.some((k) => uri === k || uri.startsWith(`${k}/`));
  let changes = 0;
  for (const doc of await repositories(sql, t).documents.list()) {
    if (folders.some((f) => doc.uri.startsWith(f)) && !kept(doc.uri)) changes += (await removeDocument(sql, t, doc.uri)).changes.length;
  }
  return changes;
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'write knowledge files to PostgreSQL and sync them to the graph',
  help: HELP,
  run: (args, io) => runSync(args, io),
};
