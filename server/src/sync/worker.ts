/**
 * The Neo4j sync worker: drains a tenant's `sync_state` rows (pending, failed,
 * or left `syncing` by a crashed worker) into a GraphStore.
 *
 * The unit pushed is the DOCUMENT: its graph is `toGraph(parseDocument(uri,
 * source))` from the source text stored with its rows (tenant migration 2),
 * and `replaceDocuments` makes the graph hold exactly that (idempotent), up
 * to PUSH_BATCH documents per graph transaction; a deleted document row
 * means `removeDocument`. A caller that holds the parsed documents passes
 * `graphOf` and spares the worker the parse. Documents to push are those
 * the claimed rows belong to plus every document whose graph is behind its
 * source (a write that only deleted blocks leaves rows no live document owns).
 *
 * A row becomes `synced` when every document it belongs to was pushed (rows
 * of deleted entities, and domains, when every push of the drain succeeded);
 * otherwise `failed` with the redacted error. Pushes are retried with
 * exponential backoff within a drain, a failed batch one document at a time
 * (so that one bad document does not hold back the others); what still fails stays `failed` in
 * PostgreSQL and is retried by the next drain, in this process or another.
 */
import { parseDocument } from '../core/document';
import { toGraph, type DocumentGraph } from '../graph/model';
import type { GraphStore } from '../graph/store';
import { redactSecrets, type SqlClient } from '../persistence/sql/client';
import type { Tenant } from '../persistence/sql/tenant';
import { reflectLinks, type ReflectResult } from './reflect';
import { claimRows, documentsOfEntities, markFailed, markSynced, type ClaimedRow } from './rows';
import { markGraphSynced, sourcesToSync } from './sources';

export interface WorkerOptions {
  /** Push attempts per document within one drain (default 4). */
  attempts?: number;
  /** Delay before the first retry, doubled for each next one (default 500 ms, at most `maxDelayMs`, default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Rows left `syncing` this long are taken over (default 10 minutes). */
  leaseMs?: number;
  /** Texts removed from stored errors (passwords); URL credentials are always removed. */
  secrets?: string[];
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Documents replaced per graph transaction (default PUSH_BATCH). */
  batchSize?: number;
  /** Documents pushed or given up so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The graph of the document `uri` whose source has `sourceChecksum`, when
   * the caller holds it already parsed (the language server, `kos sync`);
   * otherwise the worker parses the stored source.
   */
  graphOf?: (uri: string, sourceChecksum: string) => DocumentGraph | undefined;
}

interface Sourced {
  id: string;
  uri: string;
  source: string;
  sourceChecksum: string;
}

export interface DrainResult {
  /** `sync_state` rows claimed. */
  rows: number;
  synced: number;
  failed: number;
  /** Documents replaced or removed in the graph. */
  documents: number;
  /** Redacted error per document that could not be pushed. */
  errors: { documentId: string; error: string }[];
  /** PostgreSQL rows whose relationship arrays were brought in line with the graph after the push; null when that failed (the graph went away). */
  reflected: ReflectResult | null;
}

/** A unit of work on the graph: one document removed, or several replaced in one transaction. */
interface Push {
  documentIds: string[];
  run(): Promise<void>;
  /** The same work one document at a time (to isolate a failing document); absent for a single document. */
  split?(): Push[];
}

/** Documents replaced per graph transaction (`replaceDocuments`). */
const PUSH_BATCH = 100;
const MAX_ERROR = 500;

export async function drainSyncState(db: SqlClient, t: Tenant, graph: GraphStore, options: WorkerOptions = {}): Promise<DrainResult> {
  const now = options.now ?? (() => new Date());
  const claimed = await claimRows(db, t, now(), new Date(now().getTime() - (options.leaseMs ?? 600_000)));
  const owners = await documentsOfEntities(db, t, claimed);
  const failures = new Map<string, string>();

  const pushes: Push[] = claimed
    .filter((r) => r.entityType === 'document' && r.postgresChecksum === null)
    .map((r) => ({ documentIds: [r.entityId], run: () => graph.removeDocument(t.id, r.entityId) }));
  const replaced: Sourced[] = [];
  for (const doc of await sourcesToSync(db, t, [...new Set([...owners.values()].flatMap((s) => [...s]))])) {
    const { id, uri, source, sourceChecksum } = doc;
    if (source === null || sourceChecksum === null) failures.set(id, 'the document was written without its source text: write it again with `kos sync`');
    else replaced.push({ id, uri, source, sourceChecksum });
  }
  const replace = (docs: Sourced[]): Push => ({
    documentIds: docs.map((d) => d.id),
    run: async () => {
      const graphs = docs.map((d) => options.graphOf?.(d.uri, d.sourceChecksum) ?? toGraph(t.id, parseDocument(d.uri, d.source)));
      await graph.replaceDocuments(t.id, graphs);
      await markGraphSynced(db, t, docs.map((d) => ({ id: d.id, checksum: d.sourceChecksum })));
    },
    split: docs.length > 1 ? () => docs.map((d) => replace([d])) : undefined,
  });
  const batch = Math.max(1, options.batchSize ?? PUSH_BATCH);
  for (let i = 0; i < replaced.length; i += batch) pushes.push(replace(replaced.slice(i, i + batch)));

  let done = 0;
  let pushed = 0;
  const total = pushes.reduce((n, p) => n + p.documentIds.length, 0) + failures.size;
  const settle = (push: Push, error: unknown) => {
    for (const id of push.documentIds) {
      if (error === undefined) {
        failures.delete(id);
        pushed++;
      } else failures.set(id, redact(error, options.secrets ?? []));
    }
  };
  await withRetries(pushes, options, settle, (finished) => options.onProgress?.((done += finished), total));

  const firstError = failures.values().next().value;
  const outcome = (row: ClaimedRow): string | undefined => {
    const docs = owners.get(row.entityId) ?? (row.entityType === 'document' ? new Set([row.entityId]) : undefined);
    if (!docs) return firstError;
    for (const d of docs) if (failures.has(d)) return failures.get(d);
    return undefined;
  };
  const failed = claimed.flatMap((row) => {
    const error = outcome(row);
    return error === undefined ? [] : [{ row, error }];
  });
  const failedIds = new Set(failed.map((f) => f.row.id));
  await markSynced(db, t, claimed.filter((r) => !failedIds.has(r.id)), now());
  await markFailed(db, t, failed, now());
  // Graph → PostgreSQL: the arrays mirroring the pushed documents' relationships follow the graph (reflect.ts).
  // Best effort: the arrays were written from the same source, so they differ only where another tool changed the graph.
  const reflected = await reflectLinks(db, t, graph, replaced.map((d) => d.id).filter((id) => !failures.has(id))).catch(() => null);
  return {
    rows: claimed.length,
    synced: claimed.length - failed.length,
    failed: failed.length,
    documents: pushed,
    errors: [...failures].map(([documentId, error]) => ({ documentId, error })),
    reflected,
  };
}

/** Runs every push; those that throw are retried (one document at a time) after 1, 2, 4… × `baseDelayMs`. Reports each push's last outcome. */
async function withRetries(
  pushes: Push[],
  options: WorkerOptions,
  settle: (push: Push, error: unknown) => void,
  progress: (finished: number) => void,
): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let todo = pushes;
  for (let attempt = 1; todo.length > 0; attempt++) {
    const again: Push[] = [];
    for (const push of todo) {
      try {
        await push.run();
        settle(push, undefined);
        progress(push.documentIds.length);
      } catch (error) {
        settle(push, error ?? 'unknown error');
        if (attempt < attempts) again.push(...(push.split?.() ?? [push]));
        else progress(push.documentIds.length);
      }
    }
    if (again.length === 0) return;
    await sleep(Math.min(options.maxDelayMs ?? 30_000, (options.baseDelayMs ?? 500) * 2 ** (attempt - 1)));
    todo = again;
  }
}

/** An error's message without URL credentials or any of `secrets`, bounded in length. */
export function redact(error: unknown, secrets: string[]): string {
  let text = redactSecrets(error instanceof Error ? error.message : String(error));
  for (const s of secrets) if (s) text = text.split(s).join('***');
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}…` : text;
}
